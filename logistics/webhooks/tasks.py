"""Celery tasks of the webhook outbox: thin wrappers over ``outbox``.

``webhooks.deliver`` is at-least-once (late acks) and retries a transient failure after
the backoff ``outbox.deliver`` computed (``WebhookSettings.backoff``); the row itself
decides when to give up (``max_tries``), so the task retries without a limit of its
own. ``webhooks.sweep`` runs every minute from beat.
"""

from __future__ import annotations

from celery import Task

from logistics.db import session_scope
from logistics.webhooks import outbox
from logistics.worker import celery_app


@celery_app.task(name="webhooks.deliver", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver(self: Task, delivery_id: int) -> str:
    """POST delivery ``delivery_id`` (a no-op when it is not due or already done)."""
    try:
        return outbox.deliver(delivery_id)
    except outbox.WebhookTransientError as trouble:
        raise self.retry(countdown=trouble.retry_in, exc=trouble) from None


@celery_app.task(name="webhooks.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Re-dispatch deliveries that lost their broker message, are due again, or were stuck."""
    with session_scope() as session:
        return outbox.sweep(session)
