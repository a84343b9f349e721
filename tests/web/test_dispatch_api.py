"""The dispatcher API on SQLite and PostgreSQL: the day's routes and unplanned items,
planning and re-optimising as routing jobs, moving and pinning stops, the live picture,
urgent intake; refusals (a done stop, another office, unknown ids) change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from logistics import jobs
from logistics.models.types import utcnow
from logistics.tracking import live
from logistics.models import AuditLog, Item, PositionPing, Postman, Route, RouteStop, RouteStopItem, ScanEvent, User
from logistics.models.enums import PlaceKind, Role, RouteStatus, ScanCode, ScanOutcome, StopAction, StopStatus
from tests.web.factories import intake_body

DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def _postman(session: Session, world, username: str, side) -> Postman:  # noqa: ANN001
    user = User(username=username, full_name=f"Bưu tá {username}", role=Role.POSTMAN, secret_hash="x",
                        post_office_id=side.post_office.id)
    session.add(user)
    session.flush()
    postman = Postman(user_id=user.id, post_office_id=side.post_office.id)
    session.add(postman)
    session.flush()
    return postman


def _stop(session, route, seq, kind, lat, lon, links, status=StopStatus.PENDING):  # noqa: ANN001
    stop = RouteStop(route_id=route.id, seq=seq, place_kind=kind, lat=lat, lon=lon, service_s=240, status=status,
                     planned_arrival=AT, arrive_from=AT, arrive_to=AT)
    session.add(stop)
    session.flush()
    for item, action in links:
        session.add(RouteStopItem(stop_id=stop.id, item_id=item.id, action=action))
    session.flush()
    return stop


@pytest.fixture()
def day(client, world, session):
    """Office A's day: postman 1 picks up two dossiers at homes and takes them to the
    counter; postman 2 carries a third from the counter to the agency; a fourth dossier
    is on no route. Office B has a postman of its own."""
    items = {}
    for n in range(1, 5):
        response = client.post("/api/v1/dossiers", json=intake_body(sequence=n), headers=world.headers(world.admin))
        assert response.status_code == 201, response.text
        for row in session.exec(select(Item).where(Item.s10.in_([i["s10"] for i in response.json()["items"]]))):
            items[(n, row.leg.value)] = row
    assert all(item.post_office_id == world.a.post_office.id for item in items.values())
    pm1 = _postman(session, world, "pm_a1", world.a)
    pm2 = _postman(session, world, "pm_a2", world.a)
    pm_b = _postman(session, world, "pm_b1", world.b)
    r1 = Route(post_office_id=world.a.post_office.id, postman_id=pm1.id, day=DAY, status=RouteStatus.PLANNED,
               distance_m=5000)
    r2 = Route(post_office_id=world.a.post_office.id, postman_id=pm2.id, day=DAY, status=RouteStatus.PLANNED,
               distance_m=3000)
    session.add_all([r1, r2])
    session.flush()
    p1, p2, c3 = items[(1, "home_pickup")], items[(2, "home_pickup")], items[(3, "counter_to_agency")]
    c = world.a.counter
    stops = {
        "home1": _stop(session, r1, 0, PlaceKind.HOME, p1.origin_lat, p1.origin_lon, [(p1, StopAction.PICKUP)]),
        "home2": _stop(session, r1, 1, PlaceKind.HOME, p2.origin_lat + 0.01, p2.origin_lon, [(p2, StopAction.PICKUP)]),
        "counter": _stop(session, r1, 2, PlaceKind.COUNTER, c.lat, c.lon,
                         [(p1, StopAction.DELIVERY), (p2, StopAction.DELIVERY)]),
        "counter2": _stop(session, r2, 0, PlaceKind.COUNTER, c.lat, c.lon, [(c3, StopAction.PICKUP)]),
        "agency": _stop(session, r2, 1, PlaceKind.AGENCY, world.a.agency.lat, world.a.agency.lon,
                        [(c3, StopAction.DELIVERY)]),
    }
    return {"items": items, "routes": (r1, r2), "postmen": (pm1, pm2, pm_b), "stops": stops}


@pytest.fixture()
def sent(monkeypatch) -> list:
    """The jobs handed to the broker after commit (the browser test runs them on a real worker)."""
    out: list = []
    monkeypatch.setattr(jobs, "send_now", out.append)
    return out


def _layout(session: Session) -> list[tuple]:
    rows = session.exec(select(RouteStop.id, RouteStop.route_id, RouteStop.seq, RouteStop.pinned, RouteStop.status)
                        .order_by(RouteStop.id)).all()
    links = session.exec(select(RouteStopItem.id, RouteStopItem.stop_id).order_by(RouteStopItem.id)).all()
    audits = session.exec(select(func.count()).select_from(AuditLog)).one()
    return [*map(tuple, rows), *map(tuple, links), ("audit", audits)]


def _dispatcher(world, side="a"):  # noqa: ANN001
    return world.headers(getattr(world, side).users[Role.DISPATCHER])


def _path(world, suffix, side="a"):  # noqa: ANN001
    return f"/api/v1/dispatch/offices/{getattr(world, side).post_office.id}/days/{DAY.isoformat()}{suffix}"


def test_offices_are_the_dispatchers_own(client, world):
    mine = client.get("/api/v1/dispatch/offices", headers=_dispatcher(world)).json()
    assert [o["code"] for o in mine] == ["PO-A"]
    every = client.get("/api/v1/dispatch/offices", headers=world.headers(world.admin)).json()
    assert [o["code"] for o in every] == ["PO-A", "PO-B"]
    refused = client.get("/api/v1/dispatch/offices", headers=world.headers(world.a.users[Role.POSTMAN]))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_routes_as_geojson_with_load_distance_and_windows(client, world, day):
    body = client.get(_path(world, "/routes"), headers=_dispatcher(world)).json()
    routes = [f for f in body["geojson"]["features"] if f["properties"]["kind"] == "route"]
    stops = [f for f in body["geojson"]["features"] if f["properties"]["kind"] == "stop"]
    assert len(routes) == 2 and len(stops) == 5
    first = routes[0]["properties"]
    assert first["distance_m"] == 5000 and first["load_items"] == 2 and first["stops"] == 3
    assert first["load_g"] == sum(day["items"][(n, "home_pickup")].weight_g for n in (1, 2))
    assert {s["properties"]["stop_id"] for s in stops} == {s.id for s in day["stops"].values()}
    assert stops[0]["properties"]["arrive_from"] and stops[0]["properties"]["planned_arrival"]
    assert [p["username"] for p in body["postmen"]] == ["pm_a1", "pm_a2"]


def test_unplanned_items_are_the_days_items_on_no_route(client, world, day):
    body = client.get(_path(world, "/unplanned"), headers=_dispatcher(world)).json()
    planned = {day["items"][k].s10 for k in [(1, "home_pickup"), (2, "home_pickup"), (3, "counter_to_agency")]}
    listed = {i["s10"] for i in body}
    assert day["items"][(4, "home_pickup")].s10 in listed and not listed & planned
    pickup = next(i for i in body if i["s10"] == day["items"][(4, "home_pickup")].s10)
    assert pickup["mandatory"] and pickup["at_risk"] and pickup["origin"]["kind"] == "home"


def test_move_a_stop_takes_its_items_other_visits_along(client, world, day, session):
    """Moving home 1 to postman 2 splits the counter stop: item 1's delivery goes with it."""
    home1, counter = day["stops"]["home1"], day["stops"]["counter"]
    r1, r2 = day["routes"]
    pm2 = day["postmen"][1]
    response = client.post(f"/api/v1/dispatch/stops/{home1.id}/move", json={"to_postman_id": pm2.id},
                           headers=_dispatcher(world))
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["from_route_id"] == r1.id and out["to_route_id"] == r2.id and len(out["moved_stop_ids"]) == 2
    session.expire_all()
    on_r1 = session.exec(select(RouteStop).where(RouteStop.route_id == r1.id).order_by(RouteStop.seq)).all()
    on_r2 = session.exec(select(RouteStop).where(RouteStop.route_id == r2.id).order_by(RouteStop.seq)).all()
    assert [s.seq for s in on_r1] == [0, 1] and [s.id for s in on_r1] == [day["stops"]["home2"].id, counter.id]
    assert [s.seq for s in on_r2] == [0, 1, 2, 3]
    assert on_r2[2].id == home1.id and on_r2[2].pinned and on_r2[3].place_kind is PlaceKind.COUNTER
    item1 = day["items"][(1, "home_pickup")]
    assert session.exec(select(RouteStopItem.item_id).where(RouteStopItem.stop_id == counter.id)).all() == [
        day["items"][(2, "home_pickup")].id]
    assert session.exec(select(RouteStopItem.item_id).where(RouteStopItem.stop_id == on_r2[3].id)).all() == [item1.id]
    assert on_r2[2].planned_arrival > on_r2[1].planned_arrival  # estimated after the route's last stop
    assert session.get(Route, r1.id).distance_m != 5000
    audit = session.exec(select(AuditLog).where(AuditLog.action == "route.stop_moved")).one()
    assert audit.detail["to_postman_id"] == pm2.id and audit.detail["item_ids"] == [item1.id]


