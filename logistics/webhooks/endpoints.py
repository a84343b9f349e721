"""Registering the one-stop system's webhook endpoints (admins only).

An endpoint has an absolute http(s) URL (https outside the province's own network),
an optional province (only that province's items)
and an event filter (item statuses; empty: every status). The signing secret is made
here and returned once, at registration.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, select

from logistics import audit
from logistics.exceptions import Forbidden, InvalidInput, NotFound
from logistics.models import User, WebhookEndpoint
from logistics.models.enums import ItemStatus, Role
from logistics.once import built_once
from logistics.webhooks.signing import new_secret

STATUSES = frozenset(s.value for s in ItemStatus)
_LISTENING = "webhooks.listening"  # session.info: (transaction, the endpoints it read)


def require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins manage webhook endpoints.", code="forbidden")


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("The URL must be an absolute http(s) address.", code="invalid_webhook_url")
    return url.strip()


def register(
    session: Session, *, actor: User, url: str, events: list[str] | None = None, province_code: str | None = None,
    description: str = "",
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (read it from the returned row once)."""
    require_admin(actor)
    unknown = sorted(set(events or ()) - STATUSES)
    if unknown:
        raise InvalidInput(f"Unknown statuses in the event filter: {', '.join(unknown)}; "
                           f"use {', '.join(sorted(STATUSES))}.", code="invalid_webhook_events")
    endpoint = WebhookEndpoint(url=_check_url(url), secret=new_secret(), province_code=province_code or None,
                               events=sorted(set(events or ())), description=description[:200],
                               created_by_user_id=actor.id)
    session.add(endpoint)
    session.flush()
    session.info.pop(_LISTENING, None)
    audit.record(session, actor_user_id=actor.id, action="webhook.registered", entity="webhook_endpoint",
                 entity_id=endpoint.id, url=endpoint.url, province=endpoint.province_code, events=endpoint.events)
    return endpoint


def get(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", code="webhook_endpoint_not_found")
    return endpoint


def deactivate(session: Session, *, actor: User, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to an endpoint (its log stays; pending deliveries are not sent)."""
    require_admin(actor)
    endpoint = get(session, endpoint_id)
    endpoint.active = False
    session.add(endpoint)
    session.info.pop(_LISTENING, None)
    audit.record(session, actor_user_id=actor.id, action="webhook.deactivated", entity="webhook_endpoint",
                 entity_id=endpoint.id)
    return endpoint


@built_once
def _listening() -> Any:
    return select(WebhookEndpoint.id, WebhookEndpoint.province_code, WebhookEndpoint.events).where(
        WebhookEndpoint.active.is_(True))  # type: ignore[attr-defined]


def listening(session: Session) -> list[Any]:
    """The active endpoints as rows of what routing a change needs (id, province_code,
    events), not entities: every applied scan asks, once per status change. Read once
    per transaction (a batch of 100 scans made 100 reads, most of its webhook cost,
    2026-12); :func:`register` and :func:`deactivate` drop what was read."""
    read = session.info.get(_LISTENING)
    if read is None or read[0] is None or read[0] is not session.get_transaction():
        rows = session.connection().execute(_listening()).all()  # Core: the ORM's execute costs twice as much
        read = session.info[_LISTENING] = (session.get_transaction(), rows)
    return read[1]


def wants(endpoint: Any, *, province_code: str | None, status: str) -> bool:
    """Whether ``endpoint`` listens to a change to ``status`` in ``province_code``."""
    return endpoint.province_code in (None, province_code) and (not endpoint.events or status in endpoint.events)
