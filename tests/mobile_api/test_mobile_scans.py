"""Scan batches over HTTP: per-event outcomes, duplicates, refusals of bad requests."""

from __future__ import annotations

import uuid

from sqlmodel import func, select

from logistics.models import ScanEvent
from tests.mobile_api.conftest import sign_in


def _event(s10, code="out_for_delivery", at="2026-11-20T08:05:00+07:00", **kw):
    body = {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at,
            "lat": 13.79, "lon": 109.17, "accuracy_m": 8.0}
    body.update(kw)
    return body


def _count(session):
    return session.exec(select(func.count()).select_from(ScanEvent)).one()


def test_batch_with_a_bad_event_applies_the_good_ones(client, sw):
    """One unknown item in a batch is rejected alone; the others apply."""
    headers = sign_in(client)
    events = [_event(sw.items[0].s10), _event("EB999999995VN"), _event(sw.items[1].s10)]
    response = client.post("/mobile/v1/scans", headers=headers, json={"events": events})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["outcome"] for r in body["results"]] == ["applied", "rejected", "applied"]
    assert body["results"][1]["reject_code"] == "unknown_item"
    assert (body["applied"], body["rejected"], body["duplicates"]) == (2, 1, 0)


def test_resent_batch_answers_duplicates(client, sw, session):
    """The same batch sent twice is recorded once and answered duplicate the second time."""
    headers = sign_in(client)
    batch = {"events": [_event(sw.items[0].s10)]}
    first = client.post("/mobile/v1/scans", headers=headers, json=batch).json()
    second = client.post("/mobile/v1/scans", headers=headers, json=batch).json()
    assert second["results"][0]["duplicate"] is True
    assert second["results"][0]["outcome"] == first["results"][0]["outcome"] == "applied"
    assert _count(session) == 1


def test_unknown_field_refuses_the_request(client, sw, session):
    """A strict schema: an unknown field refuses the whole request, nothing recorded."""
    headers = sign_in(client)
    response = client.post("/mobile/v1/scans", headers=headers, json={"events": [_event(sw.items[0].s10, colour="red")]})
    assert response.status_code == 422 and response.json()["error"] == "validation_error"
    assert _count(session) == 0


def test_malformed_json_is_refused(client, sw):
    """A body that is not JSON gets 422 invalid_json."""
    headers = {**sign_in(client), "Content-Type": "application/json"}
    response = client.post("/mobile/v1/scans", headers=headers, content=b'{"events": [')
    assert (response.status_code, response.json()["error"]) == (422, "invalid_json")


def test_boolean_coordinates_and_naive_times_are_refused(client, sw):
    """lat=false and a device time without a zone are schema errors, not coerced."""
    headers = sign_in(client)
    for bad in (_event(sw.items[0].s10, lat=False), _event(sw.items[0].s10, at="2026-11-20T08:05:00")):
        assert client.post("/mobile/v1/scans", headers=headers, json={"events": [bad]}).status_code == 422


def test_more_than_500_events_is_refused(client, sw, session):
    """A batch of 501 events is refused with batch_too_large; an oversized body with 413."""
    headers = sign_in(client)
    events = [_event(sw.items[0].s10) for _ in range(501)]
    response = client.post("/mobile/v1/scans", headers=headers, json={"events": events})
    assert (response.status_code, response.json()["error"]) == (422, "batch_too_large")
    huge = client.post("/mobile/v1/scans", headers={**headers, "Content-Type": "application/json"},
                       content=b" " * (1024 * 1024 + 1))
    assert (huge.status_code, huge.json()["error"]) == (413, "payload_too_large")
    assert _count(session) == 0


def test_outside_vietnam_and_future_are_rejected_per_event(client, sw):
    """Coordinates in Paris and a time tomorrow are rejected with their own codes."""
    headers = sign_in(client)
    events = [_event(sw.items[0].s10, lat=48.85, lon=2.35), _event(sw.items[1].s10, at="2099-01-01T00:00:00+07:00")]
    results = client.post("/mobile/v1/scans", headers=headers, json={"events": events}).json()["results"]
    assert [r["reject_code"] for r in results] == ["coordinates_outside_vietnam", "timestamp_in_future"]


def test_a_scan_requires_a_token(client, sw):
    """Without a bearer token the API answers 401 missing_token."""
    response = client.post("/mobile/v1/scans", json={"events": [_event(sw.items[0].s10)]})
    assert (response.status_code, response.json()["error"]) == (401, "missing_token")
