"""The dossier's document list for the dispatch note: given at intake or recorded later
by the clerk of the counter that received it (or an admin), replacing the previous list.
Lines of open handover records follow the new counts (their codes shown so far lapse);
a dossier on a confirmed record keeps its list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlmodel import Session

from logistics import access, audit
from logistics.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from logistics.handovers import records
from logistics.intake.schemas import MAX_DOCUMENTS, DocumentIntake, document_total
from logistics.intake.service import document_rows
from logistics.models import Dossier, DossierDocument, Handover, HandoverLine, Item, User
from logistics.models.enums import HandoverStatus, Role


def readable_dossier(session: Session, *, actor: User, code: str) -> Dossier:
    dossier = session.execute(select(Dossier).where(Dossier.code == code.strip())).scalars().first()
    if dossier is None or not access.can_read_dossier(session, actor, dossier):
        raise NotFound(f"There is no dossier {code} you may see.", code="dossier_not_found", dossier=code)
    return dossier


def may_see_names(actor: User, dossier: Dossier) -> bool:
    """The clerk who received the dossier face to face prints the sender's name; others see it masked."""
    if actor.role == Role.COUNTER_CLERK and actor.counter_id is not None and actor.counter_id == dossier.counter_id:
        return True
    return actor.role == Role.ADMIN


def set_documents(session: Session, *, actor: User, dossier: Dossier,
                  documents: Sequence[DocumentIntake]) -> list[DossierDocument]:
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
    rows = document_rows(dossier.id, documents)
    session.add_all(rows)
    dossier.document_count = document_total(documents)
    session.add(dossier)
    _recount_open_lines(session, dossier, rows)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="dossier.documents_listed", entity="dossier",
                 entity_id=dossier.id, count=len(rows))
    return rows


def _recount_open_lines(session: Session, dossier: Dossier, rows: Sequence[DossierDocument]) -> None:
    originals, copies = sum(r.originals for r in rows), sum(r.copies for r in rows)
    open_lines = session.execute(
        select(HandoverLine, Handover).join(Handover, Handover.id == HandoverLine.handover_id)
        .join(Item, Item.id == HandoverLine.item_id)
        .where(Item.dossier_id == dossier.id, Handover.status == HandoverStatus.OPEN)
    ).all()
    for line, handover in open_lines:
        line.originals, line.copies = originals, copies
        session.add(line)
        records.invalidate_codes(session, handover)
