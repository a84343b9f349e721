"""The SMS that applied scans cause, written in bulk at the end of their unit of work.

A scan batch of 100 events publishes up to 100 ``ItemStatusChanged`` inside its
transaction. :func:`defer` only notes each event; :func:`write_pending` turns the noted
events into outbox rows, one INSERT ... SELECT per trigger: the key (item, trigger,
attempt, the attempt counted in the database), the causing scan and the status (held
in quiet hours), and no text. The sender renders the text when it claims the row
(``scan_drafts``). Rendering here cost four queries more in the scan's transaction (its
scan, dossier and recipient, its route's stops for the ETA): a one-event request with
the SMS took 13.65 M instructions and 11 statements against 6.53 M and 5 without
(callgrind, session 5, 2026-12-06).

Selecting from the scans drops the events whose savepoint rolled back: their scans are gone.

:func:`write_pending` runs when the unit of work commits: at the commit, or at the
release of the savepoint that wraps it (SQLAlchemy's ``before_commit`` fires for both),
so the rows still commit or roll back with their cause. Code that publishes and then
reads the outbox in the same open transaction calls :func:`write_pending` itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from logistics.events import ItemStatusChanged
from logistics.models import Item, Notification, ScanEvent
from logistics.models.enums import NotificationStatus, NotificationTrigger, ScanCode, ScanOutcome
from logistics.models.types import utcnow
from logistics.notify import outbox, service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.once import built_once
from logistics.tracking.context import among, among_key, among_value

_PENDING: Final = "notify.scan_events"


def defer(session: Session, event: ItemStatusChanged) -> None:
    """Note ``event``; its SMS is written with the others when the unit of work ends.

    Its item is held too: the session keeps an unchanged object weakly, and the unit of
    work may end after the scan's caller dropped it (one more query an SMS)."""
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, {}).setdefault(event.scan_event_id, (event, session.get(Item, event.item_id)))


def pending(session: Session) -> list[ItemStatusChanged]:
    return [event for event, _ in session.info.get(_PENDING, {}).values()]


@built_once
def _insert_drafts(dialect: str, among_dialect: str) -> sa.Insert:
    """The outbox rows of the scans among parameter ``ids`` for parameter ``trigger``,
    skipping existing (item, trigger, attempt) keys, built once per database dialect and
    ``context.among`` dialect. The attempt is the scan's rank among its item's applied scans of the same
    code (the second 'out for delivery' of an item is attempt 2)."""
    n, scan = Notification.__table__, ScanEvent.__table__
    earlier = scan.alias("earlier")
    attempt = (
        sa.select(sa.func.count()).where(
            earlier.c.item_id == scan.c.item_id, earlier.c.code == scan.c.code, earlier.c.id <= scan.c.id,
            sa.or_(earlier.c.outcome == ScanOutcome.APPLIED, earlier.c.id == scan.c.id))
        .scalar_subquery()
    )
    now = sa.bindparam("now", type_=n.c.created_at.type)
    columns = {
        "item_id": scan.c.item_id, "trigger": sa.bindparam("trigger", type_=n.c.trigger.type), "attempt": attempt,
        "scan_event_id": scan.c.id, "status": sa.bindparam("status", type_=n.c.status.type),
        "not_before": sa.bindparam("not_before", type_=n.c.not_before.type), "channel": sa.literal("sms"),
        "language": sa.literal("vi"), "encoding": sa.literal("gsm7"), "segments": sa.literal(1), "tries": sa.literal(0),
        "created_at": now, "updated_at": now,
    }
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(n).from_select(list(columns), sa.select(*columns.values()).where(among(among_dialect, scan.c.id, "ids")))
        .on_conflict_do_nothing(index_elements=["item_id", "trigger", "attempt"])
        .returning(n.c.id, n.c.status)
    )


def write_pending(session: Session, *, settings: NotifySettings | None = None, now: datetime | None = None) -> list[int]:
    """Write the outbox rows of the noted scan events; the ids of the new rows."""
    noted = session.info.pop(_PENDING, None)
    if not noted:
        return []
    by_trigger: dict[NotificationTrigger, list[int]] = defaultdict(list)
    for ev, held in noted.values():
        item = held if held is not None and held in session else session.get(Item, ev.item_id)
        trigger = service.scan_trigger(ScanCode(ev.scan_code), item) if item is not None else None
        if trigger is not None:
            by_trigger[trigger].append(ev.scan_event_id)
    if not by_trigger:
        return []
    session.flush()  # the scans this unit of work wrote through the ORM
    now = now or utcnow()
    quiet = outbox.quiet_release(now, settings or get_notify_settings())
    status, not_before = (NotificationStatus.PENDING, None) if quiet is None else (NotificationStatus.HELD, quiet)
    created: list[int] = []
    for trigger, ids in by_trigger.items():
        ids = sorted(ids)
        key = among_key(session, ids)
        rows = session.connection().execute(
            _insert_drafts(session.get_bind().dialect.name, key),
            {"ids": among_value(key, ids), "trigger": trigger, "status": status, "not_before": not_before, "now": now},
        ).all()
        for row_id, row_status in rows:
            if row_status == NotificationStatus.PENDING:
                outbox.dispatch_after_commit(session, row_id)
            created.append(row_id)
    return created


@event.listens_for(OrmSession, "before_commit", insert=True)  # before the outbox dispatches its new rows
def _write_at_commit(session: OrmSession) -> None:
    if session.info.get(_PENDING):
        write_pending(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_after_rollback(session: OrmSession, previous_transaction) -> None:  # noqa: ANN001
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
