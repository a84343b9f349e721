"""The day's route and the offline manifest, with ETags."""

from __future__ import annotations

from tests.mobile_api.conftest import sign_in


def test_route_lists_stops_in_order_with_items_proofs_and_addresses(client, sw):
    """The postman gets his stops in order, each with its items, window, ETA, proofs and address."""
    headers = sign_in(client)
    response = client.get("/mobile/v1/route?date=2026-11-20", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["seq"] for s in body["stops"]] == [0, 1, 2]
    first = body["stops"][0]
    assert first["items"][0]["s10"] == sw.items[0].s10
    assert first["items"][0]["next_scans"] and "out_for_delivery" in first["items"][0]["next_scans"]
    assert first["address"] == sw.people[0].address and first["phone"] == "+84912345678"
    assert first["eta_start"] is not None and first["eta_end"] > first["eta_start"]


def test_route_etag_gives_304_when_unchanged(client, sw):
    """The same If-None-Match gets 304 with no body; a scan changes the ETag."""
    headers = sign_in(client)
    first = client.get("/mobile/v1/route?date=2026-11-20", headers=headers)
    etag = first.headers["etag"]
    again = client.get("/mobile/v1/route?date=2026-11-20", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    client.post("/mobile/v1/scans", headers=headers, json={"events": [{
        "client_event_id": "9b2f1c56-6f55-4a7a-9d0b-3c1a3e1f0a01", "s10": sw.items[0].s10, "code": "out_for_delivery",
        "device_time": "2026-11-20T08:05:00+07:00", "lat": 13.79, "lon": 109.17, "accuracy_m": 8.0}]})
    changed = client.get("/mobile/v1/route?date=2026-11-20", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_no_route_for_another_postman(client, sw):
    """A postman without a route that day gets 404 no_route, never someone else's addresses."""
    headers = sign_in(client, username="postman_b", device_id="phone-b-0001")
    response = client.get("/mobile/v1/route?date=2026-11-20", headers=headers)
    assert (response.status_code, response.json()["error"]) == (404, "no_route")


def test_manifest_carries_items_and_the_rules(client, sw):
    """The manifest lists the route's items with proofs, the scan rules and the limits, with an ETag."""
    headers = sign_in(client)
    response = client.get("/mobile/v1/manifest?date=2026-11-20", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {i["s10"] for i in body["items"]} == {i.s10 for i in sw.items}
    assert {r["code"] for r in body["scan_rules"]} >= {"delivered", "out_for_delivery"}
    assert body["limits"]["max_batch_events"] == 500
    assert client.get("/mobile/v1/manifest?date=2026-11-20",
                      headers={**headers, "If-None-Match": response.headers["etag"]}).status_code == 304
