"""Re-planning a day from the database: done stops untouched, pins kept, postmen from where they are."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from logistics.models import AuditLog, Item, PositionPing, Postman, Route, RouteStop, RouteStopItem
from logistics.models.enums import HolderKind, ItemStatus, LegKind, RouteStatus, StopAction, StopStatus
from logistics.routing.reoptimise import reoptimise_post_office_day
from logistics.routing.service import plan_post_office_day
from tests.logistics.routing.test_routing_service import DAY, HOMES, _item, _world

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime.combine(DAY, time(12), tzinfo=VN)


def _stops(session: Session) -> dict[int, list[tuple[RouteStop, list[tuple[StopAction, int]]]]]:
    """Postman id -> [(stop, [(action, item id)])] by seq."""
    out: dict[int, list] = {}
    for route in session.exec(select(Route).order_by(Route.id)):
        stops = session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)).all()
        out[route.postman_id] = [
            (s, [(li.action, li.item_id) for li in session.exec(select(RouteStopItem).where(RouteStopItem.stop_id == s.id))])
            for s in stops
        ]
    return out


def _postman_of(session: Session, item_id: int, action: StopAction) -> int | None:
    for postman_id, stops in _stops(session).items():
        if any((action, item_id) in lines for _, lines in stops):
            return postman_id
    return None


def _day(session: Session):
    w = _world(session, postmen=2)
    for postman in w["postmen"]:  # four items a bag: the seven items need both postmen
        postman.capacity_items = 4
    items = [_item(session, w, n, LegKind.HOME_DELIVERY) for n in range(6)]
    items.append(_item(session, w, 7, LegKind.HOME_PICKUP))
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    return w, items


def _finish(session: Session, stop: RouteStop, lines, postman: Postman) -> None:
    """The postman served the stop at 09:00: its items delivered (or picked up, now in his bag)."""
    stop.status, stop.completed_at = StopStatus.DONE, datetime.combine(DAY, time(9), tzinfo=VN)
    for action, item_id in lines:
        item = session.get(Item, item_id)
        if action is StopAction.DELIVERY:
            item.status, item.holder_kind, item.holder_ref_id = ItemStatus.DELIVERED, HolderKind.RECIPIENT, None
        else:
            item.status, item.holder_kind, item.holder_ref_id = ItemStatus.ACCEPTED, HolderKind.POSTMAN, postman.id
    route = session.get(Route, stop.route_id)
    route.status = RouteStatus.IN_PROGRESS
    session.flush()


def test_reoptimise_keeps_done_and_pinned_stops_inserts_urgent_items_and_carried_items_stay(session):
    w, items = _day(session)
    a, b = w["postmen"]
    before = _stops(session)
    assert set(before) == {a.id, b.id}
    # A's first stop is done; B's stops are pinned; B's postman now carries an item planned for A.
    done_stop, done_lines = before[a.id][0]
    _finish(session, done_stop, done_lines, a)
    pinned_items = []
    for stop, lines in before.get(b.id, []):
        stop.pinned = True
        pinned_items.append(lines)
    moved = next(item_id for _, lines in before[a.id][1:] for action, item_id in lines
                 if action is StopAction.DELIVERY and session.get(Item, item_id).leg is LegKind.HOME_DELIVERY)
    carried = session.get(Item, moved)
    carried.status, carried.holder_kind, carried.holder_ref_id = ItemStatus.OUT_FOR_DELIVERY, HolderKind.POSTMAN, b.id
    session.add(PositionPing(user_id=b.user_id, lat=HOMES[2][0], lon=HOMES[2][1],
                             device_time=datetime.combine(DAY, time(11, 30), tzinfo=VN)))
    urgent = _item(session, w, 9, LegKind.HOME_PICKUP, window=(14, 16))
    session.flush()
    done_id, done_seq = done_stop.id, done_stop.seq

    summary = reoptimise_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2,
                                         now=NOON, actor_user_id=None)

    assert [u for u in summary.unserved if u.mandatory] == []
    after = _stops(session)
    kept = session.get(RouteStop, done_id)
    assert kept is not None and kept.seq == done_seq and kept.status is StopStatus.DONE
    assert sorted(li.item_id for li in session.exec(select(RouteStopItem).where(RouteStopItem.stop_id == done_id))) \
        == sorted(i for _, i in done_lines)
    assert after[a.id][0][0].id == done_id  # still first, new stops follow it
    # Pinned stops: same postman, same relative order.
    pinned_now = [lines for stop, lines in after.get(b.id, []) if stop.pinned]
    flat = [x for lines in pinned_items for x in lines if x[1] != moved]
    order = [x for _, lines in after[b.id] for x in lines if x in flat]
    assert order == flat and flat and pinned_now
    # The carried item: a delivery only, by the postman who holds it; the urgent pickup is planned.
    assert _postman_of(session, moved, StopAction.DELIVERY) == b.id
    assert _postman_of(session, moved, StopAction.PICKUP) is None
    assert _postman_of(session, urgent.id, StopAction.PICKUP) is not None
    assert _postman_of(session, urgent.id, StopAction.DELIVERY) == _postman_of(session, urgent.id, StopAction.PICKUP)
    # B starts from the ping at noon: nothing of B's new plan is before noon.
    for stop, _ in after[b.id]:
        assert stop.planned_arrival.astimezone(UTC) >= NOON.astimezone(UTC)
    assert session.exec(select(AuditLog).where(AuditLog.action == "reoptimise_day")).first() is not None


def test_pinned_route_is_left_whole_and_planning_again_keeps_it(session):
    w, items = _day(session)
    routes = session.exec(select(Route)).all()
    frozen = routes[0]
    frozen.pinned = True
    session.flush()
    before = [(s.id, s.seq) for s in session.exec(select(RouteStop).where(RouteStop.route_id == frozen.id))]
    urgent = _item(session, w, 9, LegKind.HOME_DELIVERY)
    summary = plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    after = [(s.id, s.seq) for s in session.exec(select(RouteStop).where(RouteStop.route_id == frozen.id))]
    assert sorted(after) == sorted(before)
    assert summary.unserved == ()
    other = _postman_of(session, urgent.id, StopAction.DELIVERY)
    assert other is not None and other != frozen.postman_id
    # Every item planned exactly once for delivery.
    for item in [*items, urgent]:
        deliveries = session.exec(select(RouteStopItem).where(RouteStopItem.item_id == item.id,
                                                              RouteStopItem.action == StopAction.DELIVERY)).all()
        assert len(deliveries) == 1, item.id


def test_pinned_stop_stays_with_its_postman_when_planning_again(session):
    w, _ = _day(session)
    stop = session.exec(select(RouteStop).order_by(RouteStop.id.desc())).first()
    postman_id = session.get(Route, stop.route_id).postman_id
    lines = [(li.action, li.item_id) for li in session.exec(select(RouteStopItem).where(RouteStopItem.stop_id == stop.id))]
    stop.pinned = True
    session.flush()
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    for action, item_id in lines:
        assert _postman_of(session, item_id, action) == postman_id
    pinned = session.exec(select(RouteStop).where(RouteStop.pinned)).all()
    assert pinned and all(session.get(Route, s.route_id).postman_id == postman_id for s in pinned)


def test_reoptimise_after_the_shifts_reports_items_instead_of_failing(session):
    w, items = _day(session)
    evening = datetime.combine(DAY, time(21), tzinfo=VN)
    summary = reoptimise_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=1, now=evening)
    assert {u.item_id for u in summary.unserved} == {i.id for i in items}
    assert {u.reason for u in summary.unserved} == {"window_unreachable"}