def test_move_to_a_postman_without_a_route_creates_it(client, world, day, session):
    pm3 = _postman(session, world, "pm_a3", world.a)
    stop = day["stops"]["counter2"]
    response = client.post(f"/api/v1/dispatch/stops/{stop.id}/move", json={"to_postman_id": pm3.id, "pin": False},
                           headers=_dispatcher(world))
    assert response.status_code == 200, response.text
    route = session.get(Route, response.json()["to_route_id"])
    assert route.postman_id == pm3.id and route.day == DAY
    assert len(response.json()["moved_stop_ids"]) == 2  # the agency delivery follows the pickup


@pytest.mark.parametrize(("case", "status", "code"), [
    ("done_stop", 409, "stop_done"),
    ("arrived_stop", 409, "stop_in_progress"),
    ("partner_done", 409, "partner_stop_done"),
    ("other_office_dispatcher", 404, "stop_not_found"),
    ("unknown_stop", 404, "stop_not_found"),
    ("unknown_postman", 404, "postman_not_found"),
    ("postman_of_other_office", 404, "postman_not_found"),
    ("same_postman", 422, "same_postman"),
    ("bad_body", 422, None),
])
def test_refused_moves_change_nothing(client, world, day, session, case, status, code):
    stops, (pm1, pm2, pm_b) = day["stops"], day["postmen"]
    stop_id, to, headers = stops["home2"].id, pm2.id, _dispatcher(world)
    body: dict = {}
    if case == "done_stop":
        stops["home2"].status = StopStatus.DONE
    elif case == "arrived_stop":
        stops["home2"].status = StopStatus.ARRIVED
    elif case == "partner_done":
        stops["home1"].status = StopStatus.DONE
        stop_id = stops["counter"].id
    elif case == "other_office_dispatcher":
        headers = _dispatcher(world, "b")
    elif case == "unknown_stop":
        stop_id = 999_999
    elif case == "unknown_postman":
        to = 999_999
    elif case == "postman_of_other_office":
        to = pm_b.id
    elif case == "same_postman":
        to = pm1.id
    elif case == "bad_body":
        body = {"to_postman_id": "x", "surprise": 1}
    session.flush()
    before = _layout(session)
    response = client.post(f"/api/v1/dispatch/stops/{stop_id}/move", json=body or {"to_postman_id": to},
                           headers=headers)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"] == code and response.json()["detail"]
    session.expire_all()
    assert _layout(session) == before


