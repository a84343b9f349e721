"""The tracking page's state: one query that says whether the link works and what the
page depends on; the same view as the entities give; the ETA read afresh."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.exceptions import NotFound
from logistics.models.enums import ItemStatus, ScanCode
from logistics.models.types import utcnow
from logistics.notify import page_state, public_view
from logistics.tracking import links
from logistics.tracking.scans import ingest_scans
from tests.logistics.notify.notify_factories import add_scan, make_item, make_place
from tests.logistics.tracking.scan_world import T0, build_scan_world, scan


def test_the_view_from_the_state_row_is_the_view_from_the_entities(session):
    place = make_place(session)
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    item = make_item(session, place, status=ItemStatus.ACCEPTED, window=(start, start + timedelta(hours=2)))
    add_scan(session, item, ScanCode.OUT_FOR_DELIVERY, at=T0, status_after=ItemStatus.OUT_FOR_DELIVERY)
    add_scan(session, item, ScanCode.DELIVERY_FAILED, at=T0 + timedelta(hours=1), status_after=ItemStatus.DELIVERY_FAILED)
    token = links.issue_token(session, item_id=item.id)
    now = utcnow()
    state = page_state.read_page_state(session, token, now=now)
    subject = public_view.load_subject(session, token, now=now)
    for language in ("vi", "en"):
        expected = public_view.tracking_view(session, item, language=language, now=now, subject=subject)
        assert page_state.page_view(session, state, language=language, now=now) == expected
    assert state.eta is not None and state.eta == expected.eta  # the booked window


def test_unknown_and_expired_links(session):
    with pytest.raises(NotFound) as unknown:
        page_state.read_page_state(session, "A" * links.TOKEN_LENGTH)
    assert unknown.value.code == "tracking_link_not_found"
    item = make_item(session, make_place(session), status=ItemStatus.DELIVERED)
    item.status_at = utcnow() - timedelta(days=400)
    session.add(item)
    token = links.issue_token(session, item_id=item.id)
    with pytest.raises(NotFound) as expired:
        page_state.read_page_state(session, token)
    assert expired.value.code == "tracking_link_expired"


def test_a_stop_finished_late_moves_the_eta_of_the_next_item(session):
    """Another item's scan changes nothing stored about this one, but its ETA: the key moves."""
    sw = build_scan_world(session, proof_signature=False)
    waiting = sw.items[1]
    token = links.issue_token(session, item_id=waiting.id)
    before = page_state.read_page_state(session, token, now=T0)
    first = sw.items[0]
    done_at = sw.stops[0].planned_arrival + timedelta(seconds=sw.stops[0].service_s, minutes=40)
    ingest_scans(session, actor=sw.postman_user, device_id="p", now=done_at + timedelta(minutes=1), events=[
        scan(first, ScanCode.OUT_FOR_DELIVERY, T0), scan(first, ScanCode.DELIVERED, done_at, at_home=first)])
    after = page_state.read_page_state(session, token, now=T0)
    assert before.eta is not None and after.eta is not None
    assert timedelta(minutes=35) <= after.eta.start - before.eta.start <= timedelta(minutes=45)
    assert after.key != before.key
    on_connection = page_state.read_page_state(session, token, now=T0, connection=session.connection())
    assert on_connection.key == after.key


def test_the_page_shows_the_eta_of_its_state(session):
    """The page of a state shows the window the state keys on, the one the item's view
    computes afresh: an item on a route, and the JSON twin alike."""
    sw = build_scan_world(session, proof_signature=False)
    item = sw.items[2]
    token = links.issue_token(session, item_id=item.id)
    state = page_state.read_page_state(session, token, now=T0)
    assert state.eta is not None
    view = page_state.page_view(session, state, language="vi", now=T0)
    assert view.eta == state.eta == public_view.tracking_view(session, item, language="vi", now=T0).eta
