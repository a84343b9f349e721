"""Scan ingestion: state moves, duplicates, late events, flags and refusals."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from logistics import events as domain_events
from logistics.models import AuditLog, ScanEvent
from logistics.models.enums import FailureAction, FailureReason, HolderKind, ItemStatus, ScanCode, ScanOutcome
from logistics.tracking.custody import custody_history, holder_at
from logistics.tracking.scans import ingest_scans
from tests.logistics.tracking.scan_world import NOW, T0, build_scan_world, scan

C = ScanCode


@pytest.fixture()
def sw(session):
    return build_scan_world(session, proof_signature=False)


@pytest.fixture()
def published(monkeypatch):
    seen = []
    monkeypatch.setattr(domain_events, "_handlers", {domain_events.ItemStatusChanged: [lambda s, e: seen.append(e)]})
    monkeypatch.setattr(domain_events, "_loaded", True)
    return seen


def _ingest(session, sw, events, **kw):
    kw.setdefault("now", NOW)
    return ingest_scans(session, actor=sw.postman_user, device_id="phone-a", events=events, **kw)


def test_out_for_delivery_then_delivered_moves_the_state_and_publishes(session, sw, published):
    """Two fitting scans apply in order, each announcing one status change."""
    item = sw.items[0]
    results = _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0), scan(item, C.DELIVERED, T0 + timedelta(hours=1), at_home=item)])
    assert [r.outcome for r in results] == [ScanOutcome.APPLIED, ScanOutcome.APPLIED]
    assert results[1].item_status == ItemStatus.DELIVERED
    assert item.status == ItemStatus.DELIVERED and item.status_at == T0 + timedelta(hours=1)
    assert [(e.previous_status, e.status) for e in published] == [("accepted", "out_for_delivery"), ("out_for_delivery", "delivered")]


def test_duplicate_returns_the_first_outcome(session, sw, published):
    """The same client id sent again is not applied twice and answers the same outcome."""
    item = sw.items[0]
    event = scan(item, C.OUT_FOR_DELIVERY, T0)
    first = _ingest(session, sw, [event])[0]
    again = _ingest(session, sw, [event, event])
    assert [r.duplicate for r in again] == [True, True]
    assert {(r.outcome, r.scan_event_id) for r in again} == {(first.outcome, first.scan_event_id)}
    assert len(session.exec(select(ScanEvent).where(ScanEvent.client_event_id == event.client_event_id)).all()) == 1
    assert len(published) == 1


def test_duplicate_inside_one_batch_is_recorded_once(session, sw):
    """An event repeated within a batch is recorded once; the repeat is marked duplicate."""
    event = scan(sw.items[0], C.OUT_FOR_DELIVERY, T0)
    results = _ingest(session, sw, [event, event])
    assert [r.duplicate for r in results] == [False, True]
    assert results[0].scan_event_id == results[1].scan_event_id


def test_late_event_enters_history_without_moving_the_state_back(session, sw, published):
    """An event older than the current state is kept as history; the status stays."""
    item = sw.items[0]
    _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0 + timedelta(minutes=30)),
                          scan(item, C.DELIVERED, T0 + timedelta(hours=1), at_home=item)])
    published.clear()
    late = _ingest(session, sw, [scan(item, C.OUT_OF_POST_OFFICE, T0)])[0]
    assert late.outcome == ScanOutcome.HISTORY and "late" in late.flags
    assert item.status == ItemStatus.DELIVERED
    assert published == []


def test_out_of_order_batches_give_the_device_time_result(session, sw, published):
    """A delivery that arrives before its out-for-delivery is refused, then applied once the earlier event comes."""
    item = sw.items[0]
    delivered = _ingest(session, sw, [scan(item, C.DELIVERED, T0 + timedelta(hours=1), at_home=item)])[0]
    assert (delivered.outcome, delivered.reject_code) == (ScanOutcome.REJECTED, "transition_not_allowed")
    assert item.status == ItemStatus.ACCEPTED
    late = _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0)])[0]
    assert late.outcome == ScanOutcome.HISTORY
    assert item.status == ItemStatus.DELIVERED
    row = session.get(ScanEvent, delivered.scan_event_id)
    assert (row.outcome, row.reject_code, row.status_after) == (ScanOutcome.APPLIED, None, ItemStatus.DELIVERED)
    assert [e.status for e in published] == ["delivered"]


def test_transition_not_allowed_is_rejected(session, sw):
    """A delivery of an item still at the post office is refused by the state machine."""
    result = _ingest(session, sw, [scan(sw.items[0], C.DELIVERED, T0, at_home=sw.items[0])])[0]
    assert (result.outcome, result.reject_code) == (ScanOutcome.REJECTED, "transition_not_allowed")


def test_a_bad_event_does_not_fail_the_batch(session, sw):
    """Unknown item, foreign item, future time, outside Vietnam, missing failure details: each refused alone."""
    other = sw.world.b.post_office
    from tests.logistics.tracking.scan_world import add_item

    foreign = add_item(session, sw, office=other)
    good = scan(sw.items[0], C.OUT_FOR_DELIVERY, T0)
    results = _ingest(session, sw, [
        scan("EB999999995VN", C.OUT_FOR_DELIVERY, T0),
        scan(foreign, C.OUT_FOR_DELIVERY, T0),
        scan(sw.items[1], C.OUT_FOR_DELIVERY, NOW + timedelta(hours=2)),
        scan(sw.items[1], C.OUT_FOR_DELIVERY, T0, lat=48.85, lon=2.35),
        scan(sw.items[1], C.OUT_FOR_DELIVERY, T0 - timedelta(days=30)),
        scan(sw.items[2], C.DELIVERY_FAILED, T0, failure_reason=FailureReason.NOT_HOME),
        good,
    ])
    assert [r.reject_code for r in results] == [
        "unknown_item", "not_assigned", "timestamp_in_future", "coordinates_outside_vietnam",
        "timestamp_before_item", "failure_details_missing", None,
    ]
    assert results[-1].outcome == ScanOutcome.APPLIED
    audit = session.exec(select(AuditLog).where(AuditLog.action == "tracking.scans_rejected")).one()
    assert audit.detail["rejected"]["unknown_item"] == 1 and "EB999999995VN" not in str(audit.detail)


def test_failed_attempt_records_reason_and_action(session, sw):
    """A failed attempt with a reason and a next action applies and keeps both."""
    item = sw.items[0]
    _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0)])
    result = _ingest(session, sw, [scan(item, C.DELIVERY_FAILED, T0 + timedelta(hours=1), at_home=item,
                                        failure_reason=FailureReason.NOT_HOME,
                                        failure_action=FailureAction.RETRY_NEXT_DAY)])[0]
    assert result.outcome == ScanOutcome.APPLIED and item.status == ItemStatus.DELIVERY_FAILED
    row = session.get(ScanEvent, result.scan_event_id)
    assert (row.failure_reason, row.failure_action) == (FailureReason.NOT_HOME, FailureAction.RETRY_NEXT_DAY)


def test_device_clock_skew_is_flagged(session, sw):
    """A batch sent from a clock 10 minutes off is accepted with every event flagged."""
    results = _ingest(session, sw, [scan(sw.items[0], C.OUT_FOR_DELIVERY, T0)], sent_at=NOW - timedelta(minutes=10))
    assert results[0].outcome == ScanOutcome.APPLIED and "device_clock_skew" in results[0].flags
    stored = session.get(ScanEvent, results[0].scan_event_id)
    assert stored.device_time == T0 and stored.received_at == NOW


def test_delivery_far_from_home_is_accepted_and_flagged(session, sw):
    """A delivery scanned 2 km from the home is applied and flagged outside_geofence."""
    item = sw.items[0]
    _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0)])
    far = _ingest(session, sw, [scan(item, C.DELIVERED, T0 + timedelta(hours=1), lat=item.destination_lat + 0.018,
                                     lon=item.destination_lon, accuracy_m=20.0)])[0]
    assert far.outcome == ScanOutcome.APPLIED and "outside_geofence" in far.flags


def test_poor_accuracy_gives_the_benefit_of_the_doubt(session, sw):
    """A fix 400 m away with 500 m accuracy is not outside the fence, but is flagged poor_accuracy."""
    item = sw.items[0]
    _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0)])
    near = _ingest(session, sw, [scan(item, C.DELIVERED, T0 + timedelta(hours=1), lat=item.destination_lat + 0.0036,
                                      lon=item.destination_lon, accuracy_m=500.0)])[0]
    assert "outside_geofence" not in near.flags and "poor_accuracy" in near.flags


def test_custody_follows_every_applied_scan(session, sw):
    """The holder moves post office -> postman -> recipient, and the history answers for any moment."""
    item = sw.items[0]
    assert item.holder_kind == HolderKind.POST_OFFICE
    _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0)])
    assert (item.holder_kind, item.holder_ref_id) == (HolderKind.POSTMAN, sw.postman.id)
    _ingest(session, sw, [scan(item, C.DELIVERED, T0 + timedelta(hours=1), at_home=item)])
    assert (item.holder_kind, item.holder_ref_id) == (HolderKind.RECIPIENT, item.person_id)
    history = custody_history(session, item_id=item.id)
    assert [h.holder_kind for h in history] == [HolderKind.POST_OFFICE, HolderKind.POSTMAN, HolderKind.RECIPIENT]
    assert holder_at(session, item_id=item.id, at=T0 + timedelta(minutes=30)).holder_kind == HolderKind.POSTMAN


def test_rejected_event_keeps_its_rejection_when_sent_again(session, sw):
    """A refused event sent again answers the same refusal, marked duplicate."""
    event = scan("EB999999995VN", C.OUT_FOR_DELIVERY, T0)
    first = _ingest(session, sw, [event])[0]
    again = _ingest(session, sw, [event])[0]
    assert (again.outcome, again.reject_code, again.duplicate) == (first.outcome, "unknown_item", True)


def test_other_postman_may_not_scan_items_of_this_route(session, sw):
    """A postman of another office gets not_assigned for an item on someone else's route."""
    results = ingest_scans(session, actor=sw.other_postman_user, device_id="phone-b", now=NOW,
                           events=[scan(sw.items[0], C.OUT_FOR_DELIVERY, T0)])
    assert results[0].reject_code == "not_assigned"