def test_pin_a_stop_and_a_route(client, world, day, session):
    stop, (r1, _) = day["stops"]["home2"], day["routes"]
    headers = _dispatcher(world)
    assert client.post(f"/api/v1/dispatch/stops/{stop.id}/pin", json={"pinned": True}, headers=headers).json() == {
        "id": stop.id, "pinned": True}
    assert client.post(f"/api/v1/dispatch/routes/{r1.id}/pin", json={}, headers=headers).json()["pinned"] is True
    session.expire_all()
    assert session.get(RouteStop, stop.id).pinned and session.get(Route, r1.id).pinned
    actions = session.exec(select(AuditLog.action).where(AuditLog.action.like("route.%"))).all()
    assert sorted(actions) == ["route.pinned", "route.stop_pinned"]
    unpinned = client.post(f"/api/v1/dispatch/routes/{r1.id}/pin", json={"pinned": False}, headers=headers)
    assert unpinned.json()["pinned"] is False


@pytest.mark.parametrize(("target", "status", "code"), [
    ("done_stop", 409, "stop_done"), ("other_office_stop", 404, "stop_not_found"),
    ("unknown_route", 404, "route_not_found"), ("other_office_route", 404, "route_not_found"),
])
def test_refused_pins_change_nothing(client, world, day, session, target, status, code):
    stops, (r1, _) = day["stops"], day["routes"]
    stops["home1"].status = StopStatus.DONE
    session.flush()
    path, headers = {
        "done_stop": (f"/api/v1/dispatch/stops/{stops['home1'].id}/pin", _dispatcher(world)),
        "other_office_stop": (f"/api/v1/dispatch/stops/{stops['home2'].id}/pin", _dispatcher(world, "b")),
        "unknown_route": ("/api/v1/dispatch/routes/999999/pin", _dispatcher(world)),
        "other_office_route": (f"/api/v1/dispatch/routes/{r1.id}/pin", _dispatcher(world, "b")),
    }[target]
    before = _layout(session)
    response = client.post(path, json={"pinned": True}, headers=headers)
    assert response.status_code == status and response.json()["error"] == code
    session.expire_all()
    assert _layout(session) == before and not session.get(Route, r1.id).pinned


