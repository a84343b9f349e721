"""The dossier's document list for the dispatch note: recorded by the clerk of the
counter that received it (or an admin), replacing the previous list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlmodel import Session

from logistics import access, audit
from logistics.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from logistics.models import Dossier, DossierDocument, Handover, HandoverLine, Item, User
from logistics.models.enums import HandoverStatus, Role

MAX_DOCUMENTS = 50


@dataclass(frozen=True)
class DocumentIn:
    name: str
    original: bool = True
    quantity: int = 1


def readable_dossier(session: Session, *, actor: User, code: str) -> Dossier:
    dossier = session.execute(select(Dossier).where(Dossier.code == code.strip())).scalars().first()
    if dossier is None or not access.can_read_dossier(session, actor, dossier):
        raise NotFound(f"There is no dossier {code} you may see.", code="dossier_not_found")
    return dossier


def may_see_names(actor: User, dossier: Dossier) -> bool:
    """The clerk who received the dossier face to face prints the sender's name; others see it masked."""
    if actor.role == Role.COUNTER_CLERK and actor.counter_id is not None and actor.counter_id == dossier.counter_id:
        return True
    return actor.role == Role.ADMIN


def set_documents(session: Session, *, actor: User, dossier: Dossier, documents: Sequence[DocumentIn]) -> list[DossierDocument]:
    if not (actor.role == Role.ADMIN or (actor.role == Role.COUNTER_CLERK and actor.counter_id is not None
                                         and actor.counter_id == dossier.counter_id)):
        raise Forbidden("Only the counter that received the dossier lists its documents.", code="not_the_clerk")
    if not 1 <= len(documents) <= MAX_DOCUMENTS:
        raise InvalidInput(f"List between 1 and {MAX_DOCUMENTS} documents.", code="invalid_documents")
    sealed = session.execute(
        select(Handover.id).join(HandoverLine, HandoverLine.handover_id == Handover.id)
        .join(Item, Item.id == HandoverLine.item_id)
        .where(Item.dossier_id == dossier.id, Handover.status == HandoverStatus.CONFIRMED)
    ).first()
    if sealed is not None:
        raise Conflict("The dossier was handed over on a confirmed record; its list is settled.", code="documents_settled")
    session.execute(delete(DossierDocument).where(DossierDocument.dossier_id == dossier.id))
    rows = [DossierDocument(dossier_id=dossier.id, seq=n, name=d.name.strip()[:255], original=d.original,
                            quantity=d.quantity) for n, d in enumerate(documents, start=1)]
    session.add_all(rows)
    dossier.document_count = sum(d.quantity for d in documents)
    session.add(dossier)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="dossier.documents_listed", entity="dossier",
                 entity_id=dossier.id, count=len(rows))
    return rows
