"""Celery tasks of the SMS outbox: thin wrappers over ``sender`` and ``outbox``.

``notify.send_batch`` is at-least-once (late acks, redelivery after a crash);
``sender.deliver_batch`` makes repeats harmless. Rows that met a transient provider
error go back to ``pending`` and are sent again by a new job after the backoff (and by
the sweep if that job is lost). ``notify.sweep_outbox`` runs every minute from beat.
"""

from __future__ import annotations

from logistics.db import session_scope
from logistics.notify import delivery_status, outbox, sender
from logistics.worker import celery_app


@celery_app.task(name="notify.send_batch", acks_late=True, ignore_result=True)
def send_batch(notification_ids: list[int]) -> dict[str, int]:
    """Send the due rows among ``notification_ids``; re-queue the transient failures."""
    result = sender.deliver_batch(notification_ids)
    if result.retry_ids:
        send_batch.apply_async((result.retry_ids,), countdown=result.retry_in_s)
    return dict(result.outcomes)


@celery_app.task(name="notify.send_notification", acks_late=True, ignore_result=True)
def send_notification(notification_id: int) -> dict[str, int]:
    """The one-row job of earlier releases, still in brokers during an upgrade."""
    return send_batch(notification_ids=[notification_id])


@celery_app.task(name="notify.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Re-dispatch outbox rows that lost their broker message, were held, or were stuck;
    apply delivery reports that arrived before their sid was recorded."""
    with session_scope() as session:
        delivery_status.apply_early_reports(session)
        return outbox.sweep(session)
