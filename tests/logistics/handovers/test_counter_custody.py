"""A postman collecting dossiers at a counter: the custody moves through tracking's
``collected_from_counter`` scan, so history, chain of custody and events all see it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from logistics import events
from logistics.exceptions import Conflict
from logistics.handovers import confirmation, records
from logistics.models import RouteStopItem, ScanEvent
from logistics.models.enums import HandoverKind, HolderKind, ItemStatus, ScanCode, ScanOutcome, StopAction
from logistics.models.types import utcnow
from logistics.notify import public_view
from logistics.tracking import custody as tracking_custody
from logistics.tracking import states
from tests.logistics.handovers.handover_factories import HandoverWorld, build_handover_world, dossier_at_counter


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def published(monkeypatch):  # noqa: ANN001, ANN201
    """Every status change tracking publishes during the test."""
    from logistics.tracking import scans

    seen: list[events.ItemStatusChanged] = []
    original = scans.publish

    def spy(session, event):  # noqa: ANN001, ANN202
        if isinstance(event, events.ItemStatusChanged):
            seen.append(event)
        return original(session, event)

    monkeypatch.setattr(scans, "publish", spy)
    return seen


def _collect(session: Session, hw: HandoverWorld, *items):  # noqa: ANN001, ANN202
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.FROM_COUNTER,
                              place_code=hw.world.a.counter.code)
    for item in items:
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h)
    confirmation.confirm_with_code(session, actor=hw.counter_clerk_a, handover=h, code=issued.code, fees_handed_vnd=0)
    return h


def test_the_scan_is_data_of_the_state_machine():
    """collected_from_counter is an EMA collection that keeps an accepted item accepted, held by the postman."""
    rule = states.rule_for(ScanCode.COLLECTED_FROM_COUNTER)
    assert states.emsevt(ScanCode.COLLECTED_FROM_COUNTER) == "EMA"
    assert states.next_status(ItemStatus.ACCEPTED, ScanCode.COLLECTED_FROM_COUNTER) is ItemStatus.ACCEPTED
    assert states.next_status(ItemStatus.CREATED, ScanCode.COLLECTED_FROM_COUNTER) is ItemStatus.ACCEPTED
    assert rule.holder_after is HolderKind.POSTMAN and rule.needs_handover
    with pytest.raises(states.InvalidTransition):
        states.next_status(ItemStatus.IN_TRANSIT, ScanCode.COLLECTED_FROM_COUNTER)


def test_counter_handover_moves_custody_through_a_tracking_scan(session: Session, hw: HandoverWorld, published):
    """The accepted dossier stays accepted, the postman holds it, and the scan is in its history and timeline."""
    accepted = dossier_at_counter(session, hw)
    announced = dossier_at_counter(session, hw, status=ItemStatus.CREATED)
    h = _collect(session, hw, accepted, announced)
    for item in (accepted, announced):
        assert item.status is ItemStatus.ACCEPTED
        assert (item.holder_kind, item.holder_ref_id) == (HolderKind.POSTMAN, hw.postman.id)
        scan = session.execute(select(ScanEvent).where(ScanEvent.item_id == item.id)).scalars().one()
        assert (scan.code, scan.outcome, scan.handover_id) == (ScanCode.COLLECTED_FROM_COUNTER, ScanOutcome.APPLIED, h.id)
        chain = tracking_custody.custody_history(session, item_id=item.id)
        assert [(c.holder_kind, c.holder_ref_id) for c in chain] == [
            (HolderKind.COUNTER, hw.world.a.counter.id), (HolderKind.POSTMAN, hw.postman.id)]
        assert chain[-1].scan_event_id == scan.id
    changes = {e.item_id: e for e in published}
    assert changes[accepted.id].scan_code == "collected_from_counter"
    assert (changes[accepted.id].previous_status, changes[accepted.id].status) == ("accepted", "accepted")
    assert changes[announced.id].previous_status == "created"
    timeline = public_view.tracking_view(session, accepted).timeline
    assert [t.code for t in timeline] == ["collected_from_counter"]
    assert timeline[0].label == "Bưu tá đã nhận hồ sơ tại bộ phận một cửa"


def test_an_item_already_with_the_postman_does_not_go_on_a_counter_record(session: Session, hw: HandoverWorld):
    """Collected once, the dossier is no longer at the counter: scanning it on another record is refused."""
    item = dossier_at_counter(session, hw)
    _collect(session, hw, item)
    again = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.FROM_COUNTER,
                                  place_code=hw.world.a.counter.code)
    with pytest.raises(Conflict) as err:
        records.add_item(session, actor=hw.postman_user, handover=again, s10=item.s10)
    assert err.value.code == "item_not_at_counter"


def test_two_records_in_the_same_second_keep_their_order(session: Session, hw: HandoverWorld):
    """Collected at the counter and handed to the agency within one second: the hand-over scan is
    placed after the collection, so tracking applies both and the item ends at the agency."""
    item = dossier_at_counter(session, hw)
    session.add(RouteStopItem(stop_id=hw.agency_stop.id, item_id=item.id, action=StopAction.DELIVERY))
    session.flush()
    at = utcnow().replace(microsecond=0)
    for kind, place, clerk in ((HandoverKind.FROM_COUNTER, hw.world.a.counter.code, hw.counter_clerk_a),
                               (HandoverKind.TO_AGENCY, hw.world.a.agency.code, hw.clerk_a)):
        h = records.open_handover(session, actor=hw.postman_user, kind=kind, place_code=place, now=at)
        records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10, now=at)
        issued = confirmation.issue_code(session, actor=hw.postman_user, handover=h, now=at)
        confirmation.confirm_with_code(session, actor=clerk, handover=h, code=issued.code, fees_handed_vnd=0, now=at)
    assert (item.status, item.holder_kind) == (ItemStatus.HANDED_OVER, HolderKind.AGENCY)
    scans = session.execute(select(ScanEvent).where(ScanEvent.item_id == item.id).order_by(ScanEvent.device_time)).scalars()
    assert [(s.code, s.outcome) for s in scans] == [
        (ScanCode.COLLECTED_FROM_COUNTER, ScanOutcome.APPLIED), (ScanCode.HANDED_OVER, ScanOutcome.APPLIED)]
