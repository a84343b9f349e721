"""Planning a post office's day from the database: routes and stops saved, every item
served or reported with a reason, GeoJSON out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import Session, select

from logistics.exceptions import Conflict
from logistics.models import (
    Agency, Counter, Dossier, Item, Person, PostOffice, Postman, Procedure, Route, RouteStop, RouteStopItem, User,
)
from logistics.models.enums import CounterLevel, ItemStatus, LegKind, PlaceKind, Role, RouteStatus, StopAction
from logistics.routing.day_problem import build_day_problem
from logistics.routing.geojson import day_geojson
from logistics.routing.service import plan_post_office_day

DAY = date(2026, 11, 23)  # a Monday
SATURDAY = date(2026, 11, 28)
WEEKDAYS = {d: [["07:30", "11:30"], ["13:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
OFFICE = (13.776, 109.223)
COUNTER = (13.788, 109.167)
AGENCY = (13.770, 109.230)
HOMES = [(13.80, 109.20), (13.76, 109.19), (13.79, 109.25), (13.75, 109.22)]


def _world(session: Session, *, postmen: int = 2) -> dict:
    office = PostOffice(code="PO-T", name="Bưu cục T", province_code="52", commune_code="21553", address="1 T",
                        lat=OFFICE[0], lon=OFFICE[1], opening_hours={**WEEKDAYS, "sat": [["07:00", "12:00"]]})
    counter = Counter(code="CT-T", name="Một cửa T", level=CounterLevel.COMMUNE, province_code="52",
                      commune_code="21553", address="2 T", lat=COUNTER[0], lon=COUNTER[1], opening_hours=WEEKDAYS)
    agency = Agency(code="000.00.01.H52", name="Sở T", province_code="52", address="3 T", lat=AGENCY[0],
                    lon=AGENCY[1], office_hours=WEEKDAYS)
    procedure = Procedure(code="P-T", name="Thủ tục T", proof_id_check=True)
    session.add_all([office, counter, agency, procedure])
    session.flush()
    staff = []
    for n in range(postmen):
        user = User(username=f"pm{n}", full_name=f"Bưu tá {n}", role=Role.POSTMAN, secret_hash="x",
                    post_office_id=office.id)
        session.add(user)
        session.flush()
        postman = Postman(user_id=user.id, post_office_id=office.id)
        session.add(postman)
        staff.append(postman)
    session.flush()
    return {"office": office, "counter": counter, "agency": agency, "procedure": procedure, "postmen": staff}


def _item(session: Session, w: dict, n: int, leg: LegKind, *, due: date | None = DAY, weight_g: int = 300,
          window: tuple[int, int] | None = None, fee: int = 0) -> Item:
    home = HOMES[n % len(HOMES)]
    person = Person(full_name="Nguyễn Văn A", phone_e164="+84912345678", address="x", commune_code="21553",
                    lat=home[0], lon=home[1])
    session.add(person)
    session.flush()
    dossier = Dossier(code=f"000.00.01.H52-261120-{n:04d}", procedure_id=w["procedure"].id,
                      agency_id=w["agency"].id, applicant_id=person.id, received_at=datetime(2026, 11, 20, 2, tzinfo=UTC))
    session.add(dossier)
    session.flush()
    places = {
        PlaceKind.HOME: (None, home), PlaceKind.COUNTER: (w["counter"].id, COUNTER),
        PlaceKind.AGENCY: (w["agency"].id, AGENCY), PlaceKind.POST_OFFICE: (w["office"].id, OFFICE),
    }
    origin, destination, status = {
        LegKind.HOME_PICKUP: (PlaceKind.HOME, PlaceKind.COUNTER, ItemStatus.CREATED),
        LegKind.COUNTER_TO_AGENCY: (PlaceKind.COUNTER, PlaceKind.AGENCY, ItemStatus.ACCEPTED),
        LegKind.AGENCY_TO_COUNTER: (PlaceKind.AGENCY, PlaceKind.COUNTER, ItemStatus.CREATED),
        LegKind.HOME_DELIVERY: (PlaceKind.POST_OFFICE, PlaceKind.HOME, ItemStatus.ACCEPTED),
    }[leg]
    starts = ends = None
    if window:
        tz_day = DAY
        from zoneinfo import ZoneInfo

        vn = ZoneInfo("Asia/Ho_Chi_Minh")
        starts = datetime.combine(tz_day, time(window[0]), tzinfo=vn)
        ends = datetime.combine(tz_day, time(window[1]), tzinfo=vn)
    item = Item(
        s10=f"RR{n:08d}0VN", dossier_id=dossier.id, post_office_id=w["office"].id, leg=leg, status=status,
        origin_kind=origin, origin_ref_id=places[origin][0], origin_lat=places[origin][1][0],
        origin_lon=places[origin][1][1], destination_kind=destination, destination_ref_id=places[destination][0],
        destination_lat=places[destination][1][0], destination_lon=places[destination][1][1], due_date=due,
        weight_g=weight_g, window_start=starts, window_end=ends, fee_to_collect_vnd=fee,
        person_id=person.id if PlaceKind.HOME in (origin, destination) else None,
    )
    session.add(item)
    session.flush()
    return item


def test_day_plan_serves_every_leg_and_keeps_pairs_in_order(session):
    """Items of every leg are planned; a pickup comes before its delivery on the same route."""
    w = _world(session)
    items = [
        _item(session, w, 1, LegKind.HOME_PICKUP, window=(9, 11)),
        _item(session, w, 2, LegKind.COUNTER_TO_AGENCY),
        _item(session, w, 3, LegKind.AGENCY_TO_COUNTER),
        _item(session, w, 4, LegKind.HOME_DELIVERY, fee=20_000),
        _item(session, w, 5, LegKind.HOME_DELIVERY, window=(14, 16)),
    ]
    summary = plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    assert summary.unserved == ()
    links = session.exec(
        select(RouteStopItem, RouteStop).join(RouteStop, RouteStop.id == RouteStopItem.stop_id)
    ).all()
    seen: dict[int, dict[StopAction, tuple[int, int]]] = {}
    for link, stop in links:
        seen.setdefault(link.item_id, {})[link.action] = (stop.route_id, stop.seq)
    for item in items:
        assert StopAction.DELIVERY in seen[item.id], item.leg
        if item.leg is not LegKind.HOME_DELIVERY:
            pickup, delivery = seen[item.id][StopAction.PICKUP], seen[item.id][StopAction.DELIVERY]
            assert pickup[0] == delivery[0] and pickup[1] < delivery[1]
    window_stop = next(stop for link, stop in links if link.item_id == items[4].id)
    local = window_stop.planned_arrival.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert time(14) <= local.time() <= time(16)
    routes = session.exec(select(Route)).all()
    assert routes and all(r.status is RouteStatus.PLANNED and r.day == DAY for r in routes)


def test_unservable_items_are_reported_with_reasons(session):
    """An item heavier than every bag and one for an agency closed that day come back with reasons."""
    w = _world(session)
    heavy = _item(session, w, 1, LegKind.HOME_DELIVERY, weight_g=500_000)
    _item(session, w, 2, LegKind.HOME_DELIVERY)
    problem, ctx = build_day_problem(session, post_office_id=w["office"].id, day=DAY)
    assert len(problem.jobs) == 2
    summary = plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    assert [(u.s10, u.reason, u.mandatory) for u in summary.unserved] == [(heavy.s10, "too_heavy", True)]
    closed = _item(session, w, 3, LegKind.COUNTER_TO_AGENCY, due=SATURDAY)
    summary = plan_post_office_day(session, post_office_id=w["office"].id, day=SATURDAY, time_limit_s=2)
    assert (closed.s10, "window_unreachable") in {(u.s10, u.reason) for u in summary.unserved}


def test_items_due_later_are_optional_or_wait(session):
    """Items due in a few working days are optional; items due weeks later are left for later days."""
    w = _world(session)
    soon = _item(session, w, 1, LegKind.HOME_DELIVERY, due=date(2026, 11, 25))
    _item(session, w, 2, LegKind.HOME_DELIVERY, due=date(2026, 12, 20))
    problem, ctx = build_day_problem(session, post_office_id=w["office"].id, day=DAY)
    assert [(ctx.items[j.id].id, j.mandatory) for j in problem.jobs] == [(soon.id, False)]
    assert problem.jobs[0].penalty > 0


def test_replanning_replaces_unstarted_routes_and_refuses_started_days(session):
    """Planning twice keeps one set of routes; once a route has started the day is not re-planned."""
    w = _world(session)
    _item(session, w, 1, LegKind.HOME_DELIVERY)
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=1)
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=1)
    routes = session.exec(select(Route)).all()
    assert len(routes) == 1
    routes[0].status = RouteStatus.IN_PROGRESS
    session.flush()
    with pytest.raises(Conflict) as raised:
        plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=1)
    assert raised.value.code == "day_already_started"


def test_geojson_has_a_line_per_route_and_a_point_per_stop(session):
    """The GeoJSON export draws each route from the depot back to it, [lon, lat] ordered."""
    w = _world(session)
    for n in range(3):
        _item(session, w, n, LegKind.HOME_DELIVERY)
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=1)
    collection = day_geojson(session, post_office_id=w["office"].id, day=DAY)
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in collection["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == len(session.exec(select(Route)).all())
    assert lines[0]["geometry"]["coordinates"][0] == [OFFICE[1], OFFICE[0]]
    assert len(points) == len(session.exec(select(RouteStop)).all())
    assert all(p["properties"]["items"] for p in points)


def test_items_the_citizen_will_collect_are_not_planned(session):
    """A delivery whose citizen chose, last, to collect at the post office stays out of the plan;
    one who changed their mind back to a window is planned."""
    from logistics.models import DeliveryReschedule

    w = _world(session)
    held = _item(session, w, 1, LegKind.HOME_DELIVERY)
    changed = _item(session, w, 2, LegKind.HOME_DELIVERY)
    session.add(DeliveryReschedule(item_id=held.id, choice="hold_at_post_office"))
    session.add(DeliveryReschedule(item_id=changed.id, choice="hold_at_post_office",
                                   created_at=datetime(2026, 11, 20, 1, tzinfo=UTC)))
    session.add(DeliveryReschedule(item_id=changed.id, choice="window",
                                   created_at=datetime(2026, 11, 20, 2, tzinfo=UTC)))
    session.flush()
    problem, ctx = build_day_problem(session, post_office_id=w["office"].id, day=DAY)
    assert sorted(i.id for i in ctx.items.values()) == [changed.id]


def test_a_window_booked_on_another_day_keeps_the_item_off_this_day(session):
    """An item whose booked window is on another day is not planned today, however close its deadline;
    on the booked day it is mandatory."""
    w = _world(session)
    other_day = _item(session, w, 1, LegKind.HOME_DELIVERY, due=date(2026, 11, 24), window=(9, 11))
    from zoneinfo import ZoneInfo

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    other_day.window_start = datetime(2026, 11, 24, 9, tzinfo=vn)
    other_day.window_end = datetime(2026, 11, 24, 11, tzinfo=vn)
    session.flush()
    problem, _ = build_day_problem(session, post_office_id=w["office"].id, day=DAY)
    assert problem.jobs == ()
    problem, _ = build_day_problem(session, post_office_id=w["office"].id, day=date(2026, 11, 24))
    assert [j.mandatory for j in problem.jobs] == [True]
