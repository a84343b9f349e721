"""The public tracking page and its JSON twin: timeline, masked data, nothing of the dossier;
unknown or expired links 404; lookups rate-limited; rescheduling with clear refusals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api_core.errors import install_error_handlers
from logistics.config import Settings
from logistics.models import DeliveryReschedule, Dossier, Notification, Person, PostOffice, ScanEvent
from logistics.models.enums import ItemStatus, NotificationTrigger, ScanCode, ScanOutcome
from logistics.models.types import utcnow
from logistics.notify import messages, reschedule
from logistics.tracking import links
from logistics.workdays import LOCAL_TZ, WorkCalendar
from tests.logistics.notify.notify_factories import FULL_NAME, add_scan, make_item, make_place
from web.routers import tracking_page
from support.sessions import serve_from

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture()
def app(session: Session) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(tracking_page.router)
    app.state.settings = Settings(public_base_url="http://testserver")
    app.state.tracking_limiter = links.LookupLimiter(rate_per_s=100.0, burst=100)

    serve_from(app, session)
    return app


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture()
def tracked(session: Session):
    place = make_place(session)
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    item = make_item(session, place, status=ItemStatus.ACCEPTED, window=(start, start + timedelta(hours=2)))
    add_scan(session, item, ScanCode.ARRIVED_AT_DELIVERY_OFFICE, at=AT, status_after=ItemStatus.IN_TRANSIT)
    add_scan(session, item, ScanCode.OUT_FOR_DELIVERY, at=AT + timedelta(hours=1), status_after=ItemStatus.OUT_FOR_DELIVERY)
    add_scan(session, item, ScanCode.DELIVERY_FAILED, at=AT + timedelta(hours=2), status_after=ItemStatus.DELIVERY_FAILED)
    token = links.issue_token(session, item_id=item.id)
    return item, token


def _private_texts(session: Session, item) -> list[str]:
    dossier = session.get(Dossier, item.dossier_id)
    return [FULL_NAME, "Nhung", "12 Nguyễn Huệ", "+84912345678", "0912345678", dossier.code, "lý lịch tư pháp"]


def test_page_in_vietnamese(client, session, tracked):
    """Timeline from the scans, window, office contact, masked name and phone, nothing private."""
    item, token = tracked
    response = client.get(f"/t/{token}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'lang="vi"' in html and "Phát chưa thành công" in html
    assert html.index("Đã đến bưu cục phát") < html.index("Bưu tá đang đi phát") < html.index("Phát không thành công")
    assert "Nguyễn T. H. N." in html and "+84 *** *** 678" in html
    assert "Bưu cục Quy Nhơn Bắc" in html and 'href="tel:02563822111"' in html
    assert messages.format_window(item.window_start, item.window_end) in html  # the planned window, local time
    assert 'id="reschedule-form"' in html
    for private in _private_texts(session, item):
        assert private not in html


def test_page_in_english(client, tracked):
    _, token = tracked
    html = client.get(f"/t/{token}?lang=en").text
    assert 'lang="en"' in html and "Delivery attempt failed" in html and "Out for delivery" in html
    assert 'href="?lang=vi"' in html


def test_json_twin(client, session, tracked):
    item, token = tracked
    response = client.get(f"/t/{token}.json")
    assert response.status_code == 200
    body = response.json()
    assert body["s10"] == item.s10 and body["status"] == "delivery_failed"
    assert [e["code"] for e in body["timeline"]] == ["arrived_at_delivery_office", "out_for_delivery", "delivery_failed"]
    assert body["recipient_name"] == "Nguyễn T. H. N." and body["recipient_phone"] == "+84 *** *** 678"
    assert body["office"]["phone"] == "0256 3822 111" and body["can_reschedule"] is True and body["slots"]
    for private in _private_texts(session, item):
        assert private not in response.text


def test_unknown_and_expired_links_are_404(client, session, tracked):
    item, _ = tracked
    unknown = "A" * links.TOKEN_LENGTH
    assert client.get(f"/t/{unknown}").status_code == 404
    assert client.get(f"/t/{unknown}.json").json()["error"] == "tracking_link_not_found"
    item.status, item.status_at = ItemStatus.DELIVERED, utcnow() - timedelta(days=400)
    session.add(item)
    token = links.issue_token(session, item_id=item.id)
    response = client.get(f"/t/{token}.json")
    assert response.status_code == 404 and response.json()["error"] == "tracking_link_expired"
    page = client.get(f"/t/{token}")
    assert page.status_code == 404 and 'id="not-found"' in page.text


def test_lookups_are_rate_limited(app, client, tracked):
    _, token = tracked
    app.state.tracking_limiter = links.LookupLimiter(rate_per_s=0.01, burst=3)
    assert [client.get(f"/t/{token}.json").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"/t/{'B' * 22}.json")
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1


def test_reschedule_to_a_window(client, session, tracked):
    """A slot from the offered ones is stored on the item and confirmed by SMS."""
    item, token = tracked
    option = reschedule.options(now=utcnow())[-1]
    response = client.post(f"/t/{token}/reschedule", json={"choice": "window", "date": option.day.isoformat(), "slot": option.slot})
    assert response.status_code == 200, response.text
    session.refresh(item)
    assert (item.window_start, item.window_end) == (option.start, option.end)
    assert reschedule.latest(session, item_id=item.id).choice == "window"
    sms = session.exec(select(Notification).where(Notification.item_id == item.id)).all()
    assert [s.trigger for s in sms] == [NotificationTrigger.RESCHEDULED]


def test_hold_at_post_office(client, session, tracked):
    item, token = tracked
    response = client.post(f"/t/{token}/reschedule", json={"choice": "hold_at_post_office"})
    assert response.status_code == 200 and response.json()["choice"] == "hold_at_post_office"


def _next_day_off() -> str:
    calendar, day = WorkCalendar.default(), utcnow().astimezone(LOCAL_TZ).date()
    while True:
        day += timedelta(days=1)
        if not calendar.is_working_day(day):
            return day.isoformat()


@pytest.mark.parametrize(("day", "code"), [
    (lambda: (utcnow().astimezone(LOCAL_TZ).date() - timedelta(days=1)).isoformat(), "reschedule_date_past"),
    (_next_day_off, "reschedule_not_working_day"),
])
def test_bad_reschedule_is_422_and_changes_nothing(client, session, tracked, day, code):
    item, token = tracked
    window = (item.window_start, item.window_end)
    response = client.post(f"/t/{token}/reschedule", json={"choice": "window", "date": day(), "slot": "08:00-10:00"})
    assert response.status_code == 422 and response.json()["error"] == code
    session.refresh(item)
    assert (item.window_start, item.window_end) == window
    assert session.exec(select(DeliveryReschedule).where(DeliveryReschedule.item_id == item.id)).all() == []
    assert session.exec(select(Notification).where(Notification.item_id == item.id)).all() == []


def test_refusals_of_the_form_are_shown_in_vietnamese(client, tracked):
    """The page carries a Vietnamese sentence for each refusal the reschedule form can meet
    (the API's detail is English); the English page keeps the API's sentence."""
    import html
    import json
    import re

    _, token = tracked
    page = client.get(f"/t/{token}").text
    refusals = json.loads(html.unescape(re.search(r"const refusals = (\{.*?\});", page).group(1)))
    for code in ("reschedule_date_past", "reschedule_not_working_day", "reschedule_limit", "unknown_delivery_slot"):
        assert refusals[code] == tracking_page.error_text.VI[code]
    assert refusals["reschedule_date_past"].startswith("Ngày đã chọn đã qua")
    assert "const refusals = {};" in client.get(f"/t/{token}?lang=en").text


def test_reschedule_with_unknown_token_is_404(client):
    response = client.post(f"/t/{'C' * 22}/reschedule", json={"choice": "hold_at_post_office"})
    assert response.status_code == 404 and response.json()["error"] == "tracking_link_not_found"


@pytest.mark.slow
def test_browser_opens_the_link_and_reschedules(app, session, tracked):
    """Debian's Chromium driven by Playwright: the page shows the timeline, the citizen
    picks a slot, the confirmation appears and the choice is stored (PLATFORM.md §4)."""
    from support.browser import chromium, serving

    item, token = tracked
    with serving(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{base}/t/{token}")
        assert page.locator("#timeline li").count() == 3
        assert page.locator("#timeline li").last.inner_text().endswith("Phát không thành công")
        assert page.locator("#status").inner_text() == "Phát chưa thành công"
        page.locator("input[name=option]").first.check()
        page.locator("#reschedule-form button").click()
        page.wait_for_function("window.rescheduled === true", timeout=10_000)
        assert "Đã ghi nhận" in page.locator("#reschedule-msg").inner_text()
        page.click("#lang-switch")
        assert page.locator("#status").inner_text() == "Delivery attempt failed"
    choice = reschedule.latest(session, item_id=item.id)
    assert choice is not None and choice.choice == "window"
    assert item.window_start == choice.window_start


@pytest.mark.parametrize("token", ["short", "A" * 23, "é" * 22, "%2e%2e" + "A" * 16])
def test_malformed_tokens_are_404_with_the_code(client, token):
    response = client.get(f"/t/{token}.json")
    assert response.status_code == 404 and response.json()["error"] == "tracking_link_not_found"
    assert response.json()["detail"]
    assert client.get(f"/t/{token}").status_code == 404


@pytest.mark.parametrize("body", [
    {"choice": "teleport"},
    {"choice": "window", "date": "next tuesday", "slot": "08:00-10:00"},
    {"choice": "window", "date": "2026-11-30", "slot": "x" * 40},
])
def test_malformed_reschedule_is_422_and_changes_nothing(client, session, tracked, body):
    item, token = tracked
    response = client.post(f"/t/{token}/reschedule", json=body)
    assert response.status_code == 422 and response.json()["error"] and response.json()["detail"]
    assert session.exec(select(DeliveryReschedule).where(DeliveryReschedule.item_id == item.id)).all() == []
    assert session.exec(select(Notification).where(Notification.item_id == item.id)).all() == []


# ------------------------------------------------------------------ rendered pages


def _history_scan(session: Session, item, code: ScanCode, at: datetime) -> None:
    """A late scan kept as history: it changes the timeline, not the item."""
    session.add(ScanEvent(client_event_id=uuid.uuid4(), code=code, item_id=item.id, s10=item.s10, device_time=at,
                          outcome=ScanOutcome.HISTORY, status_after=item.status, proof={}))
    session.flush()


def test_a_second_view_is_the_rendered_page(app, client, tracked):
    _, token = tracked
    first = client.get(f"/t/{token}")
    again = client.get(f"/t/{token}")
    assert again.status_code == 200 and again.text == first.text
    assert (app.state.tracking_pages.misses, app.state.tracking_pages.hits) == (1, 1)
    assert client.get(f"/t/{token}?lang=en").text != first.text  # one page per language


def test_a_scan_after_a_view_shows_on_the_next_view(client, session, tracked):
    item, token = tracked
    assert 'data-status="delivery_failed"' in client.get(f"/t/{token}").text
    add_scan(session, item, ScanCode.OUT_FOR_DELIVERY, at=AT + timedelta(hours=3), status_after=ItemStatus.OUT_FOR_DELIVERY)
    html = client.get(f"/t/{token}").text
    assert 'data-status="out_for_delivery"' in html and html.count("<li data-code=") == 4
    _history_scan(session, item, ScanCode.ARRIVED_AT_DELIVERY_OFFICE, AT - timedelta(hours=1))
    assert client.get(f"/t/{token}").text.count("<li data-code=") == 5


def test_a_reschedule_shows_on_the_next_view(client, tracked):
    _, token = tracked
    held = tracking_page.TEXT["vi"]["held"]
    assert held not in client.get(f"/t/{token}").text
    assert client.post(f"/t/{token}/reschedule", json={"choice": "hold_at_post_office"}).status_code == 200
    assert held in client.get(f"/t/{token}").text


def test_a_changed_office_or_recipient_shows_on_the_next_view(client, session, tracked):
    item, token = tracked
    assert 'href="tel:02563822111"' in client.get(f"/t/{token}").text
    office = session.get(PostOffice, item.post_office_id)
    office.phone = "0256 3999 000"
    person = session.get(Person, item.person_id)
    person.phone_e164 = "+84912345999"
    session.add_all([office, person])
    session.flush()
    html = client.get(f"/t/{token}").text
    assert 'href="tel:02563999000"' in html and "+84 *** *** 999" in html and "+84912345999" not in html


def test_an_expired_link_is_404_after_its_page_was_rendered(client, session, tracked):
    item, token = tracked
    assert client.get(f"/t/{token}").status_code == 200
    item.status, item.status_at = ItemStatus.DELIVERED, utcnow() - timedelta(days=400)
    session.add(item)
    session.flush()
    page = client.get(f"/t/{token}")
    assert page.status_code == 404 and 'id="not-found"' in page.text
    assert client.get(f"/t/{token}.json").json()["error"] == "tracking_link_expired"


def test_the_served_page_reads_committed_state_at_once(fresh_database_url):
    """With the real session dependency (no test transaction): the views read in
    autocommit, give their connection back, and a scan committed after a view shows on
    the next one, in both forms."""
    from sqlmodel import Session as PlainSession

    from logistics.db import make_engine

    engine = make_engine(fresh_database_url)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(tracking_page.router)
    app.state.engine = engine
    app.state.settings = Settings(public_base_url="http://testserver")
    app.state.tracking_limiter = links.LookupLimiter(rate_per_s=100.0, burst=100)
    try:
        with PlainSession(engine, expire_on_commit=False) as db:
            start = utcnow().replace(microsecond=0) + timedelta(days=1)
            item = make_item(db, make_place(db), status=ItemStatus.ACCEPTED, window=(start, start + timedelta(hours=2)))
            add_scan(db, item, ScanCode.ARRIVED_AT_DELIVERY_OFFICE, at=AT, status_after=ItemStatus.IN_TRANSIT)
            token = links.issue_token(db, item_id=item.id)
            db.commit()
        with TestClient(app) as client:
            assert 'data-status="in_transit"' in client.get(f"/t/{token}").text
            assert client.get(f"/t/{token}.json").json()["status"] == "in_transit"
            assert engine.pool.checkedout() == 0
            with PlainSession(engine, expire_on_commit=False) as db:
                add_scan(db, db.merge(item), ScanCode.OUT_FOR_DELIVERY, at=AT + timedelta(hours=1),
                         status_after=ItemStatus.OUT_FOR_DELIVERY)
                db.commit()
            html = client.get(f"/t/{token}").text
            assert 'data-status="out_for_delivery"' in html and html.count("<li data-code=") == 2
            assert client.get(f"/t/{token}.json").json()["status"] == "out_for_delivery"
            assert client.get(f"/t/{'Z' * links.TOKEN_LENGTH}").status_code == 404
            assert engine.pool.checkedout() == 0
        assert (app.state.tracking_pages.misses, app.state.tracking_pages.hits) == (2, 0)
    finally:
        engine.dispose()
