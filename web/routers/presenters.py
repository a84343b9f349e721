"""Turning dossier and item rows into their public form for one caller (masking)."""

from __future__ import annotations

from sqlmodel import Session, select

from logistics import access
from logistics.intake import queries
from logistics.models import DossierDocument, Item, Person, User
from web.schemas import DossierPublic, ItemPublic, dossier_summary


def item_public(user: User, item: Item, dossier_code: str) -> ItemPublic:
    unmasked = access.can_see_personal_data(user, post_office_ids=[item.post_office_id])
    return ItemPublic.of(item, dossier_code=dossier_code, unmasked=unmasked)


def dossier_public(session: Session, user: User, row: queries.DossierRow, items: list[Item]) -> DossierPublic:
    dossier = row.dossier
    unmasked = access.can_see_personal_data(user, post_office_ids=[i.post_office_id for i in items])
    applicant = session.get(Person, dossier.applicant_id)
    recipient = session.get(Person, dossier.recipient_id) if dossier.recipient_id is not None else None
    assert applicant is not None  # a foreign key guarantees it
    return DossierPublic.of(
        dossier_summary(
            dossier, procedure_code=row.procedure_code, agency_code=row.agency_code, counter_code=row.counter_code
        ),
        applicant=applicant,
        recipient=recipient,
        items=[ItemPublic.of(i, dossier_code=dossier.code, unmasked=unmasked) for i in items],
        unmasked=unmasked,
        documents=list(session.exec(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
                                    .order_by(DossierDocument.seq))),
    )
