"""The SMS outbox: write a row with its cause, send it after commit, never lose it.

1. :func:`queue_sms` writes a ``Notification`` in the caller's transaction (the scan,
   the intake, the reschedule), at most one per (item, trigger, attempt): a second
   identical request is a no-op that returns the existing row. It enqueues
   ``notify.send_notification`` for after the commit (``jobs.enqueue``).
2. :func:`deliver` (the task's one call) claims the row (status ``sending``, one more
   try) and commits, calls the provider, then records the provider's sid. A message
   that is not claimable (sent already, claimed by a live worker) is skipped, so
   duplicate task messages are harmless.
3. :func:`sweep` (beat, every minute) re-dispatches rows whose broker message was lost
   (pending too long), rows held until now (quiet hours, rate limit), and rows claimed
   by a worker that died (sending longer than the lease).

The one duplicate we cannot rule out: a worker that dies after the provider accepted
a message and before the sid was committed. Its lease expires and the message goes
again (providers have no idempotency key). ``bench/notify_throughput.py`` counts it.

Quiet hours and the per-phone rate limit are checked when a row is written (so its
status says ``held`` at once) and again at claim time, which is authoritative.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from logistics import jobs, metrics
from logistics.db import session_scope
from logistics.exceptions import InvalidInput
from logistics.models import Notification
from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.models.types import utcnow
from logistics.notify import sms
from logistics.notify.gsm import SmsText
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.phones import normalise_vn_mobile
from logistics.tracking import links as tracking_links
from logistics.workdays import LOCAL_TZ

log = logging.getLogger(__name__)

N = NotificationStatus
SEND_TASK = "notify.send_notification"
Outcome = Literal["sent", "held", "failed", "retry", "skipped"]
SessionFactory = Callable[[], AbstractContextManager[Session]]


# ------------------------------------------------------------------ timing rules


def quiet_release(now: datetime, settings: NotifySettings) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None outside them."""
    if not settings.quiet_hours_enabled:
        return None
    local = now.astimezone(LOCAL_TZ)
    start, end, t = settings.quiet_start, settings.quiet_end, local.time()
    quiet = (t >= start or t < end) if start > end else (start <= t < end)
    if not quiet:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)


def _lock_phone(session: Session, phone: str) -> None:
    # Serialises count-then-claim per phone across workers on PostgreSQL; SQLite
    # serialises all writers anyway.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"sms:{phone}"})


def rate_release(
    session: Session, *, phone: str, now: datetime, settings: NotifySettings, exclude_id: int | None = None
) -> datetime | None:
    """When ``phone`` may receive another SMS, if its hourly allowance is used up."""
    hour_ago = now - timedelta(hours=1)
    lease_start = now - timedelta(seconds=settings.sending_lease_s)
    sent_in_hour = sa.and_(Notification.sent_at.is_not(None), Notification.sent_at > hour_ago)  # type: ignore[union-attr]
    in_flight = sa.and_(Notification.status == N.SENDING, Notification.updated_at > lease_start)
    query = select(Notification.sent_at, Notification.updated_at).where(
        Notification.to_e164 == phone, sa.or_(sent_in_hour, in_flight)
    )
    if exclude_id is not None:
        query = query.where(Notification.id != exclude_id)
    rows = session.exec(query).all()
    if len(rows) < settings.max_per_phone_per_hour:
        return None
    oldest = min((sent_at or updated_at) for sent_at, updated_at in rows)
    return max(oldest + timedelta(hours=1), now + timedelta(seconds=1))


# ----------------------------------------------------------------------- queue


def _insert_once(session: Session, row: Notification) -> tuple[Notification, bool]:
    values = {c.name: getattr(row, c.name) for c in Notification.__table__.columns if c.name != "id"}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["item_id", "trigger", "attempt"])
        .returning(Notification.id)
    )
    new_id = session.execute(statement).scalar_one_or_none()
    if new_id is None:
        existing = session.exec(
            select(Notification).where(
                Notification.item_id == row.item_id,
                Notification.trigger == row.trigger,
                Notification.attempt == row.attempt,
            )
        ).one()
        return existing, False
    return session.get(Notification, new_id), True  # type: ignore[return-value]