def test_plan_and_reoptimise_are_routing_jobs(client, world, day, session, sent):
    headers = _dispatcher(world)
    planned = client.post(_path(world, "/plan"), json={"time_limit_s": 5}, headers=headers)
    assert planned.status_code == 202, planned.text
    again = client.post(_path(world, "/reoptimise"), json={"time_limit_s": 7}, headers=headers)
    assert again.status_code == 202
    session.commit()  # the outer transaction: jobs go to the broker only after it
    office, actor = world.a.post_office.id, world.a.users[Role.DISPATCHER].id
    assert [(j.name, j.kwargs) for j in sent] == [
        ("routing.plan_day", {"post_office_id": office, "day": "2026-11-20", "time_limit_s": 5.0, "actor_user_id": actor}),
        ("routing.reoptimise_day", {"post_office_id": office, "day": "2026-11-20", "time_limit_s": 7.0,
                                    "actor_user_id": actor}),
    ]
    assert planned.json()["task_id"] == sent[0].task_id
    status = client.get(f"/api/v1/dispatch/offices/{office}/jobs/{sent[0].task_id}", headers=headers)
    assert status.status_code == 200 and status.json()["state"] == "PENDING" and status.json()["progress"] == 0
    other = client.get(f"/api/v1/dispatch/offices/{office}/jobs/{uuid.uuid4()}", headers=headers)
    assert other.status_code == 404 and other.json()["error"] == "job_not_found"
    theirs = client.get(f"/api/v1/dispatch/offices/{office}/jobs/{sent[0].task_id}", headers=_dispatcher(world, "b"))
    assert theirs.status_code == 403 and theirs.json()["error"] == "other_post_office"


@pytest.mark.parametrize(("case", "status", "code"), [
    ("other_office", 403, "other_post_office"), ("started_day", 409, "day_already_started"),
    ("reoptimise_without_plan", 409, "no_plan"), ("time_limit_too_long", 422, None), ("unknown_office", 404, None),
])
def test_refused_planning_sends_nothing(client, world, day, session, sent, case, status, code):
    path, headers = _path(world, "/plan"), _dispatcher(world)
    body = {"time_limit_s": 5}
    if case == "other_office":
        headers = _dispatcher(world, "b")
    elif case == "started_day":
        day["routes"][0].status = RouteStatus.IN_PROGRESS
        session.flush()
    elif case == "reoptimise_without_plan":
        path = _path(world, "/reoptimise", side="b")
        headers = _dispatcher(world, "b")
    elif case == "time_limit_too_long":
        body = {"time_limit_s": 3600}
    elif case == "unknown_office":
        path, headers = "/api/v1/dispatch/offices/999999/days/2026-11-20/plan", world.headers(world.admin)
    response = client.post(path, json=body, headers=headers)
    session.commit()  # what a refused request queued would be sent now
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"] == code
    assert sent == [] and jobs.pending(session) == []


