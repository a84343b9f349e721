"""Sending the outbox: claim a batch of rows, send them through the provider, record
the answers. The body of ``notify.send_batch``; at-least-once jobs make repeats harmless.

1. One transaction claims the due rows among the job's ids (``sending``, one more try)
   with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers given the same ids
   split them instead of waiting; renders the SMS that scans caused (``scan_drafts``:
   a scan writes only the row's key and cause); decides for each row: hold (quiet hours, the phone's
   hourly allowance), fail (too many tries, an expired delivery code) or send; issues
   the tracking tokens of the links in one INSERT; commits.
2. The provider is called for each message outside any transaction (one pooled client
   per process, ``sms.get_provider``).
3. The answers are recorded every ``record_every`` messages, in one statement each
   kind: the sid of a sent message, the error of a refused one, a transient error
   sends the row back to ``pending`` and the job re-queues it with backoff. A worker
   that dies between a provider's answer and this commit makes the lease expire and
   those (at most ``record_every``) messages go again: the one duplicate window.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from logistics import metrics
from logistics.db import session_scope
from logistics.models import Notification, TrackingToken
from logistics.models.enums import NotificationStatus
from logistics.models.types import utcnow
from logistics.notify import delivery_status, scan_drafts, sealed, sms
from logistics.notify.outbox import URGENT, chunks, lock_phones, quiet_release, recent_sends
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.tracking import links as tracking_links

log = logging.getLogger(__name__)

N = NotificationStatus
Outcome = Literal["sent", "held", "failed", "retry", "skipped"]
SessionFactory = Callable[[], AbstractContextManager[Session]]
_T = Notification.__table__
_ID = sa.bindparam("row_id")


@dataclass(frozen=True)
class Claimed:
    id: int
    item_id: int
    trigger: Any
    attempt: int
    to_e164: str | None  # None, with the body, until a scan's SMS is rendered (``scan_drafts``)
    body: str | None
    tries: int
    sealed: str | None
    scan_event_id: int | None


@dataclass
class BatchResult:
    outcomes: Counter[str] = field(default_factory=Counter)
    retry_ids: list[int] = field(default_factory=list)
    retry_in_s: int = 0
    last_error: sms.SmsTransientError | None = None


@dataclass
class _Plan:
    send: list[tuple[Claimed, str]] = field(default_factory=list)  # (row, final body)
    held: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------ claim and plan


def claim(session: Session, ids: Sequence[int], now: datetime, settings: NotifySettings) -> list[Claimed]:
    """Mark the claimable rows among ``ids`` ``sending`` (one more try), in one statement."""
    stale = now - timedelta(seconds=settings.sending_lease_s)
    claimable = sa.or_(
        _T.c.status == N.PENDING,
        sa.and_(_T.c.status == N.HELD, _T.c.not_before <= now),
        sa.and_(_T.c.status == N.SENDING, _T.c.updated_at < stale),
    )
    locked = (
        sa.select(_T.c.id).where(_T.c.id.in_(sorted(set(ids))), claimable).order_by(_T.c.id)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        sa.update(_T).where(_T.c.id.in_(locked.scalar_subquery()))
        .values(status=N.SENDING, updated_at=now, tries=_T.c.tries + 1)
        .returning(_T.c.id, _T.c.item_id, _T.c.trigger, _T.c.attempt, _T.c.to_e164, _T.c.body, _T.c.tries, _T.c.sealed,
                   _T.c.scan_event_id)
    ).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def _fail(row: Claimed, code: str, message: str) -> dict[str, Any]:
    return {"row_id": row.id, "error_code": code, "error_message": message[:255], "tries": row.tries - 1}


def plan(session: Session, rows: list[Claimed], now: datetime, settings: NotifySettings) -> _Plan:
    """Render the drafts, then hold, fail or send each claimed row; the bodies to send
    have their link and code."""
    out = _Plan()
    texts, unwritable = scan_drafts.render(session, rows, now=now)  # type: ignore[arg-type]
    tries = {row.id: row.tries for row in rows}
    out.failed += [{**failure, "tries": tries[failure["row_id"]] - 1} for failure in unwritable]  # not a try
    rows = [dataclasses.replace(r, to_e164=texts[r.id][0], body=texts[r.id][1]) if r.id in texts else r
            for r in rows if r.body is not None or r.id in texts]
    quiet = quiet_release(now, settings)
    lock_phones(session, (r.to_e164 for r in rows))
    used = recent_sends(session, phones=(r.to_e164 for r in rows), now=now, settings=settings,
                        exclude_ids=[r.id for r in rows])
    linked: list[tuple[Claimed, str]] = []
    for row in rows:
        urgent = row.trigger in URGENT
        count, oldest = used.get((row.to_e164, urgent), (0, now))
        if not urgent and quiet is not None:  # nothing was sent: not a try
            out.held.append({"row_id": row.id, "not_before": quiet, "tries": row.tries - 1})
            continue
        if urgent and count >= settings.max_codes_per_phone_per_hour:
            out.failed.append(_fail(row, "rate_limited", "too many delivery codes for this phone in the hour"))
            continue
        if not urgent and count >= settings.max_per_phone_per_hour:
            release = max(oldest + timedelta(hours=1), now + timedelta(seconds=1))
            out.held.append({"row_id": row.id, "not_before": release, "tries": row.tries - 1})
            continue
        if row.tries > settings.max_tries:
            out.failed.append({**_fail(row, "max_tries", f"gave up after {row.tries - 1} tries")})
            continue
        body = row.body
        if row.sealed is not None:
            try:
                body = sealed.fill_code(body, row.sealed, context=sealed.row_context(row.item_id, row.trigger, row.attempt), now=now)
            except sealed.CodeExpired:
                out.failed.append(_fail(row, "otp_expired", "the delivery code expired before it could be sent"))
                continue
            except sealed.SealBroken:
                out.failed.append(_fail(row, "sealed_unreadable", "the delivery code cannot be read (SECRET_KEY changed?)"))
                continue
        used[(row.to_e164, urgent)] = (count + 1, min(oldest, now))
        linked.append((row, body))
    out.send = _fill_links(session, linked, now)
    return out


def _fill_links(session: Session, rows: list[tuple[Claimed, str]], now: datetime) -> list[tuple[Claimed, str]]:
    """Every link placeholder replaced by a fresh token; the tokens' hashes in one INSERT."""
    filled, tokens = [], []
    for row, body in rows:
        if tracking_links.TOKEN_PLACEHOLDER in body:
            token = secrets.token_urlsafe(tracking_links.TOKEN_BYTES)
            tokens.append({"token_sha256": tracking_links.hash_token(token), "item_id": row.item_id, "created_at": now})
            body = body.replace(tracking_links.TOKEN_PLACEHOLDER, token)
        filled.append((row, body))
    if tokens:
        session.execute(sa.insert(TrackingToken), tokens)
    return filled


