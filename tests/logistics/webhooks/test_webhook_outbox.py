"""Webhook outbox against a real HTTP receiver on loopback: one row per endpoint and
status change (written with the scan, once), signed bodies the receiver verifies, 5xx and
timeouts retried with backoff until the last try, 4xx refused for good, the sweep."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from logistics import events, jobs
from logistics.exceptions import Forbidden, InvalidInput
from logistics.models import WebhookDelivery
from logistics.models.enums import ItemStatus, Role, ScanCode, WebhookDeliveryStatus
from logistics.models.types import utcnow
from logistics.webhooks import endpoints, outbox, signing
from logistics.webhooks.settings import WebhookSettings
from support.sessions import savepoint
from support.webhook_receiver import WebhookReceiver
from tests.logistics.notify.notify_factories import FULL_NAME, make_item, make_place
from tests.logistics.webhooks.webhook_factories import status_change
from tests.web.factories import build_world

W = WebhookDeliveryStatus
FAST = WebhookSettings(max_tries=3, timeout_s=1.0, backoff_base_s=0.0, dispatch_grace_s=0)


@pytest.fixture()
def admin(session):
    return build_world(session).admin


def _deliveries(session):
    return session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def _factory(session):
    """Units of work inside the test's transaction, as ``session_scope`` gives the task."""
    return lambda: savepoint(session)


def test_one_row_per_listening_endpoint_written_with_thestatus_change(session, admin):
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    everything = endpoints.register(session, actor=admin, url="https://one-stop.example.vn/hooks")
    delivered_only = endpoints.register(session, actor=admin, url="https://b.example.vn/h", events=["delivered"])
    other_province = endpoints.register(session, actor=admin, url="https://c.example.vn/h", province_code="01")
    mark = jobs.checkpoint(session)
    event = status_change(session, item)
    events.publish(session, event)  # replayed: still one row
    rows = _deliveries(session)
    assert [r.endpoint_id for r in rows] == [everything.id]
    assert rows[0].event_key == f"scan:{event.scan_event_id}" and rows[0].status is W.PENDING
    payload = rows[0].payload
    assert payload["status"] == "out_for_delivery" and payload["item"]["s10"] == item.s10
    assert FULL_NAME not in json.dumps(payload, ensure_ascii=False) and "+849" not in json.dumps(payload)
    assert [j.name for j in jobs.pending(session)[mark:]].count(outbox.SEND_TASK) == 1
    status_change(session, item, ItemStatus.DELIVERED, ScanCode.DELIVERED)
    assert {r.endpoint_id for r in _deliveries(session)} == {everything.id, delivered_only.id}
    assert other_province.id not in {r.endpoint_id for r in _deliveries(session)}


def test_endpoints_read_once_a_transaction_and_again_after_a_registration(session, admin):
    """A batch reads the listening endpoints once; one registered or deactivated in the
    same transaction is seen by the next change."""
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    status_change(session, item)
    assert _deliveries(session) == []
    endpoint = endpoints.register(session, actor=admin, url="https://one-stop.example.vn/hooks")
    status_change(session, item, ItemStatus.DELIVERED, ScanCode.DELIVERED)
    assert [r.endpoint_id for r in _deliveries(session)] == [endpoint.id]
    endpoints.deactivate(session, actor=admin, endpoint_id=endpoint.id)
    status_change(session, item, ItemStatus.RETURNED, ScanCode.RETURNED_TO_AGENCY)
    assert len(_deliveries(session)) == 1


def test_signed_post_retried_on_500_then_delivered(session, admin):
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    with WebhookReceiver(script=[500, 503]) as hook:
        endpoint = endpoints.register(session, actor=admin, url=hook.url)
        hook.secret = endpoint.secret
        status_change(session, item)
        [row] = _deliveries(session)
        factory = _factory(session)
        for _ in range(2):
            with pytest.raises(outbox.WebhookTransientError):
                outbox.deliver(row.id, session_factory=factory, settings=FAST)
            session.refresh(row)
            assert row.status is W.PENDING and row.last_status_code in (500, 503)
        assert outbox.deliver(row.id, session_factory=factory, settings=FAST) == "delivered"
        assert outbox.deliver(row.id, session_factory=factory, settings=FAST) == "skipped"  # done already
    session.refresh(row)
    assert (row.status, row.tries, row.last_status_code) == (W.DELIVERED, 3, 200)
    assert [r.answered for r in hook.received] == [500, 503, 200] and all(r.signature_ok for r in hook.received)
    ids = {r.headers[signing.DELIVERY_HEADER] for r in hook.received}
    assert ids == {str(row.id)}
    body = hook.received[-1].json
    assert body["delivery_id"] == row.id and body["dossier_code"] and body["status"] == "out_for_delivery"


