"""Celery tasks of the SMS outbox: thin wrappers over ``outbox``.

``notify.send_notification`` is at-least-once (late acks, redelivery after a crash) and
retried on transient provider errors; ``outbox.deliver`` makes repeats harmless.
``notify.sweep_outbox`` runs every minute from beat.
"""

from __future__ import annotations

from logistics.db import session_scope
from logistics.notify import outbox
from logistics.notify.sms import SmsTransientError
from logistics.worker import celery_app


@celery_app.task(
    name="notify.send_notification",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SmsTransientError,),
    retry_backoff=5,  # 5, 10, 20... s (Celery rounds to whole seconds)
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=7,  # with the first call: NotifySettings.max_tries (8); then the row is failed
)
def send_notification(notification_id: int) -> str:
    """Send outbox row ``notification_id`` (a no-op when it is not due or already sent)."""
    return outbox.deliver(notification_id)


@celery_app.task(name="notify.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Re-dispatch outbox rows that lost their broker message, were held, or were stuck."""
    with session_scope() as session:
        return outbox.sweep(session)
