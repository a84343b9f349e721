"""The postman's handover endpoints: opening, scanning on and off, codes, signatures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.logistics.handovers.handover_factories import (
    HandoverWorld, build_handover_world, dossier_to_agency, handover_app, phone_headers, snapshot,
)


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


@pytest.fixture()
def hclient(session: Session) -> Iterator[TestClient]:
    with TestClient(handover_app(session)) as client:
        yield client


def _open(client: TestClient, hw: HandoverWorld, phone: dict[str, str]) -> str:
    response = client.post("/mobile/v1/handovers", json={"kind": "to_agency", "place_code": hw.world.a.agency.code},
                           headers=phone)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def test_only_postmen_open_records_at_known_places(hclient: TestClient, hw: HandoverWorld):
    """A dispatcher's phone is refused (403 not_a_postman); an unknown agency is 404; a bad kind is 422."""
    dispatcher = phone_headers(hclient, "dispatcher_a", "phone-d-0001")
    refused = hclient.post("/mobile/v1/handovers", json={"kind": "to_agency", "place_code": hw.world.a.agency.code},
                           headers=dispatcher)
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_postman"
    phone = phone_headers(hclient)
    unknown = hclient.post("/mobile/v1/handovers", json={"kind": "to_agency", "place_code": "NOPE"}, headers=phone)
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_agency"
    bad = hclient.post("/mobile/v1/handovers", json={"kind": "to_moon", "place_code": "X"}, headers=phone)
    assert bad.status_code == 422


def test_scan_on_and_off_while_open(hclient: TestClient, session: Session, hw: HandoverWorld):
    """An item goes on once, not on two open records at a time, and comes off by its S10."""
    item = dossier_to_agency(session, hw, fee_vnd=12_000)
    phone = phone_headers(hclient)
    code = _open(hclient, hw, phone)
    added = hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10.lower()}, headers=phone)
    assert added.status_code == 201 and added.json()["fees_expected_vnd"] == 12_000
    twice = hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10}, headers=phone)
    assert twice.status_code == 409 and twice.json()["error"] == "item_already_on_handover"
    other = _open(hclient, hw, phone)
    elsewhere = hclient.post(f"/mobile/v1/handovers/{other}/items", json={"s10": item.s10}, headers=phone)
    assert elsewhere.status_code == 409 and elsewhere.json()["error"] == "item_on_other_handover"
    off = hclient.delete(f"/mobile/v1/handovers/{code}/items/{item.s10}", headers=phone)
    assert off.status_code == 200 and off.json()["lines"] == []
    listed = hclient.get("/mobile/v1/handovers", headers=phone).json()
    assert {h["code"] for h in listed} == {code, other}


def test_codes_need_items_and_replace_each_other(hclient: TestClient, session: Session, hw: HandoverWorld):
    """No code for an empty record; a new code kills the old one; a change to the list kills it too."""
    phone = phone_headers(hclient)
    code = _open(hclient, hw, phone)
    empty = hclient.post(f"/mobile/v1/handovers/{code}/otp", headers=phone)
    assert empty.status_code == 409 and empty.json()["error"] == "handover_empty"
    item = dossier_to_agency(session, hw)
    hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10}, headers=phone)
    first = hclient.post(f"/mobile/v1/handovers/{code}/otp", headers=phone).json()
    second = hclient.post(f"/mobile/v1/handovers/{code}/otp", headers=phone).json()
    assert len(second["code"]) == 6
    clerk = hw.world.headers(hw.clerk_a)
    if first["code"] != second["code"]:
        old = hclient.post(f"/api/v1/handovers/{code}/confirm", headers=clerk, json={"code": first["code"]})
        assert old.status_code == 422 and old.json()["error"] == "wrong_code"
    hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": dossier_to_agency(session, hw).s10}, headers=phone)
    stale = hclient.post(f"/api/v1/handovers/{code}/confirm", headers=clerk, json={"code": second["code"]})
    assert stale.status_code == 409 and stale.json()["error"] == "no_code_issued"


def test_signature_must_be_an_image(hclient: TestClient, session: Session, hw: HandoverWorld):
    """A signature that is not an image is refused (415) and the record stays open."""
    item = dossier_to_agency(session, hw)
    phone = phone_headers(hclient)
    code = _open(hclient, hw, phone)
    hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10}, headers=phone)
    before = snapshot(session)
    refused = hclient.post(f"/mobile/v1/handovers/{code}/signature", headers=phone, data={"signer_name": "A"},
                           files={"file": ("s.txt", b"hello", "text/plain")})
    assert refused.status_code == 415
    assert snapshot(session) == before
    assert hclient.get(f"/mobile/v1/handovers/{code}", headers=phone).json()["status"] == "open"


def test_cancelled_record_frees_its_items(hclient: TestClient, session: Session, hw: HandoverWorld):
    """A cancelled open record takes no more changes, and its items may go on a new record."""
    item = dossier_to_agency(session, hw)
    phone = phone_headers(hclient)
    code = _open(hclient, hw, phone)
    hclient.post(f"/mobile/v1/handovers/{code}/items", json={"s10": item.s10}, headers=phone)
    cancelled = hclient.post(f"/mobile/v1/handovers/{code}/cancel", headers=phone)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = hclient.post(f"/mobile/v1/handovers/{code}/otp", headers=phone)
    assert again.status_code == 409 and again.json()["error"] == "handover_not_open"
    fresh = _open(hclient, hw, phone)
    assert hclient.post(f"/mobile/v1/handovers/{fresh}/items", json={"s10": item.s10}, headers=phone).status_code == 201