def test_same_batch_sent_twice_applies_once(session, sw, published):
    """A whole batch sent again changes nothing and answers duplicates."""
    batch = [scan(item, C.OUT_FOR_DELIVERY, T0 + timedelta(minutes=i)) for i, item in enumerate(sw.items)]
    first = _ingest(session, sw, batch)
    count = len(published)
    second = _ingest(session, sw, batch)
    assert all(r.duplicate for r in second) and [r.outcome for r in second] == [r.outcome for r in first]
    assert len(published) == count == 3
    assert uuid.UUID(str(second[0].client_event_id)) == batch[0].client_event_id


def test_handover_to_an_agency_needs_its_record_and_moves_custody(session, sw):
    """A hand-over scan without its record is refused; with it the agency named on the record holds the item."""
    from logistics.models import Handover
    from logistics.models.enums import HandoverKind, LegKind, PlaceKind
    from tests.logistics.tracking.scan_world import add_item, add_stop

    agency = sw.world.a.agency
    item = add_item(session, sw)
    item.leg, item.destination_kind, item.destination_ref_id = LegKind.COUNTER_TO_AGENCY, PlaceKind.AGENCY, agency.id
    item.destination_lat, item.destination_lon = agency.lat, agency.lon
    session.add(item)
    add_stop(session, sw, item)
    record = Handover(code="BB-0001", kind=HandoverKind.TO_AGENCY, postman_id=sw.postman.id, agency_id=agency.id)
    session.add(record)
    session.flush()
    at_agency = {"lat": agency.lat, "lon": agency.lon}
    results = _ingest(session, sw, [
        scan(item, C.OUT_OF_POST_OFFICE, T0),
        scan(item, C.HANDED_OVER, T0 + timedelta(hours=1), **at_agency),
        scan(item, C.HANDED_OVER, T0 + timedelta(hours=1, minutes=1), handover_id=record.id, **at_agency),
    ])
    assert [r.reject_code for r in results] == [None, "handover_missing", None]
    assert item.status == ItemStatus.HANDED_OVER
    assert (item.holder_kind, item.holder_ref_id) == (HolderKind.AGENCY, agency.id)