def _apply_plan(session: Session, decided: _Plan, now: datetime) -> None:
    if decided.held:
        session.execute(sa.update(_T).where(_T.c.id == _ID).values(status=N.HELD, updated_at=now), decided.held)
    if decided.failed:
        session.execute(sa.update(_T).where(_T.c.id == _ID).values(status=N.FAILED, updated_at=now, sealed=None),
                        decided.failed)


# ------------------------------------------------------------------------- send


def deliver_batch(
    notification_ids: Sequence[int],
    *,
    provider: sms.SmsProvider | None = None,
    session_factory: SessionFactory = session_scope,
    settings: NotifySettings | None = None,
    now: Callable[[], datetime] = utcnow,
) -> BatchResult:
    """Send the outbox rows ``notification_ids`` that are due; what became of them."""
    settings = settings or get_notify_settings()
    result = BatchResult()
    with session_factory() as session:
        at = now()
        rows = claim(session, notification_ids, at, settings)
        decided = plan(session, rows, at, settings)
        _apply_plan(session, decided, at)
    result.outcomes["skipped"] = len(set(notification_ids)) - len(rows)
    result.outcomes["held"] += len(decided.held)
    result.outcomes["failed"] += len(decided.failed)
    if not decided.send:
        return result
    provider = provider or sms.get_provider()
    callback = sms.status_callback_url()
    for chunk in chunks(decided.send, settings.record_every):
        answers = [(row, _send_one(provider, row, body, callback)) for row, body in chunk]
        _record(session_factory, provider.name, answers, now(), settings, result)
    return result


