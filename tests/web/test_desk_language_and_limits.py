"""The desk pages in Vietnamese (default) and English, and the public verification page
spending the tracking page's per-client lookup budget."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from logistics.handovers import confirmation, records
from logistics.models import Handover
from logistics.models.enums import HandoverKind, HandoverStatus, LegKind
from logistics.tracking import links
from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_to_agency, handover_app, result_at_agency,
)
from support.browser import chromium, serving
from tests.web.factories import PASSWORD
from web import desk_text


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def app(session: Session) -> FastAPI:
    return handover_app(session)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _sign_in(client: TestClient) -> None:
    assert client.post("/desk/login", data={"username": "agency_clerk_a", "password": PASSWORD}).status_code == 303


def _open_with_code(session: Session, hw: HandoverWorld) -> tuple[Handover, str]:
    item = dossier_to_agency(session, hw)
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY, place_code=hw.world.a.agency.code)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    return h, confirmation.issue_code(session, actor=hw.postman_user, handover=h).code


def test_both_languages_have_every_word():
    """English and Vietnamese name the same things, and every record kind, outcome and method."""
    assert desk_text.TEXT["vi"].keys() == desk_text.TEXT["en"].keys()
    assert not set(desk_text.TEXT["vi"]) & set(dir(dict))  # a key like "items" would render dict.items in Jinja
    for lang in desk_text.LANGUAGES:
        for table, labels in desk_text.LABELS[lang].items():
            assert labels.keys() == desk_text.LABELS["vi"][table].keys(), (lang, table)
    assert set(desk_text.LABELS["vi"]["leg"]) == set(desk_text.LEG_EN) == set(LegKind)


def test_desk_is_vietnamese_by_default_and_english_on_request(client: TestClient, session: Session, hw: HandoverWorld):
    """Vietnamese first; ?lang=en switches every label and is remembered for the form's answer; ?lang=vi switches back."""
    h, code = _open_with_code(session, hw)
    result_at_agency(session, hw)  # outbound: its leg is named in the page's language
    _sign_in(client)
    vi = client.get("/desk")
    assert '<html lang="vi">' in vi.text and "Biên bản giao nhận" in vi.text and 'href="/desk?lang=en"' in vi.text
    assert "Trả kết quả về một cửa" in vi.text
    en = client.get("/desk?lang=en")
    assert en.status_code == 200 and '<html lang="en">' in en.text
    for words in ("Handover records", "Coming by post", "Sign out", "Tiếng Việt", desk_text.KIND_EN[HandoverKind.TO_AGENCY],
                  "Result back to the counter"):
        assert words in en.text, words
    assert "Biên bản giao nhận" not in en.text and "Đăng xuất" not in en.text
    page = client.get(f"/desk/handovers/{h.code}")  # no query: the cookie keeps English
    assert "Confirm with the code on the postman" in page.text and "Complete, intact" in page.text
    assert f'href="/desk/handovers/{h.code}?lang=vi"' in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    done = client.post(f"/desk/handovers/{h.code}/confirm", data={"csrf": csrf, "code": code, "fees_handed_vnd": "0"})
    assert done.status_code == 200 and "The record is confirmed." in done.text, done.text
    session.expire_all()
    assert session.get(Handover, h.id).status is HandoverStatus.CONFIRMED
    back = client.get("/desk?lang=vi")
    assert "Biên bản giao nhận" in back.text and "Đã xác nhận" in back.text
    assert "Handover records" not in client.get("/desk").text


def test_refusals_are_shown_in_the_page_language(client: TestClient, session: Session, hw: HandoverWorld):
    """A domain refusal on a desk page is a Vietnamese sentence, filled with the record's own values, by default
    and the domain's English sentence on the English page."""
    h, code = _open_with_code(session, hw)
    _sign_in(client)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(f"/desk/handovers/{h.code}").text).group(1)
    wrong = "999999" if code != "999999" else "111111"
    vi = client.post(f"/desk/handovers/{h.code}/confirm", data={"csrf": csrf, "code": wrong})
    assert vi.status_code == 422 and "Mã không đúng; còn 4 lần thử." in vi.text and "attempts left" not in vi.text
    client.get("/desk?lang=en")
    en = client.post(f"/desk/handovers/{h.code}/confirm", data={"csrf": csrf, "code": wrong})
    assert en.status_code == 422 and "3 attempts left" in en.text
    client.get("/desk?lang=vi")
    unknown = client.post("/desk/dossiers/HS-NOPE/result-ready", data={"csrf": csrf})
    assert unknown.status_code == 404 and "Không có hồ sơ HS-NOPE mà bạn được xem." in unknown.text


