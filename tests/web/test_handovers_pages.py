"""The clerks' pages: sign in, the day at the desk, confirming a record by its code, the
CSRF guard, and results marked ready from the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from logistics.handovers import confirmation, records
from logistics.models import Dossier, Handover, Item
from logistics.models.enums import DossierStatus, HandoverKind, HandoverStatus, ItemStatus
from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_at_agency, dossier_to_agency, handover_app, snapshot,
)
from tests.web.factories import PASSWORD


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def client(session: Session) -> Iterator[TestClient]:
    with TestClient(handover_app(session), follow_redirects=False) as client:
        yield client


def _sign_in(client: TestClient, username: str = "agency_clerk_a") -> None:
    response = client.post("/desk/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/desk"
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in response.headers["set-cookie"].lower()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def _open_with_code(session: Session, hw: HandoverWorld) -> tuple[Handover, str, Item]:
    item = dossier_to_agency(session, hw, fee_vnd=15_000)
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.TO_AGENCY, place_code=hw.world.a.agency.code)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    return h, confirmation.issue_code(session, actor=hw.postman_user, handover=h).code, item


def test_pages_need_a_signed_in_clerk(client: TestClient, hw: HandoverWorld):
    """Without the cookie the desk redirects to the sign-in page; a postman cannot sign in there."""
    assert client.get("/desk").status_code == 303
    assert client.get("/desk").headers["location"] == "/desk/login"
    refused = client.post("/desk/login", data={"username": "postman_a", "password": PASSWORD})
    assert refused.status_code == 401 and "Sai tên đăng nhập" in refused.text


def test_clerk_confirms_a_record_from_the_page(client: TestClient, session: Session, hw: HandoverWorld):
    """The desk lists the open record; the record page confirms it by the code typed, with the fees."""
    h, code, item = _open_with_code(session, hw)
    _sign_in(client)
    desk = client.get("/desk")
    assert desk.status_code == 200 and h.code in desk.text and item.s10 in desk.text
    page = client.get(f"/desk/handovers/{h.code}")
    assert page.status_code == 200 and "Xác nhận bằng mã" in page.text
    done = client.post(f"/desk/handovers/{h.code}/confirm",
                       data={"csrf": _csrf(page.text), "code": code, "fees_handed_vnd": "15.000"})
    assert done.status_code == 200, done.text
    assert "Đã xác nhận biên bản" in done.text
    session.expire_all()
    assert session.get(Handover, h.id).status is HandoverStatus.CONFIRMED
    assert session.get(Item, item.id).status is ItemStatus.HANDED_OVER
    assert client.get(f"/desk/handovers/{h.code}/record.pdf").content.startswith(b"%PDF")


def test_page_refuses_a_wrong_code_or_a_forged_form(client: TestClient, session: Session, hw: HandoverWorld):
    """A wrong code shows the error and counts; a form without the CSRF value is refused; nothing else changes."""
    h, code, _ = _open_with_code(session, hw)
    _sign_in(client)
    token = _csrf(client.get(f"/desk/handovers/{h.code}").text)
    before = snapshot(session)
    wrong = client.post(f"/desk/handovers/{h.code}/confirm", data={"csrf": token, "code": "999999" if code != "999999" else "111111"})
    assert wrong.status_code == 422 and "Mã không đúng; còn 4 lần thử." in wrong.text  # the page speaks Vietnamese
    forged = client.post(f"/desk/handovers/{h.code}/confirm", data={"csrf": "0" * 64, "code": code})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_failed"
    assert snapshot(session) == before
    assert session.get(Handover, h.id).otp_attempts == 1


def test_other_agency_clerk_gets_not_found(client: TestClient, session: Session, hw: HandoverWorld):
    """Agency B's clerk, signed in, cannot open agency A's record page."""
    h, _, _ = _open_with_code(session, hw)
    _sign_in(client, "agency_clerk_b")
    assert client.get(f"/desk/handovers/{h.code}").status_code == 404


def test_result_ready_from_the_desk(client: TestClient, session: Session, hw: HandoverWorld):
    """The 'result ready' button creates the delivery item; a second press is refused on the page."""
    dossier = dossier_at_agency(session, hw)
    _sign_in(client)
    desk = client.get("/desk")
    assert dossier.code in desk.text
    done = client.post(f"/desk/dossiers/{dossier.code}/result-ready", data={"csrf": _csrf(desk.text)})
    assert done.status_code == 200 and "Đã báo có kết quả" in done.text
    session.expire_all()
    assert session.get(Dossier, dossier.id).status is DossierStatus.RESULT_READY
    assert len(session.exec(select(Item).where(Item.dossier_id == dossier.id)).all()) == 1
    again = client.post(f"/desk/dossiers/{dossier.code}/result-ready", data={"csrf": _csrf(desk.text)})
    assert again.status_code == 409