def test_gives_up_after_max_tries_and_on_4xx(session, admin):
    place = make_place(session)
    first, second = make_item(session, place, status=ItemStatus.IN_TRANSIT), make_item(session, place)
    with WebhookReceiver(script=[500, 500, 500, 410]) as hook:
        endpoint = endpoints.register(session, actor=admin, url=hook.url)
        hook.secret = endpoint.secret
        status_change(session, first)
        status_change(session, second)
        row, gone = _deliveries(session)
        factory = _factory(session)
        for _ in range(2):
            with pytest.raises(outbox.WebhookTransientError):
                outbox.deliver(row.id, session_factory=factory, settings=FAST)
        assert outbox.deliver(row.id, session_factory=factory, settings=FAST) == "failed"
        assert outbox.deliver(gone.id, session_factory=factory, settings=FAST) == "failed"
    session.refresh(row)
    session.refresh(gone)
    assert (row.status, row.tries) == (W.FAILED, 3) and "gave up after 3 tries" in row.last_error
    assert (gone.status, gone.tries, gone.last_status_code) == (W.FAILED, 1, 410)


def test_timeout_is_transient_with_backoff(session, admin):
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    settings = WebhookSettings(max_tries=3, timeout_s=0.3, backoff_base_s=30)
    with WebhookReceiver(script=["sleep:1.0"]) as hook:
        endpoint = endpoints.register(session, actor=admin, url=hook.url)
        hook.secret = endpoint.secret
        status_change(session, item)
        [row] = _deliveries(session)
        with pytest.raises(outbox.WebhookTransientError) as retry:
            outbox.deliver(row.id, session_factory=_factory(session), settings=settings)
    assert retry.value.retry_in == 30
    session.refresh(row)
    assert row.status is W.PENDING and row.last_error == "timeout"
    assert row.not_before > utcnow() + timedelta(seconds=25)
    assert settings.backoff(2) == 60 and settings.backoff(10) == settings.backoff_max_s


def test_sweep_redispatches_lost_and_stuck_rows(session, admin):
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    endpoints.register(session, actor=admin, url="https://one-stop.example.vn/hooks")
    status_change(session, item)
    [row] = _deliveries(session)
    settings = WebhookSettings(dispatch_grace_s=60, sending_lease_s=120)
    mark = jobs.checkpoint(session)
    assert outbox.sweep(session, settings=settings) == 0  # just queued: its message is on its way
    later = utcnow() + timedelta(minutes=5)
    assert outbox.sweep(session, now=later, settings=settings) == 1
    assert outbox.sweep(session, now=later, settings=settings) == 0  # touched: waits another grace
    row.status, row.updated_at = W.DELIVERED, later
    session.add(row)
    session.flush()
    assert outbox.sweep(session, now=later + timedelta(hours=1), settings=settings) == 0
    assert [j.kwargs for j in jobs.pending(session)[mark:]] == [{"delivery_id": row.id}]


def test_signature_scheme():
    body = b'{"a":1}'
    headers = signing.headers(secret="s3cret", body=body, event="item.status_changed", delivery_id=7, timestamp=1_800_000_000)
    assert signing.verify("s3cret", headers, body, now=1_800_000_100)
    assert not signing.verify("other", headers, body, now=1_800_000_100)
    assert not signing.verify("s3cret", headers, body + b" ", now=1_800_000_100)
    assert not signing.verify("s3cret", headers, body, now=1_800_000_000 + signing.TOLERANCE_S + 1)  # replayed later


def test_registration_rules(session, admin):
    with pytest.raises(InvalidInput) as bad_url:
        endpoints.register(session, actor=admin, url="ftp://x.example.vn/")
    assert bad_url.value.code == "invalid_webhook_url"
    with pytest.raises(InvalidInput) as bad_event:
        endpoints.register(session, actor=admin, url="https://x.example.vn/", events=["teleported"])
    assert bad_event.value.code == "invalid_webhook_events"
    world_user = admin.model_copy(update={"role": Role.DISPATCHER})
    with pytest.raises(Forbidden):
        endpoints.register(session, actor=world_user, url="https://x.example.vn/")


def test_unreachable_endpoint_is_transient(session, admin):
    place = make_place(session)
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    endpoints.register(session, actor=admin, url="http://127.0.0.1:9/nothing-listens")
    status_change(session, item)
    [row] = _deliveries(session)
    factory = _factory(session)
    with pytest.raises(outbox.WebhookTransientError):
        outbox.deliver(row.id, session_factory=factory, settings=FAST, client=httpx.Client(timeout=1.0))
    session.refresh(row)
    assert row.status is W.PENDING and row.last_error == "ConnectError"
