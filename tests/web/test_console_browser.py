"""The dispatcher console in Debian's Chromium (Playwright, PLATFORM.md §4) against a
seeded province served by uvicorn, with a real Celery worker on the embedded broker and
SQLite (what ``make run`` starts): sign in, plan the day and see one route line per
postman, move and pin a stop and re-plan, and watch a scan posted through the mobile
API appear without reloading. No tiles (the tile server is unreachable): the rest works.

Screenshots go to ``test-artifacts/console/<database>/``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.demo import DEMO_SECRET, seed_province
from logistics.models import (
    Agency, Counter, Item, PostOffice, Postman, Procedure, Route, RouteStop, RouteStopItem, User,
)
from logistics.models.enums import PlaceKind, StopAction, StopStatus
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ
from support.browser import chromium, serving
from support.workers import running_worker
from web.app import create_app

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PROVINCE = "Lai Châu"  # a small province: five post offices


class Served:
    def __init__(self, url: str, base: str, engine, office: PostOffice, dispatcher: str, log: Path) -> None:  # noqa: ANN001
        self.url, self.base, self.engine, self.office, self.dispatcher, self.log = url, base, engine, office, dispatcher, log
        self.day = datetime.now(LOCAL_TZ).date()
        self.artifacts = ARTIFACTS / url.split(":", 1)[0]

    def shot(self, page, name: str) -> None:  # noqa: ANN001
        self.artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.artifacts / name))

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.redis)])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(database URL, broker, result backend): SQLite with the embedded broker, as `make run`
    starts; PostgreSQL with Redis, as production runs."""
    from logistics.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'console.db'}"
        upgrade(url)
        yield url, "embedded", ""
        return
    import redis

    from support.servers import fresh_database, redis_server

    with fresh_database(request.getfixturevalue("pg_server_url")) as url, redis_server() as broker:
        redis.Redis.from_url(broker).flushdb()
        upgrade(url)
        yield url, broker, broker


@pytest.fixture()
def served(stack: tuple[str, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """A seeded province for today, the app under uvicorn and a worker, on one database."""

    url, broker, backend = stack
    var = tmp_path / "var"
    engine = make_engine(url)
    day = datetime.now(LOCAL_TZ).date()
    with Session(engine) as session:
        seed_province(session, province=PROVINCE, seed=11, day=day, volume=150)
        session.commit()
        # The office with the most items today, and its dispatcher (dp-<office code>).
        office = session.exec(
            select(PostOffice).join(Item, Item.post_office_id == PostOffice.id).group_by(PostOffice.id)
            .order_by(func.count(Item.id).desc(), PostOffice.id)
        ).first()
        dispatcher = f"dp-{office.code.lower()}"
        assert session.exec(select(User).where(User.username == dispatcher)).one()
    settings = Settings(var_dir=var, database_url=url, jobs_broker_url=broker, jobs_result_backend=backend,
                        console_tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    monkeypatch.setattr(worker, "celery_app", worker.create_celery(settings))  # the app's broker and results
    env = {"DATABASE_URL": url, "JOBS_BROKER_URL": broker, "JOBS_RESULT_BACKEND": backend, "VAR_DIR": str(var)}
    log = tmp_path / "worker.log"
    with running_worker(env, log), serving(create_app(settings)) as base:
        yield Served(url, base, engine, office, dispatcher, log)
    engine.dispose()


@pytest.fixture()
def browser_page(served: Served):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})  # a laptop
        page.add_init_script("window.CONSOLE_POLL_MS = 1000;")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        assert errors == [], errors


def _routes(served: Served) -> list[Route]:
    with served.session() as session:
        return list(session.exec(select(Route).where(Route.post_office_id == served.office.id,
                                                     Route.day == served.day).order_by(Route.id)))


def _wait_job(page, served: Served) -> None:  # noqa: ANN001
    try:
        page.wait_for_function("window.consoleState.lastJob && ['SUCCESS', 'FAILURE'].includes("
                               "window.consoleState.lastJob.state)", timeout=120_000)
    except Exception:
        print(served.log.read_text()[-4000:])
        raise
    assert page.evaluate("window.consoleState.lastJob.state") == "SUCCESS", page.evaluate("window.consoleState.lastJob")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)


def _sign_in_and_plan(page, served: Served) -> list[Route]:  # noqa: ANN001
    page.goto(f"{served.base}/console")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("input[name=username]", served.dispatcher)
    page.fill("input[name=password]", DEMO_SECRET)
    page.click("#login-form button")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    assert page.locator("#office option").count() == 1  # a dispatcher runs their own office only
    page.fill("#day", served.day.isoformat())  # today, for the scans' sake, even on a day off
    page.evaluate("window.consoleState.ready = false")
    page.click("#load")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    unplanned = int(page.locator("#unplanned-count").inner_text())
    assert unplanned > 0 and page.locator("path.unplanned-item").count() > 0
    served.shot(page, "1-unplanned.png")
    page.fill("#time-limit", "4")
    page.evaluate("window.consoleState.ready = false; window.consoleState.lastJob = null")
    page.click("#plan")
    _wait_job(page, served)
    routes = _routes(served)
    assert routes, "the seeded day has routes"
    assert page.locator("path.route-line").count() == len(routes) == len({r.postman_id for r in routes})
    assert page.locator("#postmen .swatch").count() >= len(routes)
    assert int(page.locator("#unplanned-count").inner_text()) < unplanned
    served.shot(page, "2-planned.png")
    return routes