def queue_sms(
    session: Session,
    *,
    item_id: int,
    trigger: NotificationTrigger,
    phone: str,
    language: str,
    text: SmsText,
    attempt: int = 1,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> Notification:
    """Write the outbox row for (item, trigger, attempt) unless it exists; send after commit.

    ``phone`` as stored on the person; a number that is not a valid Vietnamese mobile
    gives a row ``failed`` with ``error_code="invalid_phone"`` (visible to the
    dispatcher) and nothing is sent.
    """
    now = now or utcnow()
    settings = settings or get_notify_settings()
    row = Notification(
        item_id=item_id, trigger=trigger, attempt=attempt, language=language, body=text.body,
        encoding=text.encoding, segments=text.segments, to_e164=(phone or "")[:16], created_at=now, updated_at=now,
    )
    try:
        row.to_e164 = normalise_vn_mobile(phone)
    except InvalidInput as invalid:
        row.status, row.error_code, row.error_message = N.FAILED, "invalid_phone", invalid.detail[:255]
    if row.status is N.PENDING:
        hold = quiet_release(now, settings) or rate_release(session, phone=row.to_e164, now=now, settings=settings)
        if hold is not None:
            row.status, row.not_before = N.HELD, hold
    saved, created = _insert_once(session, row)
    if created and saved.status is N.PENDING:
        jobs.enqueue(session, SEND_TASK, notification_id=saved.id)
    return saved


# --------------------------------------------------------------------- deliver


def _claim(session: Session, notification_id: int, now: datetime, settings: NotifySettings) -> Notification | None:
    """Mark the row ``sending`` (one more try) if it is claimable, in one statement; the row, or None."""
    stale = now - timedelta(seconds=settings.sending_lease_s)
    claimable = sa.or_(
        Notification.status == N.PENDING,
        sa.and_(Notification.status == N.HELD, Notification.not_before <= now),  # type: ignore[operator]
        sa.and_(Notification.status == N.SENDING, Notification.updated_at < stale),
    )
    return session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, claimable)
        .values(status=N.SENDING, updated_at=now, tries=Notification.tries + 1)
        .returning(Notification)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _prepare(
    session: Session, notification_id: int, now: datetime, settings: NotifySettings
) -> tuple[Outcome, Notification | None, str]:
    """Claim the row and decide: send (with the final body), hold, fail or skip."""
    row = _claim(session, notification_id, now, settings)
    if row is None:
        return "skipped", None, ""
    hold = quiet_release(now, settings)
    if hold is None:
        _lock_phone(session, row.to_e164)
        hold = rate_release(session, phone=row.to_e164, now=now, settings=settings, exclude_id=row.id)
    if hold is not None:
        row.status, row.not_before, row.tries = N.HELD, hold, row.tries - 1  # not a try: nothing was sent
        return "held", row, ""
    if row.tries > settings.max_tries:
        row.status, row.error_code, row.tries = N.FAILED, row.error_code or "max_tries", row.tries - 1
        row.error_message = f"gave up after {row.tries} tries"
        return "failed", row, ""
    body = tracking_links.fill_placeholder(session, row.body, item_id=row.item_id, now=now)
    return "sent", row, body


