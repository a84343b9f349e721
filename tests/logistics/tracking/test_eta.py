"""ETA windows follow the plan, then the progress the scans report."""

from __future__ import annotations

from datetime import timedelta

from logistics.models.enums import ScanCode, StopStatus
from logistics.tracking.eta import eta_window, route_etas
from logistics.tracking.scans import ingest_scans
from tests.logistics.tracking.scan_world import T0, build_scan_world, scan


def test_before_the_round_windows_follow_the_plan(session):
    """With no scan yet, each stop's window surrounds its planned arrival, wider further out."""
    sw = build_scan_world(session, proof_signature=False)
    etas = route_etas(session, route_id=sw.route.id, now=T0 - timedelta(hours=1))
    assert [e.seq for e in etas] == [0, 1, 2]
    for eta, stop in zip(etas, sw.stops):
        assert eta.start <= stop.planned_arrival <= eta.end
    widths = [e.end - e.start for e in etas]
    assert widths[0] <= widths[-1]


def test_a_late_stop_shifts_the_remaining_windows(session):
    """Finishing stop 0 forty minutes late moves the next windows forty minutes later."""
    sw = build_scan_world(session, proof_signature=False)
    before = dict((e.stop_id, e) for e in route_etas(session, route_id=sw.route.id, now=T0))
    item = sw.items[0]
    planned_leave = sw.stops[0].planned_arrival + timedelta(seconds=sw.stops[0].service_s)
    done_at = planned_leave + timedelta(minutes=40)
    ingest_scans(session, actor=sw.postman_user, device_id="p", now=done_at + timedelta(minutes=1), events=[
        scan(item, ScanCode.OUT_FOR_DELIVERY, T0), scan(item, ScanCode.DELIVERED, done_at, at_home=item)])
    assert sw.stops[0].status == StopStatus.DONE and sw.stops[0].completed_at == done_at
    after = {e.stop_id: e for e in route_etas(session, route_id=sw.route.id, now=done_at)}
    assert sw.stops[0].id not in after
    shift = after[sw.stops[1].id].start - before[sw.stops[1].id].start
    assert timedelta(minutes=35) <= shift <= timedelta(minutes=45)


def test_eta_window_of_an_item_and_none_once_delivered(session):
    """An item waiting on the route has a window; a delivered one has none."""
    sw = build_scan_world(session, proof_signature=False)
    item = sw.items[1]
    start, end = eta_window(session, item_id=item.id, now=T0)
    assert start < sw.stops[1].planned_arrival < end
    ingest_scans(session, actor=sw.postman_user, device_id="p", now=T0 + timedelta(hours=2), events=[
        scan(item, ScanCode.OUT_FOR_DELIVERY, T0), scan(item, ScanCode.DELIVERED, T0 + timedelta(hours=1), at_home=item)])
    assert eta_window(session, item_id=item.id, now=T0) is None


def test_one_items_window_is_its_stops_window_on_the_whole_route(session):
    """The SMS reads only the stops up to the item's own: the same window as the whole
    route's computation gives, before and after a late stop, for every stop and together."""
    from logistics.tracking.eta import eta_windows, forget_windows

    sw = build_scan_world(session, n_items=6, proof_signature=False)
    moments = [T0]
    done_at = sw.stops[1].planned_arrival + timedelta(minutes=50)
    for item in sw.items[:2]:  # stops 0 and 1 done, the second late
        ingest_scans(session, actor=sw.postman_user, device_id="p", now=done_at + timedelta(minutes=1), events=[
            scan(item, ScanCode.OUT_FOR_DELIVERY, T0), scan(item, ScanCode.DELIVERED, done_at, at_home=item)])
    moments.append(done_at)
    for now in moments:
        forget_windows(session)
        whole = {e.stop_id: (e.start, e.end) for e in route_etas(session, route_id=sw.route.id, now=now)}
        stop_of = {item.id: stop.id for item, stop in zip(sw.items, sw.stops)}
        expected = {item_id: whole[stop_id] for item_id, stop_id in stop_of.items() if stop_id in whole}
        assert len(expected) >= 4
        for item in sw.items:
            forget_windows(session)
            assert eta_windows(session, [item], now=now).get(item.id) == expected.get(item.id), (now, item.id)
        forget_windows(session)
        assert eta_windows(session, sw.items, now=now) == expected