def _send_one(provider: sms.SmsProvider, row: Claimed, body: str, callback: str) -> sms.ProviderReceipt | sms.SmsError:
    try:
        return provider.send(row.to_e164, body, status_callback=callback)
    except sms.SmsError as error:
        return error
    except Exception:  # a bug must not lose the answers of the chunk's other messages
        log.exception("SMS %s: the provider call failed unexpectedly", row.id)
        return sms.SmsTransientError("unexpected error in the provider call", "error")


def _record(
    session_factory: SessionFactory, provider_name: str, answers: list[tuple[Claimed, sms.ProviderReceipt | sms.SmsError]],
    at: datetime, settings: NotifySettings, result: BatchResult,
) -> None:
    sent, refused, again = [], [], []
    for row, answer in answers:
        if isinstance(answer, sms.ProviderReceipt):
            sent.append({"row_id": row.id, "provider_sid": answer.sid})
            continue
        error = {"row_id": row.id, "error_code": (answer.code or "")[:20] or None, "error_message": answer.message[:255]}
        if isinstance(answer, sms.SmsPermanentError) or row.tries >= settings.max_tries:
            refused.append(error)
            log.info("SMS %s refused for good: %s", row.id, answer.code)
        else:
            delay = min(600, 5 * 2 ** row.tries)
            again.append({**error, "not_before": at + timedelta(seconds=delay)})
            result.retry_ids.append(row.id)
            result.retry_in_s = max(result.retry_in_s, delay)
            result.last_error = answer  # type: ignore[assignment]
    with session_factory() as session:
        if sent:
            session.execute(
                sa.update(_T).where(_T.c.id == _ID).values(
                    status=N.SENT, provider=provider_name, sent_at=at, updated_at=at, error_code=None,
                    error_message=None, not_before=None, sealed=None),
                sent,
            )
            delivery_status.apply_early_reports(session, sids=[s["provider_sid"] for s in sent], now=at)
        if refused:
            session.execute(sa.update(_T).where(_T.c.id == _ID).values(status=N.FAILED, updated_at=at, not_before=None,
                                                                          sealed=None), refused)
        if again:
            session.execute(sa.update(_T).where(_T.c.id == _ID).values(status=N.PENDING, updated_at=at), again)
    result.outcomes["sent"] += len(sent)
    result.outcomes["failed"] += len(refused)
    result.outcomes["retry"] += len(again)
    for _ in sent:
        metrics.sms_sent(provider_name)
    for _ in refused:
        metrics.sms_failed(provider_name, permanent=True)
    for _ in again:
        metrics.sms_failed(provider_name, permanent=False)


def deliver(notification_id: int, **kwargs: Any) -> Outcome:
    """Send one outbox row (``deliver_batch`` of one); raises ``SmsTransientError``
    after recording it, when the row went back to ``pending`` for a retry."""
    result = deliver_batch([notification_id], **kwargs)
    if result.retry_ids and result.last_error is not None:
        raise result.last_error
    for outcome in ("sent", "held", "failed", "skipped"):
        if result.outcomes[outcome]:
            return outcome  # type: ignore[return-value]
    return "skipped"
