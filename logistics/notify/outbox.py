"""The SMS outbox: write a row with its cause, send it after commit, never lose it.

1. :func:`queue_sms` writes a ``Notification`` in the caller's transaction (the scan,
   the intake, the reschedule, the delivery code), at most one per (item, trigger,
   attempt): a second identical request is a no-op that returns the existing row. The
   new rows of a transaction leave together: at its commit they are enqueued as
   ``notify.send_batch`` jobs of up to ``batch_size`` ids (``jobs.enqueue``, sent after
   the commit), so a scan batch of 100 events costs two broker messages, not 100.
2. ``sender.deliver_batch`` (the task's one call) claims the rows, sends them through
   the provider and records the answers (``sender.py``).
3. :func:`sweep` (beat, every minute) re-dispatches rows whose broker message was lost
   (pending too long), rows held until now (quiet hours, rate limit), and rows claimed
   by a worker that died (sending longer than the lease).

The one duplicate we cannot rule out: a worker that dies after the provider accepted
a message and before its sid was committed. Its lease expires and the message goes
again (providers have no idempotency key). ``bench/notify_throughput.py`` counts it.

Quiet hours are checked when a row is written (so its status says ``held`` at once)
and again at claim time, which is authoritative, as is the per-phone rate limit.
Delivery codes (``URGENT``) are never held: the postman is at the door.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from logistics import jobs
from logistics.exceptions import InvalidInput
from logistics.models import Notification
from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.models.types import utcnow
from logistics.notify.gsm import SmsText
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.once import built_once
from logistics.phones import normalise_vn_mobile
from logistics.workdays import LOCAL_TZ

log = logging.getLogger(__name__)

N = NotificationStatus
SEND_TASK: Final = "notify.send_batch"
# Sent at once whatever the hour, and limited by their own per-phone allowance.
URGENT: Final = frozenset({NotificationTrigger.DELIVERY_OTP})
_DISPATCH: Final = "notify.outbox_dispatch"


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


def lock_phones(session: Session, phones: Iterable[str]) -> None:
    """Serialise count-then-claim per phone across workers on PostgreSQL (in one
    statement, in a fixed order, so two workers never deadlock); SQLite serialises
    all writers anyway."""
    keys = sorted({f"sms:{phone}" for phone in phones})
    if keys and session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS text[])) AS k ORDER BY h) AS s"),
            {"keys": keys},
        )


def recent_sends(
    session: Session, *, phones: Iterable[str], now: datetime, settings: NotifySettings, exclude_ids: Iterable[int] = (),
) -> dict[tuple[str, bool], tuple[int, datetime]]:
    """Per (phone, urgent): how many SMS went out in the last hour or are being sent,
    and the oldest of them: what the per-phone allowances are counted against."""
    phones = sorted(set(phones))
    if not phones:
        return {}
    hour_ago = now - timedelta(hours=1)
    lease_start = now - timedelta(seconds=settings.sending_lease_s)
    sent_in_hour = sa.and_(Notification.sent_at.is_not(None), Notification.sent_at > hour_ago)  # type: ignore[union-attr]
    in_flight = sa.and_(Notification.status == N.SENDING, Notification.updated_at > lease_start)
    urgent = Notification.trigger.in_(sorted(URGENT))  # type: ignore[attr-defined]
    query = (
        select(Notification.to_e164, urgent, sa.func.count(), sa.func.min(sa.func.coalesce(Notification.sent_at, Notification.updated_at)))
        .where(Notification.to_e164.in_(phones), sa.or_(sent_in_hour, in_flight))  # type: ignore[attr-defined]
        .group_by(Notification.to_e164, urgent)
    )
    excluded = sorted(set(exclude_ids))
    if excluded:
        query = query.where(Notification.id.not_in(excluded))  # type: ignore[union-attr]
    return {(phone, bool(is_urgent)): (int(count), oldest) for phone, is_urgent, count, oldest in session.exec(query)}


def rate_release(
    session: Session, *, phone: str, now: datetime, settings: NotifySettings, exclude_id: int | None = None
) -> datetime | None:
    """When ``phone`` may receive another ordinary SMS, if its hourly allowance is used up."""
    counts = recent_sends(session, phones=[phone], now=now, settings=settings,
                          exclude_ids=[exclude_id] if exclude_id is not None else ())
    count, oldest = counts.get((phone, False), (0, now))
    if count < settings.max_per_phone_per_hour:
        return None
    return max(oldest + timedelta(hours=1), now + timedelta(seconds=1))


def urgent_allowance_left(session: Session, *, phone: str, now: datetime, settings: NotifySettings) -> int:
    """How many more delivery codes ``phone`` may receive in the current hour."""
    count, _ = recent_sends(session, phones=[phone], now=now, settings=settings).get((phone, True), (0, now))
    return max(0, settings.max_codes_per_phone_per_hour - count)


# ----------------------------------------------------------------------- queue


@dataclass(frozen=True)
class Draft:
    """An SMS to write: the (item, trigger, attempt) key, the recipient, the text."""

    item_id: int
    trigger: NotificationTrigger
    attempt: int
    phone: str  # as stored on the person
    language: str
    text: SmsText
    sealed: str | None = None  # what the body's code placeholder stands for (notify.sealed)


def _row_values(draft: Draft, now: datetime, quiet: datetime | None) -> dict[str, object]:
    values: dict[str, object] = {
        "item_id": draft.item_id, "trigger": draft.trigger, "attempt": draft.attempt, "channel": "sms",
        "language": draft.language, "body": draft.text.body, "encoding": draft.text.encoding,
        "segments": draft.text.segments, "status": N.PENDING, "to_e164": (draft.phone or "")[:16], "provider": None,
        "provider_sid": None, "error_code": None, "error_message": None, "tries": 0, "not_before": None,
        "sent_at": None, "created_at": now, "updated_at": now, "sealed": draft.sealed,
    }
    try:
        values["to_e164"] = normalise_vn_mobile(draft.phone)
    except InvalidInput as invalid:
        values.update(status=N.FAILED, error_code="invalid_phone", error_message=invalid.detail[:255], sealed=None)
        return values
    if quiet is not None and draft.trigger not in URGENT:
        values.update(status=N.HELD, not_before=quiet)
    return values


def queue_many(session: Session, drafts: list[Draft], *, now: datetime | None = None,
               settings: NotifySettings | None = None) -> list[int]:
    """Write the rows of ``drafts`` that do not exist yet, in one INSERT; their ids.
    The pending ones are sent after the commit.

    A phone that is not a valid Vietnamese mobile gives a row ``failed`` with
    ``error_code="invalid_phone"`` (visible to the dispatcher) and nothing is sent.
    Quiet hours hold the row at once; the per-phone limit is applied at claim time.
    """
    if not drafts:
        return []
    now = now or utcnow()
    quiet = quiet_release(now, settings or get_notify_settings())
    # One executemany: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues")
    # with a statement compiled once, where a literal multi-row VALUES is compiled anew.
    created = session.execute(
        _insert_new(session.get_bind().dialect.name), [_row_values(d, now, quiet) for d in drafts]
    ).all()
    for row_id, status in created:
        if status == N.PENDING:
            dispatch_after_commit(session, row_id)
    return [row_id for row_id, _ in created]


@built_once
def _insert_new(dialect: str) -> sa.Insert:
    """The outbox INSERT skipping existing (item, trigger, attempt) rows, built once per
    dialect (building it cost as much as running it, one-event scans, 2026-11)."""
    table = Notification.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(table).on_conflict_do_nothing(index_elements=["item_id", "trigger", "attempt"])
            .returning(table.c.id, table.c.status))


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
    sealed: str | None = None,
) -> Notification:
    """Write the outbox row for (item, trigger, attempt) unless it exists (``queue_many``
    of one); the row, new or existing."""
    draft = Draft(item_id=item_id, trigger=trigger, attempt=attempt, phone=phone, language=language, text=text,
                  sealed=sealed)
    queue_many(session, [draft], now=now, settings=settings)
    return session.exec(
        select(Notification).where(
            Notification.item_id == item_id, Notification.trigger == trigger, Notification.attempt == attempt
        ).execution_options(populate_existing=True)
    ).one()


# -------------------------------------------------------------------- dispatch


def dispatch_after_commit(session: Session, notification_id: int) -> None:
    """Send ``notification_id`` in a batch job when ``session`` commits."""
    if not session.in_transaction():
        session.begin()  # see jobs.enqueue: a rollback must have something to drop
    session.info.setdefault(_DISPATCH, []).append(notification_id)


def awaiting_dispatch(session: Session) -> list[int]:
    """The ids that leave for a worker when ``session`` commits (for tests and diagnostics):
    still to be batched, or batched already (a released savepoint batches its rows)."""
    batched = [i for job in jobs.pending(session) if job.name == SEND_TASK for i in job.kwargs["notification_ids"]]
    return batched + list(session.info.get(_DISPATCH, ()))


def chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), max(1, size)):
        yield ids[start:start + size]


def enqueue_batches(session: Session, ids: list[int], settings: NotifySettings | None = None) -> int:
    """Enqueue ``notify.send_batch`` jobs for ``ids`` (sent after the commit); how many."""
    settings = settings or get_notify_settings()
    batches = list(chunks(ids, settings.batch_size))
    for batch in batches:
        jobs.enqueue(session, SEND_TASK, merge="notification_ids", merge_max=settings.batch_size,
                     notification_ids=batch)
    return len(batches)


@event.listens_for(OrmSession, "before_commit")
def _dispatch_at_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():  # fired for a released savepoint too: wait for the real commit
        return
    ids = session.info.pop(_DISPATCH, None)
    if ids:
        enqueue_batches(session, ids)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_after_rollback(session: OrmSession, previous_transaction) -> None:  # noqa: ANN001
    if previous_transaction.parent is None:
        session.info.pop(_DISPATCH, None)


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
    if rows:
        enqueue_batches(session, [row_id for row_id, _status in rows], settings)
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