def _movable_stop(served: Served, route: Route) -> RouteStop:
    with served.session() as session:
        return session.exec(select(RouteStop).where(RouteStop.route_id == route.id, RouteStop.place_kind == PlaceKind.HOME,
                                                    RouteStop.status == StopStatus.PENDING).order_by(RouteStop.seq)).first()


def test_plan_move_pin_and_replan_in_the_browser(browser_page, served):
    page = browser_page
    routes = _sign_in_and_plan(page, served)
    source = routes[0]
    stop = _movable_stop(served, source)
    with served.session() as session:
        target = session.exec(select(Postman).where(Postman.post_office_id == served.office.id, Postman.active,
                                                    Postman.id != source.postman_id).order_by(Postman.id)).first()
    page.locator(f"path.stop-{stop.id}").click()
    assert not page.locator("#stop-panel").is_hidden()
    assert "–" in page.locator("#stop-info").inner_text()  # the planned arrival window
    served.shot(page, "3a-stop-selected.png")
    page.select_option("#move-to", str(target.id))
    page.evaluate("window.consoleState.ready = false")
    page.click("#move")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    assert page.locator("#msg").inner_text() == "Đã chuyển điểm dừng"
    with served.session() as session:
        moved = session.get(RouteStop, stop.id)
        assert session.get(Route, moved.route_id).postman_id == target.id and moved.pinned
    assert page.locator(f"path.stop-{stop.id}.stop-pinned").count() == 1
    # Pin the whole (new) route of the target postman from the list.
    page.locator(f"#postmen li[data-postman-id='{target.id}'] .pin-route").click()
    page.wait_for_function(f"document.querySelector(\"#postmen li[data-postman-id='{target.id}']\")"
                           ".classList.contains('pinned')", timeout=20_000)
    served.shot(page, "3-moved-and-pinned.png")
    _drag_stop_onto_route(page, served, source, target)
    _add_urgent_dossier(page, served)
    page.evaluate("window.consoleState.ready = false; window.consoleState.lastJob = null")
    page.click("#reoptimise")
    _wait_job(page, served)
    routes = _routes(served)
    assert page.locator("path.route-line").count() == len(routes)
    with served.session() as session:
        again = session.exec(select(RouteStop).join(RouteStopItem, RouteStopItem.stop_id == RouteStop.id)
                             .where(RouteStopItem.item_id.in_(select(RouteStopItem.item_id)
                                                              .where(RouteStopItem.stop_id == stop.id)))).first()
        kept = session.get(Route, again.route_id) if again else None
    assert kept is not None and kept.postman_id == target.id, "re-optimising keeps the pinned stop with its postman"
    served.shot(page, "4-replanned.png")


def _drag_stop_onto_route(page, served: Served, source: Route, target: Postman) -> None:  # noqa: ANN001
    """Drag a pending stop of ``source`` onto the line of ``target``'s route (depot to its first stop)."""
    stop = _movable_stop(served, source)
    with served.session() as session:
        route = session.exec(select(Route).where(Route.postman_id == target.id, Route.day == served.day)).one()
        first = session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)).first()
    office = served.office
    box = page.locator("#map").bounding_box()
    a = page.evaluate(f"window.consoleState.pointOf({stop.lat}, {stop.lon})")
    b = page.evaluate(f"window.consoleState.pointOf({(office.lat + first.lat) / 2}, {(office.lon + first.lon) / 2})")
    page.evaluate("window.consoleState.ready = false")
    page.mouse.move(box["x"] + a["x"], box["y"] + a["y"])
    page.mouse.down()
    page.mouse.move(box["x"] + (a["x"] + b["x"]) / 2, box["y"] + (a["y"] + b["y"]) / 2, steps=5)
    page.mouse.move(box["x"] + b["x"], box["y"] + b["y"], steps=5)
    page.mouse.up()
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    with served.session() as session:
        assert session.get(Route, session.get(RouteStop, stop.id).route_id).postman_id == target.id
    served.shot(page, "3c-dragged.png")