def test_dispatcher_scans_items_of_his_office_only(session, sw):
    """Office staff may scan their office's items (no postman named as holder), not another office's."""
    from logistics.models.enums import Role
    from tests.logistics.tracking.scan_world import add_item

    dispatcher = sw.world.a.users[Role.DISPATCHER]
    foreign = add_item(session, sw, office=sw.world.b.post_office)
    results = ingest_scans(session, actor=dispatcher, device_id="office-pc", now=NOW, events=[
        scan(sw.items[0], C.OUT_OF_POST_OFFICE, T0), scan(foreign, C.OUT_OF_POST_OFFICE, T0)])
    assert [r.reject_code for r in results] == [None, "not_assigned"]
    assert (sw.items[0].holder_kind, sw.items[0].holder_ref_id) == (HolderKind.POSTMAN, None)


def test_a_rolled_back_savepoint_forgets_the_folded_state(session, sw):
    """Items are written in bulk, not by the unit of work: a caller's savepoint rolled
    back after the scans (as a refused handover does) still restores them in memory."""
    item = sw.items[0]
    before = (item.status, item.holder_kind, item.last_scan_at)
    nested = session.begin_nested()
    results = _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0), scan(sw.items[1], C.OUT_FOR_DELIVERY, T0)])
    assert results[0].outcome == ScanOutcome.APPLIED and item.status == ItemStatus.OUT_FOR_DELIVERY
    nested.rollback()
    assert (item.status, item.holder_kind, item.last_scan_at) == before


def test_an_unknown_handover_is_refused_with_its_code_and_recorded(session, sw):
    """A hand-over id that names no record is refused as such, and the event is recorded
    (the id is not stored: it would name nothing), not lost to a database refusal."""
    item = sw.items[0]
    results = _ingest(session, sw, [scan(item, C.OUT_FOR_DELIVERY, T0, handover_id=987_654)])
    assert [(r.outcome, r.reject_code) for r in results] == [(ScanOutcome.REJECTED, "unknown_handover")]
    row = session.exec(select(ScanEvent).where(ScanEvent.client_event_id == results[0].client_event_id)).one()
    assert (row.reject_code, row.handover_id) == ("unknown_handover", None)
