"""The demo seed's handovers: confirmed, genuine, and the items moved."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlmodel import Session, select

from logistics.demo import seed_province
from logistics.handovers import integrity
from logistics.handovers.demo import add_demo_handovers
from logistics.models import HandoverLine, Item, PostOffice
from logistics.models.enums import HandoverKind, HandoverStatus, ItemStatus

DAY = date(2026, 11, 23)  # a Monday


def test_demo_adds_confirmed_genuine_handovers(session: Session) -> None:
    """After a seed, add_demo_handovers leaves confirmed records that verify, with dossiers handed to agencies."""
    summary = seed_province(session, province="Lai Châu", seed=11, day=DAY, volume=150)
    offices = session.exec(select(PostOffice.id).where(PostOffice.province_code == summary.province_code)
                           .order_by(PostOffice.id)).all()
    made = add_demo_handovers(session, day=DAY, rng=np.random.default_rng(3), post_office_ids=offices)
    assert len(made) >= 2
    assert {h.kind for h in made} >= {HandoverKind.FROM_COUNTER, HandoverKind.TO_AGENCY}
    for h in made:
        assert h.status is HandoverStatus.CONFIRMED
        assert integrity.verify(session, code=h.code, given_hash=h.record_sha256).genuine
    to_agency = next(h for h in made if h.kind is HandoverKind.TO_AGENCY)
    lines = session.exec(select(HandoverLine).where(HandoverLine.handover_id == to_agency.id)).all()
    assert lines and all(session.get(Item, line.item_id).status is ItemStatus.HANDED_OVER for line in lines)
