"""Handovers end to end through the HTTP API (web for clerks, mobile for postmen), on
SQLite and PostgreSQL, and the bad inputs that must change nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pypdfium2
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, select

from logistics.models import Dossier, Handover, Item, Notification, RouteStopItem, ScanEvent
from logistics.models.enums import HolderKind, ItemStatus, Role, ScanCode, StopAction
from logistics.models.types import utcnow
from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_at_agency, dossier_to_agency, handover_app, phone_headers,
    result_at_agency, snapshot,
)
from tests.web.factories import intake_body


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def client(session: Session) -> Iterator[TestClient]:
    with TestClient(handover_app(session)) as client:
        yield client


def _clerk(hw: HandoverWorld, side: str = "a", role: Role = Role.AGENCY_CLERK) -> dict[str, str]:
    side_ = hw.world.a if side == "a" else hw.world.b
    return hw.world.headers(side_.users[role])


def _opened(client: TestClient, hw: HandoverWorld, phone: dict[str, str], items: list[Item], kind: str = "to_agency") -> str:
    place = hw.world.a.agency.code if kind.endswith("agency") else hw.world.a.counter.code
    response = client.post("/mobile/v1/handovers", json={"kind": kind, "place_code": place}, headers=phone)
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    for item in items:
        added = client.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10}, headers=phone)
        assert added.status_code == 201, added.text
    return code


def _otp(client: TestClient, code: str, phone: dict[str, str]) -> str:
    response = client.post(f"/mobile/v1/handovers/{code}/otp", headers=phone)
    assert response.status_code == 200, response.text
    return response.json()["code"]


def test_handover_end_to_end(client: TestClient, session: Session, hw: HandoverWorld):
    """Postman opens and scans, clerk sees it at the desk, records a discrepancy, confirms by code with fees and appointment dates; both read the record, its PDF and its public check."""
    a, b, c = (dossier_to_agency(session, hw, fee_vnd=40_000) for _ in range(3))
    phone, clerk = phone_headers(client), _clerk(hw)
    code = _opened(client, hw, phone, [a, b, c])
    removed = client.delete(f"/mobile/v1/handovers/{code}/items/{c.s10}", headers=phone)
    assert removed.status_code == 200 and len(removed.json()["lines"]) == 2

    day = client.get("/api/v1/desk", headers=clerk).json()
    assert {i["s10"] for i in day["inbound"]} >= {a.s10, b.s10}
    assert [h["code"] for h in day["handovers"]] == [code]

    found = client.post(f"/api/v1/handovers/{code}/discrepancies", headers=clerk, json={
        "s10": b.s10, "outcome": "count_differs", "received_originals": 1, "received_copies": 1, "note": "thiếu 1 bản chính"})
    assert found.status_code == 200, found.text
    typed = _otp(client, code, phone)
    due = (utcnow() + timedelta(days=10)).date()
    while due.weekday() >= 5:
        due += timedelta(days=1)
    confirmed = client.post(f"/api/v1/handovers/{code}/confirm", headers=clerk, json={
        "code": typed, "fees_handed_vnd": 70_000, "fees_note": "Thiếu 10.000 đ tiền lẻ",
        "appointments": {session.get(Dossier, a.dossier_id).code: due.isoformat()}})
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["method"] == "otp"
    assert (body["fees_expected_vnd"], body["fees_handed_vnd"], body["fees_difference_vnd"]) == (80_000, 70_000, -10_000)
    assert body["verify_url"].startswith(f"http://testserver/verify/handover/{code}?h=")

    session.expire_all()
    assert {session.get(Item, i.id).status for i in (a, b)} == {ItemStatus.HANDED_OVER}
    assert session.get(Item, c.id).status is ItemStatus.ACCEPTED
    assert session.get(Dossier, a.dossier_id).appointment_date == due
    assert session.exec(select(Notification).where(Notification.item_id == a.id)).first() is not None  # handed to agency SMS

    mine = client.get(f"/mobile/v1/handovers/{code}", headers=phone).json()
    theirs = client.get(f"/api/v1/handovers/{code}", headers=clerk).json()
    assert mine == theirs
    pdf = client.get(f"/api/v1/handovers/{code}/record.pdf", headers=clerk)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/mobile/v1/handovers/{code}/record.pdf", headers=phone).content.startswith(b"%PDF")
    page = client.get(body["verify_url"].removeprefix("http://testserver"))
    assert page.status_code == 200 and "Biên bản thật" in page.text


def test_from_intake_to_agency_through_the_counter(client: TestClient, session: Session, hw: HandoverWorld):
    """The counter receives a dossier with its document list (API); the postman collects it at the counter
    (a collected_from_counter scan) and hands it to the agency, whose clerk finds a count that differs from
    the list; the printed record shows the listed and the received counts."""
    counter_clerk = _clerk(hw, role=Role.COUNTER_CLERK)
    received = client.post("/api/v1/dossiers", headers=counter_clerk, json=intake_body(
        sequence=77, legs=[{"leg": "counter_to_agency"}],
        documents=[{"name": "Tờ khai", "originals": 1}, {"name": "Căn cước công dân", "copies": 2}]))
    assert received.status_code == 201, received.text
    dossier_code, s10 = received.json()["code"], received.json()["items"][0]["s10"]
    item = session.exec(select(Item).where(Item.s10 == s10)).one()
    session.add_all([RouteStopItem(stop_id=hw.counter_stop.id, item_id=item.id, action=StopAction.PICKUP),
                     RouteStopItem(stop_id=hw.agency_stop.id, item_id=item.id, action=StopAction.DELIVERY)])
    session.flush()
    phone = phone_headers(client)

    collected = _opened(client, hw, phone, [item], kind="from_counter")
    done = client.post(f"/api/v1/handovers/{collected}/confirm", headers=counter_clerk,
                       json={"code": _otp(client, collected, phone), "fees_handed_vnd": 0})
    assert done.status_code == 200, done.text
    session.expire_all()
    item = session.get(Item, item.id)
    assert (item.status, item.holder_kind, item.holder_ref_id) == (ItemStatus.ACCEPTED, HolderKind.POSTMAN, hw.postman.id)
    assert [e.code for e in session.exec(select(ScanEvent).where(ScanEvent.item_id == item.id))] == [
        ScanCode.COLLECTED_FROM_COUNTER]

    code = _opened(client, hw, phone, [item])
    line = client.get(f"/api/v1/handovers/{code}", headers=_clerk(hw)).json()["lines"][0]
    assert (line["originals"], line["copies"]) == (1, 2)
    same = client.post(f"/api/v1/handovers/{code}/discrepancies", headers=_clerk(hw), json={
        "s10": s10, "outcome": "count_differs", "received_originals": 1, "received_copies": 2})
    assert same.status_code == 422 and same.json()["error"] == "counts_match", same.text
    found = client.post(f"/api/v1/handovers/{code}/discrepancies", headers=_clerk(hw), json={
        "s10": s10, "outcome": "count_differs", "received_originals": 0, "note": "thiếu tờ khai"})
    assert found.status_code == 200, found.text
    confirmed = client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw),
                            json={"code": _otp(client, code, phone), "fees_handed_vnd": 0})
    assert confirmed.status_code == 200, confirmed.text
    session.expire_all()
    assert session.get(Item, item.id).status is ItemStatus.HANDED_OVER
    pdf = client.get(f"/api/v1/handovers/{code}/record.pdf", headers=_clerk(hw)).content
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"{s10} {dossier_code} 1 2" in text and "Số lượng giấy tờ khác (nhận 0 chính, 2 sao)" in text, text
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    assert 0.005 < sum(page.histogram()[:100]) / (page.width * page.height) < 0.3


def test_confirm_by_clerks_qr(client: TestClient, session: Session, hw: HandoverWorld):
    """The clerk shows a signed QR; the postman's scan confirms in the clerk's name; a replay is refused."""
    result = result_at_agency(session, hw)
    phone, clerk = phone_headers(client), _clerk(hw)
    code = _opened(client, hw, phone, [result], kind="from_agency")
    qr = client.post(f"/api/v1/handovers/{code}/qr", headers=clerk, json={"fees_handed_vnd": 0})
    assert qr.status_code == 200 and qr.json()["svg"].lstrip().startswith("<svg")
    token = qr.json()["token"]
    done = client.post(f"/mobile/v1/handovers/{code}/qr", headers=phone, json={"token": token})
    assert done.status_code == 200, done.text
    assert done.json()["method"] == "qr" and done.json()["received_by_name"] == hw.clerk_a.full_name
    again = client.post(f"/mobile/v1/handovers/{code}/qr", headers=phone, json={"token": token})
    assert again.status_code == 409 and again.json()["error"] == "already_confirmed"


def test_confirm_by_signature(client: TestClient, session: Session, hw: HandoverWorld):
    """A signature drawn on the phone confirms the record and is kept as its proof."""
    item = dossier_to_agency(session, hw)
    phone = phone_headers(client)
    code = _opened(client, hw, phone, [item])
    png = io.BytesIO()
    Image.new("RGB", (200, 80), "white").save(png, "PNG")
    signed = client.post(f"/mobile/v1/handovers/{code}/signature", headers=phone,
                         data={"signer_name": "Lê Thị Hoa", "fees_handed_vnd": "0"},
                         files={"file": ("sig.png", png.getvalue(), "image/png")})
    assert signed.status_code == 200, signed.text
    assert signed.json()["method"] == "signature" and signed.json()["received_by_name"] == "Lê Thị Hoa"
    handover = session.exec(select(Handover).where(Handover.code == code)).one()
    assert handover.signature_ref and handover.confirmed_by_user_id is None
    pdf = client.get(f"/api/v1/handovers/{code}/record.pdf", headers=_clerk(hw))
    assert pdf.status_code == 200


def test_result_ready_and_appointment(client: TestClient, session: Session, hw: HandoverWorld):
    """The agency records the appointment date, then marks the result ready: a new delivery item with a fresh S10, and the SMS."""
    dossier = dossier_at_agency(session, hw)
    clerk = _clerk(hw)
    due = (utcnow() + timedelta(days=7)).date()
    while due.weekday() >= 5:
        due += timedelta(days=1)
    set_ = client.put(f"/api/v1/dossiers/{dossier.code}/appointment", headers=clerk, json={"appointment_date": due.isoformat()})
    assert set_.status_code == 200, set_.text
    assert set_.json()["working_days_left"] >= 4
    ready = client.post(f"/api/v1/dossiers/{dossier.code}/result-ready", headers=clerk)
    assert ready.status_code == 201, ready.text
    [s10] = ready.json()["created_s10"]
    item = session.exec(select(Item).where(Item.s10 == s10)).one()
    assert (item.leg.value, item.status, item.due_date, item.origin_ref_id) == ("home_delivery", ItemStatus.CREATED, due, hw.world.a.agency.id)
    assert session.exec(select(Notification).where(Notification.item_id == item.id)).first() is not None
    again = client.post(f"/api/v1/dossiers/{dossier.code}/result-ready", headers=clerk)
    assert again.status_code == 409 and again.json()["error"] == "result_already_ready"
    other = client.put(f"/api/v1/dossiers/{dossier.code}/appointment", headers=_clerk(hw, "b"), json={"appointment_date": due.isoformat()})
    assert other.status_code == 404


def test_dispatch_note_with_documents(client: TestClient, session: Session, hw: HandoverWorld):
    """The counter clerk lists the documents with their originals and copies and prints the dispatch note."""
    item = dossier_to_agency(session, hw)
    dossier = session.get(Dossier, item.dossier_id)
    counter = _clerk(hw, role=Role.COUNTER_CLERK)
    listed = client.put(f"/api/v1/dossiers/{dossier.code}/documents", headers=counter,
                        json=[{"name": "Tờ khai", "originals": 1}, {"name": "Căn cước công dân", "copies": 2},
                              {"name": "Giấy chứng nhận kết hôn", "originals": 1, "copies": 3}])
    assert listed.status_code == 204, listed.text
    session.refresh(dossier)
    assert dossier.document_count == 7
    pdf = client.get(f"/api/v1/dossiers/{dossier.code}/dispatch-note.pdf", headers=counter)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Giấy chứng nhận kết hôn 1 3" in text and "Tổng cộng 2 5" in text, text
    for body, code in (([{"name": "Tờ khai"}], "empty_document"),
                       ([{"name": "Tờ khai", "originals": 1}, {"name": " tờ  KHAI", "copies": 1}], "duplicate_document"),
                       ([{"name": "Tờ khai", "originals": -1, "copies": 2}], "greater_than_equal"),
                       ([], "too_short")):
        bad = client.put(f"/api/v1/dossiers/{dossier.code}/documents", headers=counter, json=body)
        assert bad.status_code == 422 and bad.json()["fields"][0]["code"] == code, bad.text
    refused = client.put(f"/api/v1/dossiers/{dossier.code}/documents", headers=_clerk(hw), json=[{"name": "x", "originals": 1}])
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(Dossier, dossier.id).document_count == 7


# ------------------------------------------------------------------ bad input: a clear error, nothing changed


def _ready(client: TestClient, session: Session, hw: HandoverWorld) -> tuple[str, str, dict[str, str], Item]:
    item = dossier_to_agency(session, hw)
    phone = phone_headers(client)
    code = _opened(client, hw, phone, [item])
    return code, _otp(client, code, phone), phone, item


def test_confirming_twice_is_refused_and_changes_nothing(client: TestClient, session: Session, hw: HandoverWorld):
    """A second confirmation answers 409 already_confirmed and leaves every row as it was."""
    code, typed, _, _ = _ready(client, session, hw)
    assert client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": typed}).status_code == 200
    before = snapshot(session)
    again = client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": typed, "fees_handed_vnd": 5})
    assert again.status_code == 409 and again.json() == {"error": "already_confirmed", "detail": again.json()["detail"], "record": code}
    amend_open = client.post(f"/api/v1/handovers/{code}/discrepancies", headers=_clerk(hw),
                             json={"s10": session.exec(select(Item)).first().s10, "outcome": "missing"})
    assert amend_open.status_code == 409
    assert snapshot(session) == before


def test_wrong_code_counts_and_changes_nothing_else(client: TestClient, session: Session, hw: HandoverWorld):
    """A wrong code is 422 wrong_code with the attempts left; after five, even the right one is refused."""
    code, typed, _, _ = _ready(client, session, hw)
    wrong = f"{(int(typed) + 1) % 1_000_000:06d}"
    before = snapshot(session)
    first = client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": wrong})
    assert first.status_code == 422 and first.json()["error"] == "wrong_code" and first.json()["attempts_left"] == 4
    assert snapshot(session) == before  # the attempt counter aside, nothing moved
    assert session.exec(select(Handover).where(Handover.code == code)).one().otp_attempts == 1
    for _ in range(4):
        client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": wrong})
    locked = client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": typed})
    assert locked.status_code == 409 and locked.json()["error"] == "too_many_attempts"
    assert snapshot(session) == before


def test_expired_code_is_refused(client: TestClient, session: Session, hw: HandoverWorld):
    """A code past its ten minutes answers 409 code_expired and changes nothing."""
    code, typed, _, _ = _ready(client, session, hw)
    handover = session.exec(select(Handover).where(Handover.code == code)).one()
    handover.otp_expires_at = utcnow() - timedelta(seconds=1)
    session.add(handover)
    session.flush()
    before = snapshot(session)
    expired = client.post(f"/api/v1/handovers/{code}/confirm", headers=_clerk(hw), json={"code": typed})
    assert expired.status_code == 409 and expired.json()["error"] == "code_expired"
    assert snapshot(session) == before


def test_clerk_of_another_agency_sees_nothing_and_changes_nothing(client: TestClient, session: Session, hw: HandoverWorld):
    """Agency B's clerk gets 404 for agency A's record, whatever the action."""
    code, typed, _, item = _ready(client, session, hw)
    before = snapshot(session)
    other = _clerk(hw, "b")
    for method, path, body in [
        ("get", f"/api/v1/handovers/{code}", None),
        ("post", f"/api/v1/handovers/{code}/confirm", {"code": typed}),
        ("post", f"/api/v1/handovers/{code}/discrepancies", {"s10": item.s10, "outcome": "missing"}),
        ("post", f"/api/v1/handovers/{code}/qr", {}),
        ("post", f"/api/v1/handovers/{code}/amend", {"reason": "x"}),
        ("get", f"/api/v1/handovers/{code}/record.pdf", None),
    ]:
        response = client.request(method, path, headers=other, json=body)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"] == "handover_not_found"
    assert snapshot(session) == before


def test_items_not_on_the_handover_are_refused(client: TestClient, session: Session, hw: HandoverWorld):
    """A discrepancy on an item not listed is 404 item_not_on_handover; an item of another place is 409."""
    code, _, phone, _ = _ready(client, session, hw)
    stranger = dossier_to_agency(session, hw)
    result = result_at_agency(session, hw)
    before = snapshot(session)
    missing = client.post(f"/api/v1/handovers/{code}/discrepancies", headers=_clerk(hw),
                          json={"s10": stranger.s10, "outcome": "missing"})
    assert missing.status_code == 404 and missing.json()["error"] == "item_not_on_handover"
    wrong_place = client.post(f"/mobile/v1/handovers/{code}/items", headers=phone, json={"s10": result.s10})
    assert wrong_place.status_code == 409 and wrong_place.json()["error"] == "item_not_for_this_place"
    off = client.delete(f"/mobile/v1/handovers/{code}/items/{stranger.s10}", headers=phone)
    assert off.status_code == 404
    assert snapshot(session) == before


def test_stale_or_forged_qr_is_refused(client: TestClient, session: Session, hw: HandoverWorld):
    """A QR shown before the list changed, or not signed by the system, confirms nothing."""
    item = dossier_to_agency(session, hw)
    phone = phone_headers(client)
    code = _opened(client, hw, phone, [item])
    token = client.post(f"/api/v1/handovers/{code}/qr", headers=_clerk(hw), json={}).json()["token"]
    client.post(f"/mobile/v1/handovers/{code}/items", headers=phone, json={"s10": dossier_to_agency(session, hw).s10})
    before = snapshot(session)
    stale = client.post(f"/mobile/v1/handovers/{code}/qr", headers=phone, json={"token": token})
    assert stale.status_code == 409 and stale.json()["error"] == "qr_stale"
    forged = client.post(f"/mobile/v1/handovers/{code}/qr", headers=phone, json={"token": token[:-4] + "AAAA"})
    assert forged.status_code == 422 and forged.json()["error"] == "invalid_qr_token"
    assert snapshot(session) == before