def _add_urgent_dossier(page, served: Served) -> str:  # noqa: ANN001
    """Fill the urgent form for a home pickup at the post office's door; returns the item's S10."""
    with served.session() as session:
        procedure = session.exec(select(Procedure).where(Procedure.intake_by_post).order_by(Procedure.code)).first()
        agency = session.exec(select(Agency).where(Agency.province_code == served.office.province_code)
                              .order_by(Agency.code)).first()
        counter = session.exec(select(Counter).where(Counter.province_code == served.office.province_code)
                               .order_by(Counter.code)).first()
    before = int(page.locator("#unplanned-count").inner_text())
    page.click("#urgent summary")
    form = "#urgent-form "
    page.fill(form + "input[name=dossier_code]", f"{agency.code}-{served.day.strftime('%y%m%d')}-9901")
    page.fill(form + "input[name=procedure_code]", procedure.code)
    page.fill(form + "input[name=agency_code]", agency.code)
    page.fill(form + "input[name=counter_code]", counter.code)
    page.fill(form + "input[name=full_name]", "Nguyễn Thị Khẩn")
    page.fill(form + "input[name=phone]", "0912 000 111")
    page.fill(form + "input[name=address]", "1 Đường Khẩn")
    page.fill(form + "input[name=commune_code]", served.office.commune_code)
    point = page.evaluate(f"window.consoleState.pointOf({served.office.lat + 0.002}, {served.office.lon + 0.002})")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.evaluate("window.consoleState.ready = false")
    page.click(form + "button[type=submit]")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    assert "Đã thêm hồ sơ khẩn" in page.locator("#msg").inner_text(), page.locator("#msg").inner_text()
    assert int(page.locator("#unplanned-count").inner_text()) == before + 1
    s10 = page.locator("#msg").inner_text().split("(")[1].rstrip(")")
    assert s10 in page.locator("#unplanned").inner_text()
    served.shot(page, "3b-urgent-added.png")
    return s10


def _postman_phone(served: Served, postman_id: int) -> dict[str, str]:
    with served.session() as session:
        user = session.exec(select(User).join(Postman, Postman.user_id == User.id).where(Postman.id == postman_id)).one()
    answer = httpx.post(f"{served.base}/mobile/v1/auth/sign-in",
                        json={"username": user.username, "pin": DEMO_SECRET, "device_id": "test-phone-1"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_scan_from_the_mobile_api_appears_live(browser_page, served):
    page = browser_page
    routes = _sign_in_and_plan(page, served)
    with served.session() as session:
        stop, link, item = session.exec(
            select(RouteStop, RouteStopItem, Item).join(RouteStopItem, RouteStopItem.stop_id == RouteStop.id)
            .join(Item, Item.id == RouteStopItem.item_id)
            .where(RouteStop.route_id.in_([r.id for r in routes]), RouteStop.place_kind == PlaceKind.HOME)
            .order_by(RouteStop.route_id, RouteStop.seq)
        ).first()
        route = session.get(Route, stop.route_id)
    assert page.locator(f"path.stop-{stop.id}.stop-pending").count() == 1
    phone = _postman_phone(served, route.postman_id)
    now = utcnow()
    ping = httpx.post(f"{served.base}/mobile/v1/pings", headers=phone, json={"pings": [
        {"device_time": now.isoformat(), "lat": stop.lat + 0.001, "lon": stop.lon, "accuracy_m": 8.0}]})
    assert ping.status_code == 202 and ping.json()["kept"] == 1
    far = {"lat": stop.lat + 0.05, "lon": stop.lon, "accuracy_m": 5.0}  # ~5.5 km away: flagged, still accepted
    if link.action is StopAction.PICKUP:
        events = [{"code": "picked_up_at_home", **far}]
        expected = "geofence"
    else:
        events = [{"code": "out_for_delivery", "device_time": (now - timedelta(minutes=30)).isoformat()},
                  {"code": "delivery_failed", "failure_reason": "not_home", "failure_action": "retry_next_day", **far}]
        expected = "failed_attempt"
    batch = [{"client_event_id": str(uuid.uuid4()), "s10": item.s10, "device_time": now.isoformat(), **e} for e in events]
    posted = httpx.post(f"{served.base}/mobile/v1/scans", headers=phone, json={"events": batch})
    assert posted.status_code == 200 and posted.json()["rejected"] == 0, posted.text
    # No reload: the next polls bring the postman's marker, the stop's progress, the exception.
    page.wait_for_selector(".postman-marker", timeout=15_000)
    page.wait_for_selector(f"path.stop-{stop.id}:not(.stop-pending)", timeout=15_000)
    page.wait_for_selector(f"#exceptions li.{expected}", timeout=15_000)
    assert item.s10 in page.locator(f"#exceptions li.{expected}").first.inner_text()
    assert page.locator("path.exception-ring").count() >= 1
    served.shot(page, "5-live-scan.png")
    page.click("#lang-switch")
    page.wait_for_function("window.consoleState.ready === true", timeout=20_000)
    assert page.locator("#plan").inner_text() == "Plan the day"
    page.wait_for_selector(f"#exceptions li.{expected}", timeout=15_000)
    served.shot(page, "6-english.png")