def test_live_positions_progress_and_exceptions(client, world, day, session):
    pm1 = day["postmen"][0]
    session.add(PositionPing(user_id=pm1.user_id, lat=13.79, lon=109.17, device_time=AT))
    session.add(PositionPing(user_id=pm1.user_id, lat=13.80, lon=109.18, device_time=AT.replace(hour=4)))
    item = day["items"][(1, "home_pickup")]
    session.add(ScanEvent(client_event_id=uuid.uuid4(), code=ScanCode.PICKED_UP_AT_HOME, item_id=item.id, s10=item.s10,
                          actor_user_id=pm1.user_id, device_time=AT, outcome=ScanOutcome.APPLIED, proof={},
                          flags=["outside_geofence"], lat=13.9, lon=109.3))
    session.add(ScanEvent(client_event_id=uuid.uuid4(), code=ScanCode.DELIVERY_FAILED, item_id=item.id, s10=item.s10,
                          actor_user_id=pm1.user_id, device_time=AT, outcome=ScanOutcome.APPLIED, proof={},
                          failure_reason="not_home"))
    day["stops"]["home1"].status = StopStatus.DONE
    session.flush()
    body = client.get(_path(world, "/live"), headers=_dispatcher(world)).json()
    assert body["positions"] == [{"postman_id": pm1.id, "username": "pm_a1", "lat": 13.80, "lon": 109.18,
                                  "accuracy_m": None, "at": "2026-11-20T04:00:00Z"}]
    statuses = {s["stop_id"]: s["status"] for s in body["stops"]}
    assert statuses[day["stops"]["home1"].id] == "done" and len(statuses) == 5
    assert {(e["kind"], e["detail"]) for e in body["exceptions"]} >= {
        ("geofence", "outside_geofence"), ("failed_attempt", "not_home")}
    assert body["routes"][0]["done"] == 1
    # Item 2's stop is still to come, long after the 08:00-10:00 window booked for it.
    late = [e for e in body["exceptions"] if e["kind"] == "deadline_at_risk"]
    assert ("after_booked_window", day["stops"]["home2"].id) in {(e["detail"], e["stop_id"]) for e in late}
    assert day["items"][(1, "home_pickup")].s10 not in {e["s10"] for e in late if e["stop_id"] == day["stops"]["home1"].id}
    refused = client.get(_path(world, "/live"), headers=_dispatcher(world, "b"))
    assert refused.status_code == 403 and refused.json()["error"] == "other_post_office"


def test_urgent_item_mid_day_through_the_intake_service(client, world, day, session):
    urgent = intake_body(sequence=77)
    response = client.post(_path(world, "/urgent"), json=urgent, headers=_dispatcher(world))
    assert response.status_code == 201, response.text
    codes = {i["s10"] for i in response.json()["items"]}
    listed = {i["s10"] for i in client.get(_path(world, "/unplanned"), headers=_dispatcher(world)).json()}
    assert codes & listed
    before = session.exec(select(func.count()).select_from(Item)).one()
    other = intake_body(sequence=78)
    refused = client.post(_path(world, "/urgent", side="b"), json=other, headers=_dispatcher(world, "b"))
    assert refused.status_code == 422 and refused.json()["error"] == "not_for_this_office"
    assert session.exec(select(func.count()).select_from(Item)).one() == before


def test_live_at_risk_skips_a_stop_moved_to_a_route_not_read(world, day, session):
    """The live view reads its routes, then their stops' ETAs, then the items at risk, each
    statement on what is committed when it runs: a stop moved meanwhile to a route made since
    must not fail the view (it did, with a KeyError: a 500 in the browser test)."""
    r1, r2 = day["routes"]
    due = day["items"][(3, "counter_to_agency")]  # on r2's stops
    due.due_date, due.window_end = DAY, None
    session.flush()
    progress = live.stop_progress(session, [r1, r2], now=utcnow())
    assert any(p["route_id"] == r2.id and p["eta_to"] is not None for p in progress)
    at_risk = live._at_risk(session, [r1], progress, DAY)  # r2 not read: as if made after the routes' read
    assert all(e.stop_id not in {day["stops"]["counter2"].id, day["stops"]["agency"].id} for e in at_risk)
