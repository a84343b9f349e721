"""The webhook outbox: a delivery row written with its cause, POSTed after commit,
retried with backoff, never lost.

1. :func:`queue_status_change` (a subscriber of ``ItemStatusChanged``) writes one
   ``WebhookDelivery`` per listening endpoint in the transaction of the scan, at most
   one per (endpoint, scan event): a replayed event adds nothing. The body is fixed
   then (codes and statuses only, no personal data); the send is enqueued for after
   the commit.
2. :func:`deliver` claims the row (``sending``, one more try) and commits, POSTs the
   signed body (``signing``), then records the answer: 2xx delivered; 5xx, 429, a
   timeout or a refused connection are transient (``pending`` again with
   ``not_before`` = now + backoff, and :class:`WebhookTransientError` for the task to
   retry); any other answer (4xx) fails the row for good. After ``max_tries`` tries a
   transient failure fails it too.
3. :func:`sweep` (beat, every minute) re-dispatches rows whose broker message was lost
   or whose retry is due, and rows claimed by a worker that died.

Receivers may see a delivery twice (a worker dying after the POST and before the
commit): the ``X-BCCI-Delivery`` header is the same on every try, to deduplicate on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from logistics import jobs
from logistics.claims import claim_row
from logistics.db import session_scope
from logistics.events import ItemStatusChanged
from logistics.models import Agency, Dossier, Item, PostOffice, WebhookDelivery, WebhookEndpoint
from logistics.models.enums import WebhookDeliveryStatus
from logistics.models.types import utcnow
from logistics.webhooks import endpoints, signing
from logistics.webhooks.settings import WebhookSettings, get_webhook_settings

log = logging.getLogger(__name__)

W = WebhookDeliveryStatus
SEND_TASK = "webhooks.deliver"
EVENT = "item.status_changed"
Outcome = Literal["delivered", "failed", "retry", "skipped"]
SessionFactory = Callable[[], AbstractContextManager[Session]]


class WebhookTransientError(Exception):
    """The endpoint did not take the delivery this time; try again after ``retry_in`` s."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


# ----------------------------------------------------------------------- queue


def _payload(session: Session, event: ItemStatusChanged) -> tuple[dict[str, Any], str | None]:
    item = session.get(Item, event.item_id)
    if item is None:
        return {}, None
    row = session.execute(
        select(Dossier.code, Agency.code, PostOffice.code, PostOffice.province_code)
        .join(Agency, Agency.id == Dossier.agency_id)
        .join(PostOffice, PostOffice.id == item.post_office_id)
        .where(Dossier.id == item.dossier_id)
    ).one()
    dossier_code, agency_code, office_code, province_code = row
    return {
        "event": EVENT,
        "occurred_at": event.at.isoformat(),
        "dossier_code": dossier_code,
        "agency_code": agency_code,
        "item": {"s10": item.s10, "leg": item.leg.value, "post_office": office_code},
        "status": event.status,
        "previous_status": event.previous_status,
        "scan_code": event.scan_code,
    }, province_code


def _insert_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert the delivery unless (endpoint, event key) exists; the new id or None."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(WebhookDelivery).values(**values)
        .on_conflict_do_nothing(index_elements=["endpoint_id", "event_key"])
        .returning(WebhookDelivery.id)
    )
    return session.execute(statement).scalar_one_or_none()


def queue_status_change(session: Session, event: ItemStatusChanged, *, now: datetime | None = None) -> list[int]:
    """Write a delivery for every endpoint listening to this change; the new rows' ids."""
    now = now or utcnow()
    listening = endpoints.listening(session)
    if not listening:  # the usual case on a scan: one cheap query, nothing else
        return []
    payload, province_code = _payload(session, event)
    if not payload:
        return []
    new_ids = []
    for endpoint in listening:
        if not endpoints.wants(endpoint, province_code=province_code, status=event.status):
            continue
        new_id = _insert_new(session, {
            "endpoint_id": endpoint.id, "event_key": f"scan:{event.scan_event_id}", "event_type": EVENT,
            "item_id": event.item_id, "payload": payload, "status": W.PENDING, "tries": 0,
            "created_at": now, "updated_at": now,
        })
        if new_id is not None:
            new_ids.append(new_id)
            jobs.enqueue(session, SEND_TASK, delivery_id=new_id)
    return new_ids


# --------------------------------------------------------------------- deliver


