"""The issue's bad-input list over HTTP: each case has its code, and nothing is
half-applied (no scan row, no state change, no stored file)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from logistics.models import Item, ProofFile, ScanEvent
from logistics.models.enums import ItemStatus
from tests.mobile_api.conftest import sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def store_dir(tmp_path, monkeypatch):
    from logistics import filestore

    monkeypatch.setattr(filestore, "get_file_store", lambda: filestore.LocalFileStore(tmp_path / "files"))
    return tmp_path / "files"


def _event(s10, code="out_for_delivery", at="2026-11-20T08:05:00+07:00", **kw):
    body = {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at,
            "lat": 13.79, "lon": 109.17, "accuracy_m": 8.0}
    body.update(kw)
    return body


def _nothing_written(session, sw):
    assert session.exec(select(func.count()).select_from(ScanEvent)).one() == 0
    assert {session.get(Item, i.id).status for i in sw.items} == {ItemStatus.ACCEPTED}


@pytest.mark.parametrize("body, code", [
    (b'{"events": [', "invalid_json"),
    (b'{"events": "not a list"}', "validation_error"),
    (b'[1, 2]', "validation_error"),
])
def test_malformed_bodies_write_nothing(client, sw, session, body, code):
    headers = {**sign_in(client), "Content-Type": "application/json"}
    response = client.post("/mobile/v1/scans", headers=headers, content=body)
    assert (response.status_code, response.json()["error"]) == (422, code)
    assert response.json()["detail"]  # a sentence for a person
    _nothing_written(session, sw)


def test_an_unknown_field_anywhere_refuses_the_whole_batch(client, sw, session):
    """A good event beside one whose proof has an unknown field: the request is refused, nothing applied."""
    headers = sign_in(client)
    events = [_event(sw.items[0].s10), _event(sw.items[1].s10, proof={"signature_ref": "x", "selfie": "y"})]
    response = client.post("/mobile/v1/scans", headers=headers, json={"events": events})
    assert (response.status_code, response.json()["error"]) == (422, "validation_error")
    assert any("selfie" in f["loc"] for f in response.json()["fields"])
    _nothing_written(session, sw)


def test_impossible_coordinates_are_rejected_per_event(client, sw, session):
    """A latitude of 91 is no place at all: the event is rejected with its code, the item untouched."""
    headers = sign_in(client)
    response = client.post("/mobile/v1/scans", headers=headers, json={"events": [_event(sw.items[0].s10, lat=91.0)]})
    assert response.json()["results"][0]["reject_code"] == "invalid_coordinates"
    assert session.get(Item, sw.items[0].id).status == ItemStatus.ACCEPTED


def test_times_and_places_are_refused_per_event_without_moving_the_item(client, sw, session):
    """Before the item existed, in the future, outside Vietnam: each rejected with its code, item untouched; the good one applies."""
    headers = sign_in(client)
    events = [
        _event(sw.items[0].s10, at="2026-10-01T08:00:00+07:00"),
        _event(sw.items[1].s10, at="2099-01-01T00:00:00+07:00"),
        _event(sw.items[2].s10, lat=35.68, lon=139.69),  # Tokyo
        _event(sw.items[2].s10),
    ]
    results = client.post("/mobile/v1/scans", headers=headers, json={"events": events}).json()["results"]
    assert [r["reject_code"] for r in results] == [
        "timestamp_before_item", "timestamp_in_future", "coordinates_outside_vietnam", None]
    assert [session.get(Item, i.id).status for i in sw.items] == [
        ItemStatus.ACCEPTED, ItemStatus.ACCEPTED, ItemStatus.OUT_FOR_DELIVERY]


def test_oversized_and_wrong_uploads_store_nothing(client, sw, session, store_dir):
    """413 for a file over its limit and for a body over the route's limit, 415 for a wrong type: no row, no file."""
    headers = sign_in(client)
    big = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "signature"},
                      files={"file": ("s.png", PNG + b"\x00" * 600_000, "image/png")})
    assert (big.status_code, big.json()["error"]) == (413, "file_too_large")
    huge = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "photo"},
                       files={"file": ("p.jpg", b"\xff\xd8\xff" + b"\x00" * (6 * 1024 * 1024), "image/jpeg")})
    assert (huge.status_code, huge.json()["error"]) == (413, "payload_too_large")
    gif = client.post("/mobile/v1/proofs", headers=headers, data={"kind": "photo"},
                      files={"file": ("x.gif", b"GIF89a" + b"\x00" * 64, "image/gif")})
    assert (gif.status_code, gif.json()["error"]) == (415, "unsupported_media_type")
    assert session.exec(select(func.count()).select_from(ProofFile)).one() == 0
    assert not store_dir.exists() or not any(p.is_file() for p in store_dir.rglob("*"))
