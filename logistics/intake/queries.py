"""Reading dossiers and items back, within the caller's scope.

Every query here applies ``logistics.access``: what a user may not see is not found
(``NotFound``, rendered as 404), so a lookup never reveals that an object exists in
another scope. Lists are ordered newest first, with a stable tie-break on the id, and
return the total matching rows for paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from logistics import access
from logistics.exceptions import NotFound
from logistics.models import Agency, Counter, Dossier, Item, PostOffice, Procedure, User
from logistics.models.enums import DossierStatus, ItemStatus, LegKind


@dataclass(frozen=True, slots=True)
class DossierRow:
    dossier: Dossier
    procedure_code: str
    agency_code: str
    counter_code: str | None


def _dossier_select() -> Any:
    return (
        select(Dossier, Procedure.code, Agency.code, Counter.code)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Agency, Agency.id == Dossier.agency_id)
        .outerjoin(Counter, Counter.id == Dossier.counter_id)
    )


def _page(session: Session, statement: Any, *, limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    rows = list(session.execute(statement.limit(limit).offset(offset)).all())
    return rows, total


def list_dossiers(
    session: Session,
    *,
    user: User,
    status: DossierStatus | None = None,
    received_from: datetime | None = None,
    received_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[DossierRow], int]:
    """Dossiers ``user`` may see, newest received first, and how many match in all."""
    statement = _dossier_select().where(access.visible_dossiers(user))
    if status is not None:
        statement = statement.where(Dossier.status == status)
    if received_from is not None:
        statement = statement.where(Dossier.received_at >= received_from)
    if received_before is not None:
        statement = statement.where(Dossier.received_at < received_before)
    statement = statement.order_by(Dossier.received_at.desc(), Dossier.id.desc())  # type: ignore[attr-defined]
    rows, total = _page(session, statement, limit=limit, offset=offset)
    return [DossierRow(*row) for row in rows], total


def get_dossier(session: Session, *, user: User, code: str) -> DossierRow:
    row = session.execute(
        _dossier_select().where(Dossier.code == code.strip().upper(), access.visible_dossiers(user))
    ).first()
    if row is None:
        raise NotFound(f"No dossier {code} is visible to you.", code="dossier_not_found")
    return DossierRow(*row)


def dossier_by_id(session: Session, dossier_id: int) -> DossierRow:
    """A dossier with its codes, unscoped: for its creator, right after intake."""
    row = session.execute(_dossier_select().where(Dossier.id == dossier_id)).first()
    if row is None:
        raise NotFound(f"No dossier has id {dossier_id}.", code="dossier_not_found")
    return DossierRow(*row)


def items_of_dossier(session: Session, *, dossier_id: int, user: User | None = None) -> list[Item]:
    """The dossier's items (only those ``user`` may see, when given), in leg order of creation."""
    statement = select(Item).where(Item.dossier_id == dossier_id)
    if user is not None:
        statement = statement.where(access.visible_items(user))
    return list(session.exec(statement.order_by(Item.id)))


def list_items(
    session: Session,
    *,
    user: User,
    status: ItemStatus | None = None,
    leg: LegKind | None = None,
    due_date: date | None = None,
    post_office_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Item, str]], int]:
    """Items ``user`` may see, newest first, each with its dossier code."""
    statement = (
        select(Item, Dossier.code)
        .join(Dossier, Dossier.id == Item.dossier_id)
        .where(access.visible_items(user))
    )
    if status is not None:
        statement = statement.where(Item.status == status)
    if leg is not None:
        statement = statement.where(Item.leg == leg)
    if due_date is not None:
        statement = statement.where(Item.due_date == due_date)
    if post_office_code is not None:
        statement = statement.join(PostOffice, PostOffice.id == Item.post_office_id).where(
            PostOffice.code == post_office_code
        )
    statement = statement.order_by(Item.created_at.desc(), Item.id.desc())  # type: ignore[attr-defined]
    rows, total = _page(session, statement, limit=limit, offset=offset)
    return [(item, code) for item, code in rows], total


def get_item(session: Session, *, user: User, s10: str) -> tuple[Item, str]:
    """The newest item labelled ``s10`` that ``user`` may see (labels return after 24 months)."""
    row = session.execute(
        select(Item, Dossier.code)
        .join(Dossier, Dossier.id == Item.dossier_id)
        .where(Item.s10 == s10, access.visible_items(user))
        .order_by(Item.created_at.desc(), Item.id.desc())  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFound(f"No item {s10} is visible to you.", code="item_not_found")
    return row[0], row[1]