def _claim(session: Session, delivery_id: int, now: datetime, settings: WebhookSettings) -> WebhookDelivery | None:
    stale = now - timedelta(seconds=settings.sending_lease_s)
    due = sa.or_(WebhookDelivery.not_before.is_(None), WebhookDelivery.not_before <= now)  # type: ignore[union-attr, operator]
    claimable = sa.or_(
        sa.and_(WebhookDelivery.status == W.PENDING, due),
        sa.and_(WebhookDelivery.status == W.SENDING, WebhookDelivery.updated_at < stale),
    )
    return claim_row(session, WebhookDelivery, delivery_id, claimable=claimable, status=W.SENDING, now=now)


def _record(session_factory: SessionFactory, delivery_id: int, **values: Any) -> None:
    with session_factory() as session:
        session.execute(
            sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
            .execution_options(synchronize_session=False)
        )


def deliver(
    delivery_id: int,
    *,
    client: httpx.Client | None = None,
    session_factory: SessionFactory = session_scope,
    settings: WebhookSettings | None = None,
    now: Callable[[], datetime] = utcnow,
) -> Outcome:
    """POST one delivery; raise ``WebhookTransientError`` (after recording it) to be retried."""
    settings = settings or get_webhook_settings()
    with session_factory() as session:
        row = _claim(session, delivery_id, now(), settings)
        if row is None:
            return "skipped"
        endpoint = session.get(WebhookEndpoint, row.endpoint_id)
        if endpoint is None or not endpoint.active:
            row.status, row.last_error, row.tries = W.FAILED, "endpoint deactivated", row.tries - 1
            return "failed"
        url, secret, tries = endpoint.url, endpoint.secret, row.tries
        body = json.dumps({**row.payload, "delivery_id": row.id}, ensure_ascii=False, separators=(",", ":")).encode()
    headers = signing.headers(secret=secret, body=body, event=EVENT, delivery_id=delivery_id)
    own_client = client is None
    http = client or httpx.Client(timeout=settings.timeout_s)
    try:
        answer = http.post(url, content=body, headers=headers)
        code, error = answer.status_code, None if answer.is_success else f"HTTP {answer.status_code}"
    except httpx.TimeoutException:
        code, error = None, "timeout"
    except httpx.TransportError as trouble:
        code, error = None, f"{type(trouble).__name__}"[:255]
    finally:
        if own_client:
            http.close()
    if error is None:
        _record(session_factory, delivery_id, status=W.DELIVERED, delivered_at=now(), updated_at=now(),
                last_status_code=code, last_error=None, not_before=None)
        return "delivered"
    transient = code is None or code >= 500 or code == 429
    if not transient or tries >= settings.max_tries:
        final = error if not transient else f"{error}; gave up after {tries} tries"
        _record(session_factory, delivery_id, status=W.FAILED, updated_at=now(), last_status_code=code,
                last_error=final[:255], not_before=None)
        log.info("webhook delivery %s failed: %s", delivery_id, final)
        return "failed"
    wait = settings.backoff(tries)
    _record(session_factory, delivery_id, status=W.PENDING, updated_at=now(), last_status_code=code,
            last_error=error, not_before=now() + timedelta(seconds=wait))
    raise WebhookTransientError(f"delivery {delivery_id}: {error}", retry_in=wait)


# ----------------------------------------------------------------------- sweep


def sweep(session: Session, *, now: datetime | None = None, settings: WebhookSettings | None = None) -> int:
    """Enqueue a send for every delivery that should be moving and is not; how many."""
    now = now or utcnow()
    settings = settings or get_webhook_settings()
    grace = now - timedelta(seconds=settings.dispatch_grace_s)
    lease = now - timedelta(seconds=settings.sending_lease_s)
    due = sa.or_(WebhookDelivery.not_before.is_(None), WebhookDelivery.not_before <= now)  # type: ignore[union-attr, operator]
    waiting = sa.and_(WebhookDelivery.status == W.PENDING, WebhookDelivery.updated_at < grace, due)
    crashed = sa.and_(WebhookDelivery.status == W.SENDING, WebhookDelivery.updated_at < lease)
    ids = list(session.exec(
        select(WebhookDelivery.id).where(sa.or_(waiting, crashed)).order_by(WebhookDelivery.id).limit(settings.sweep_batch)
    ))
    if ids:
        # The next sweep waits another grace period before sending them again.
        session.execute(
            sa.update(WebhookDelivery).where(WebhookDelivery.id.in_(ids), WebhookDelivery.status == W.PENDING)  # type: ignore[union-attr]
            .values(updated_at=now).execution_options(synchronize_session=False)
        )
        log.info("webhook sweep re-dispatched %d deliveries", len(ids))
    for delivery_id in ids:
        jobs.enqueue(session, SEND_TASK, delivery_id=delivery_id)
    return len(ids)
