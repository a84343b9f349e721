"""Proof uploads, delivery codes and position pings over HTTP."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from logistics import events as domain_events
from logistics.models import PositionPing, ProofFile
from logistics.tracking.otp import DeliveryOtpRequested
from tests.mobile_api.conftest import sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def files_in_tmp(tmp_path, monkeypatch):
    from logistics import filestore

    monkeypatch.setattr(filestore, "get_file_store", lambda: filestore.LocalFileStore(tmp_path / "files"))


def _scan(s10, code, at, **kw):
    body = {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at, "accuracy_m": 8.0}
    body.update(kw)
    return body


def test_signature_upload_returns_a_ref_once(client, sw, session):
    """A PNG signature is stored and gets a ref; the same bytes again get the same ref."""
    headers = sign_in(client)
    first = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "signature"},
                        files={"file": ("sig.png", PNG, "image/png")})
    assert first.status_code == 201, first.text
    again = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "signature"},
                        files={"file": ("sig.png", PNG, "image/png")})
    assert again.json()["ref"] == first.json()["ref"]
    assert session.exec(select(func.count()).select_from(ProofFile)).one() == 1


def test_uploads_check_type_content_and_size(client, sw):
    """A PDF is 415, a PNG that is not one is 415, an oversized signature is 413."""
    headers = sign_in(client)
    pdf = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "photo"},
                      files={"file": ("x.pdf", b"%PDF-1.4", "application/pdf")})
    assert (pdf.status_code, pdf.json()["error"]) == (415, "unsupported_media_type")
    liar = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "photo"},
                       files={"file": ("x.png", b"GIF89a....", "image/png")})
    assert (liar.status_code, liar.json()["error"]) == (415, "content_mismatch")
    big = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "signature"},
                      files={"file": ("s.png", PNG + b"\x00" * 600_000, "image/png")})
    assert (big.status_code, big.json()["error"]) == (413, "file_too_large")


def _ago(minutes: int) -> str:
    """A device time ``minutes`` before the server's clock (the route is today's)."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def test_delivery_without_required_signature_is_rejected_then_accepted_with_it(client, sw_today, session):
    """The procedure needs a signature: a delivery without one is proof_missing; with an uploaded one it applies."""
    sw = sw_today
    sw.procedure.proof_signature = True
    session.add(sw.procedure)
    session.flush()
    headers = sign_in(client)
    item = sw.items[0]
    home = {"lat": item.destination_lat, "lon": item.destination_lon}
    client.post("/mobile/v1/scans", headers=headers, json={"events": [_scan(item.s10, "out_for_delivery", _ago(3))]})
    bare = client.post("/mobile/v1/scans", headers=headers,
                       json={"events": [_scan(item.s10, "delivered", _ago(2), **home)]}).json()
    assert bare["results"][0]["reject_code"] == "proof_missing"
    ref = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "signature", "s10": item.s10},
                      files={"file": ("sig.png", PNG, "image/png")}).json()["ref"]
    signed = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", _ago(1), proof={"signature_ref": ref}, **home)]}).json()
    assert signed["results"][0]["outcome"] == "applied"


def test_id_check_compares_the_last_four_digits(client, sw, session):
    """A procedure needing an ID check refuses wrong digits and accepts the right ones."""
    sw.procedure.proof_id_check = True
    session.add(sw.procedure)
    session.flush()
    headers = sign_in(client)
    item = sw.items[0]
    home = {"lat": item.destination_lat, "lon": item.destination_lon}
    client.post("/mobile/v1/scans", headers=headers, json={"events": [_scan(item.s10, "out_for_delivery", "2026-11-20T08:00:00+07:00")]})
    wrong = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", "2026-11-20T09:00:00+07:00", proof={"id_last4": "9999"}, **home)]}).json()
    right = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", "2026-11-20T09:01:00+07:00", proof={"id_last4": "1234"}, **home)]}).json()
    assert wrong["results"][0]["reject_code"] == "proof_missing"
    assert right["results"][0]["outcome"] == "applied"


def test_otp_is_sent_through_an_event_and_proves_the_delivery(client, sw_today, session, monkeypatch):
    """Requesting a code publishes it for the SMS; a delivery carrying it applies, a wrong one is refused."""
    sw = sw_today
    sent = []
    monkeypatch.setattr(domain_events, "_handlers", {DeliveryOtpRequested: [lambda s, e: sent.append(e)]})
    monkeypatch.setattr(domain_events, "_loaded", True)
    sw.procedure.proof_otp = True
    session.add(sw.procedure)
    session.flush()
    headers = sign_in(client)
    item = sw.items[0]
    response = client.post("/mobile/v1/otp", headers=headers, json={"s10": item.s10})
    assert response.status_code == 202, response.text
    assert "5678" not in response.json()["sent_to"][:-4] and len(sent) == 1
    code = sent[0].code
    from datetime import datetime, timedelta, UTC

    now = datetime.now(UTC)
    home = {"lat": item.destination_lat, "lon": item.destination_lon}
    client.post("/mobile/v1/scans", headers=headers, json={"events": [_scan(item.s10, "out_for_delivery", (now - timedelta(minutes=2)).isoformat())]})
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", (now - timedelta(minutes=1)).isoformat(), proof={"otp_code": wrong}, **home)]}).json()
    ok = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", now.isoformat(), proof={"otp_code": code}, **home)]}).json()
    assert refused["results"][0]["reject_code"] == "proof_missing"
    assert ok["results"][0]["outcome"] == "applied"


def test_otp_for_an_item_not_on_the_route_is_forbidden(client, sw):
    """Another postman cannot have a code sent for an item he does not carry."""
    headers = sign_in(client, username="postman_b", device_id="phone-b-0001")
    response = client.post("/mobile/v1/otp", headers=headers, json={"s10": sw.items[0].s10})
    assert (response.status_code, response.json()["error"]) == (403, "not_assigned")


def test_pings_keep_the_plausible_ones(client, sw, session):
    """Pings in Vietnam are kept; one in Paris is dropped, not refused."""
    from datetime import UTC, datetime

    now = datetime.now(UTC).isoformat()
    headers = sign_in(client)
    response = client.post("/mobile/v1/pings", headers=headers, json={"pings": [
        {"device_time": now, "lat": 13.79, "lon": 109.17, "accuracy_m": 12.0},
        {"device_time": now, "lat": 48.85, "lon": 2.35},
    ]})
    assert response.status_code == 202 and response.json() == {"kept": 1, "dropped": 1}
    assert session.exec(select(func.count()).select_from(PositionPing)).one() == 1
