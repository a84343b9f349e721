"""Webhook endpoints and the delivery log through the API (admins only)."""

from __future__ import annotations

from logistics import events
from logistics.events import ItemStatusChanged
from logistics.models.enums import ItemStatus, Role, ScanCode
from logistics.models.types import utcnow
from tests.logistics.notify.notify_factories import add_scan, make_item, make_place


def test_register_list_log_and_deactivate(client, session, world):
    admin = world.headers(world.admin)
    created = client.post("/api/v1/webhooks/endpoints", headers=admin,
                          json={"url": "https://motcua.gialai.gov.vn/hooks/bcci", "events": ["delivered"]})
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    endpoint_id = created.json()["id"]
    listed = client.get("/api/v1/webhooks/endpoints", headers=admin).json()
    assert [e["id"] for e in listed] == [endpoint_id] and "secret" not in listed[0]

    item = make_item(session, make_place(session), status=ItemStatus.OUT_FOR_DELIVERY)
    scan = add_scan(session, item, ScanCode.DELIVERED, at=utcnow(), status_after=ItemStatus.DELIVERED)
    events.publish(session, ItemStatusChanged(item_id=item.id, scan_event_id=scan.id, scan_code="delivered",
                                              status="delivered", previous_status="out_for_delivery", at=utcnow()))
    log = client.get("/api/v1/webhooks/deliveries", headers=admin, params={"endpoint_id": endpoint_id}).json()
    assert [(d["status"], d["payload"]["status"]) for d in log["items"]] == [("pending", "delivered")]

    gone = client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}", headers=admin)
    assert gone.status_code == 200 and gone.json()["active"] is False


def test_refusals(client, world):
    dispatcher = world.headers(world.a.users[Role.DISPATCHER])
    assert client.get("/api/v1/webhooks/endpoints", headers=dispatcher).status_code == 403
    bad = client.post("/api/v1/webhooks/endpoints", headers=world.headers(world.admin),
                      json={"url": "https://x.example.vn/h", "events": ["teleported"]})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_webhook_events"
    missing = client.delete("/api/v1/webhooks/endpoints/999999", headers=world.headers(world.admin))
    assert missing.status_code == 404 and missing.json()["error"] == "webhook_endpoint_not_found"