def test_a_stop_finished_out_of_order_gives_the_same_windows_as_the_whole_route(session):
    """Stop 3 finished before stops 1 and 2: the SMS read (from the last finished stop
    on) agrees with the whole route's computation, which skips the stops left behind."""
    from logistics.tracking.eta import eta_windows, forget_windows

    sw = build_scan_world(session, n_items=6, proof_signature=False)
    done_at = sw.stops[3].planned_arrival + timedelta(minutes=20)
    for item in (sw.items[0], sw.items[3]):
        ingest_scans(session, actor=sw.postman_user, device_id="p", now=done_at + timedelta(minutes=1), events=[
            scan(item, ScanCode.OUT_FOR_DELIVERY, T0), scan(item, ScanCode.DELIVERED, done_at, at_home=item)])
    forget_windows(session)
    whole = {e.stop_id: (e.start, e.end) for e in route_etas(session, route_id=sw.route.id, now=done_at)}
    expected = {item.id: whole[stop.id] for item, stop in zip(sw.items, sw.stops) if stop.id in whole}
    assert set(expected) == {sw.items[4].id, sw.items[5].id}
    for item in sw.items:
        forget_windows(session)
        assert eta_windows(session, [item], now=done_at).get(item.id) == expected.get(item.id), item.id


def test_one_items_window_in_one_query_is_the_batchs_and_the_whole_routes(session):
    """One item's window (the page's read: its stop, the last finished one and the stops
    ridden through, in one statement) is the window a batch and the whole route give, with
    a stop done late, a stop without a planned arrival, a stop the postman stands at, and
    an item still waiting on an older route too (the newest route's stop counts)."""
    from logistics.models import Route
    from logistics.models.enums import RouteStatus
    from logistics.tracking.eta import eta_windows, forget_windows
    from tests.logistics.tracking.scan_world import add_stop

    sw = build_scan_world(session, n_items=6, proof_signature=False)
    stops = list(sw.stops)
    for k, stop in enumerate(stops):  # ~3.3 km apart: the distance left widens the windows by minutes
        stop.lat, stop.lon = 13.70 + 0.03 * k, 109.20 + 0.01 * (k % 2)
        session.add(stop)
    session.flush()
    done_at = stops[0].planned_arrival + timedelta(minutes=25)
    first = sw.items[0]
    ingest_scans(session, actor=sw.postman_user, device_id="p", now=done_at + timedelta(minutes=1), events=[
        scan(first, ScanCode.OUT_FOR_DELIVERY, T0), scan(first, ScanCode.DELIVERED, done_at, at_home=first)])
    stops[2].planned_arrival = stops[2].arrive_from = stops[2].arrive_to = None
    stops[3].arrived_at, stops[3].status = done_at + timedelta(minutes=30), StopStatus.ARRIVED
    older = Route(day=sw.day - timedelta(days=1), post_office_id=sw.route.post_office_id, postman_id=sw.postman.id,
                  status=RouteStatus.IN_PROGRESS)
    session.add_all([stops[2], stops[3], older])
    session.flush()
    add_stop(session, sw, sw.items[4], route=older, planned=sw.t0 - timedelta(days=1), seq=0)
    now = done_at + timedelta(minutes=40)
    forget_windows(session)
    whole = {e.stop_id: (e.start, e.end) for e in route_etas(session, route_id=sw.route.id, now=now)}
    expected = {item.id: whole[stop.id] for item, stop in zip(sw.items, stops) if stop.id in whole}
    assert set(expected) == {sw.items[k].id for k in (1, 3, 4, 5)}
    forget_windows(session)
    assert eta_windows(session, sw.items, now=now) == expected
    for item in sw.items:
        forget_windows(session)
        assert eta_windows(session, [item], now=now).get(item.id) == expected.get(item.id), item.id