def deliver(
    notification_id: int,
    *,
    provider: sms.SmsProvider | None = None,
    session_factory: SessionFactory = session_scope,
    settings: NotifySettings | None = None,
    now: Callable[[], datetime] = utcnow,
) -> Outcome:
    """Send one outbox row: claim and commit, call the provider, record its answer.

    Raises ``SmsTransientError`` after recording it (the row is ``pending`` again), so
    that the task retries with backoff; the sweep retries too if the task gives up.
    """
    settings = settings or get_notify_settings()
    with session_factory() as session:
        outcome, row, body = _prepare(session, notification_id, now(), settings)
        if outcome != "sent" or row is None:
            return outcome
        to, tries = row.to_e164, row.tries
    provider = provider or sms.get_provider()
    try:
        receipt = provider.send(to, body, status_callback=sms.status_callback_url())
    except sms.SmsPermanentError as refused:
        metrics.sms_failed(provider.name, permanent=True)
        _record_failure(session_factory, notification_id, refused, now(), N.FAILED)
        log.info("SMS %s refused for good: %s", notification_id, refused.code)
        return "failed"
    except sms.SmsTransientError as trouble:
        metrics.sms_failed(provider.name, permanent=False)
        final = tries >= settings.max_tries
        _record_failure(session_factory, notification_id, trouble, now(), N.FAILED if final else N.PENDING,
                        retry_at=now() + timedelta(seconds=min(600, 5 * 2 ** tries)))
        if final:
            return "failed"
        raise
    with session_factory() as session:
        session.execute(
            sa.update(Notification)
            .where(Notification.id == notification_id)
            .values(status=N.SENT, provider=provider.name, provider_sid=receipt.sid, sent_at=now(), updated_at=now(),
                    error_code=None, error_message=None, not_before=None)
            .execution_options(synchronize_session=False)
        )
    metrics.sms_sent(provider.name)
    return "sent"


def _record_failure(
    session_factory: SessionFactory, notification_id: int, error: sms.SmsError, at: datetime,
    status: NotificationStatus, *, retry_at: datetime | None = None,
) -> None:
    with session_factory() as session:
        session.execute(
            sa.update(Notification)
            .where(Notification.id == notification_id)
            .values(status=status, error_code=(error.code or "")[:20] or None, error_message=error.message[:255],
                    not_before=retry_at, updated_at=at)
            .execution_options(synchronize_session=False)
        )


# ----------------------------------------------------------------------- sweep


def sweep(session: Session, *, now: datetime | None = None, settings: NotifySettings | None = None) -> int:
    """Enqueue a send for every row that should be moving and is not; return how many."""
    now = now or utcnow()
    settings = settings or get_notify_settings()
    grace = now - timedelta(seconds=settings.dispatch_grace_s)
    lease = now - timedelta(seconds=settings.sending_lease_s)
    due = sa.or_(Notification.not_before.is_(None), Notification.not_before <= now)  # type: ignore[union-attr, operator]
    lost = sa.and_(Notification.status == N.PENDING, Notification.updated_at < grace, due)
    released = sa.and_(Notification.status == N.HELD, Notification.not_before <= now, Notification.updated_at < grace)  # type: ignore[operator]
    crashed = sa.and_(Notification.status == N.SENDING, Notification.updated_at < lease)
    rows = session.exec(
        select(Notification.id, Notification.status)
        .where(sa.or_(lost, released, crashed))
        .order_by(Notification.id)
        .limit(settings.sweep_batch)
    ).all()
    touch = [row_id for row_id, status in rows if status is not N.SENDING]
    if touch:
        # So that the next sweep waits another grace period before sending them again.
        session.execute(
            sa.update(Notification).where(Notification.id.in_(touch)).values(updated_at=now)  # type: ignore[union-attr]
            .execution_options(synchronize_session=False)
        )
    for row_id, _status in rows:
        jobs.enqueue(session, SEND_TASK, notification_id=row_id)
    if rows:
        log.info("outbox sweep re-dispatched %d notifications", len(rows))
    return len(rows)


def backlog(session: Session) -> dict[str, int]:
    """How many messages wait in the outbox, by status (pending, held, sending)."""
    waiting = (N.PENDING, N.HELD, N.SENDING)
    counts = dict(session.exec(
        select(Notification.status, sa.func.count()).where(Notification.status.in_(waiting))  # type: ignore[attr-defined]
        .group_by(Notification.status)
    ).all())
    return {status.value: int(counts.get(status, 0)) for status in waiting}