def test_refusal_sentences_fill_their_fields_or_keep_the_english_one():
    """A sentence is filled from the error's context; without the fields it needs, or for a code with no
    sentence, the English one stays: never a half-filled sentence."""
    from logistics.exceptions import Conflict, NotFound
    from web import error_text

    found = NotFound("There is no item EA1.", code="item_not_found", s10="EA123456785VN")
    assert error_text.sentence(found, "vi") == "Không có bưu gửi EA123456785VN."
    assert error_text.sentence(found, "en") == "There is no item EA1."
    bare = NotFound("There is no item EA1.", code="item_not_found")
    assert error_text.sentence(bare, "vi") == "There is no item EA1."
    assert error_text.sentence(Conflict("Odd.", code="no_such_code"), "vi") == "Odd."
    assert all("{" not in text for text in error_text.page_messages().values())
    assert "reschedule_date_past" in error_text.page_messages()


def test_sign_in_and_verification_pages_switch_too(client: TestClient, session: Session, hw: HandoverWorld):
    """The sign-in page and the public check of a record speak English on request; an unknown language falls back."""
    login = client.get("/desk/login?lang=en")
    assert "Sign in — agency and counter clerks" in login.text
    assert "Đăng nhập — cán bộ tiếp nhận" in client.get("/desk/login?lang=vi").text
    assert "Đăng nhập — cán bộ tiếp nhận" in client.get("/desk/login?lang=fr").text
    h, code = _open_with_code(session, hw)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=code, fees_handed_vnd=0)
    page = client.get(f"/verify/handover/{h.code}?h={h.record_sha256}&lang=en")
    assert page.status_code == 200 and "✔ Genuine record, unchanged" in page.text
    assert f'href="/verify/handover/{h.code}?h={h.record_sha256}&amp;lang=vi"' in page.text


def test_verification_page_is_rate_limited_per_client(app: FastAPI, client: TestClient, session: Session, hw: HandoverWorld):
    """One bucket per client, shared with the tracking page: the fourth lookup is 429 with a code and Retry-After;
    another client still gets through."""
    h, code = _open_with_code(session, hw)
    confirmation.confirm_with_code(session, actor=hw.clerk_a, handover=h, code=code, fees_handed_vnd=0)
    app.state.tracking_limiter = links.LookupLimiter(rate_per_s=0.01, burst=3)
    url = f"/verify/handover/{h.code}?h={h.record_sha256}"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert client.get("/verify/handover/BG-000000-XXXXXX").status_code == 404  # guessing spends the budget too
    refused = client.get(url)
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.get(f"/t/{'B' * 22}.json").status_code == 429  # the same budget as the tracking page
    with TestClient(app, client=("203.0.113.9", 50000)) as other:
        assert other.get(url).status_code == 200


@pytest.mark.slow
def test_browser_switches_the_desk_to_english_and_confirms(app: FastAPI, session: Session, hw: HandoverWorld):
    """Debian's Chromium driven by Playwright: a clerk signs in, switches to English, opens the record,
    types the postman's code and sees the confirmation in English; the record is confirmed."""
    h, code = _open_with_code(session, hw)
    with serving(app) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/desk/login")
        assert page.locator("h1").inner_text() == "Đăng nhập — cán bộ tiếp nhận"
        page.fill("input[name=username]", "agency_clerk_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/desk")
        page.click("text=English")
        page.wait_for_url("**/desk?lang=en")
        assert page.locator("section h2").first.inner_text().upper() == "HANDOVER RECORDS"
        page.click(f"text={h.code}")
        page.fill("input[name=code]", code)
        page.fill("#confirm input[name=fees_handed_vnd]", "0")
        page.click("#confirm button")
        assert page.locator(".msg.ok").inner_text() == "The record is confirmed."
        assert page.locator("html").get_attribute("lang") == "en"
    session.expire_all()
    assert session.get(Handover, h.id).status is HandoverStatus.CONFIRMED
