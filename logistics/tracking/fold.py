"""An item's status is a fold of its scans in device-time order.

The item keeps the state it had before its first scan (``Item.scan_base_*``). Its
status is what the state machine reaches by applying, in order of (device time,
client id), every scan that fits where it falls; a scan that does not fit there is
kept, refused with ``transition_not_allowed``, and looked at again whenever a late
event changes what comes before it. So the result depends only on the set of events,
never on the order they arrived in: a phone that syncs hours late, or twice, or
backwards, gives the same item history as one that never lost signal.

A batch of events all newer than the item's latest event (the usual case) is applied
on top of the current state; only a late event makes the item's whole history be
folded again (one query for the batch's late items).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import or_
from sqlalchemy.orm.attributes import set_attribute, set_committed_value
from sqlmodel import Session, select

from logistics.models import Item, ScanEvent
from logistics.models.enums import HolderKind, ItemStatus, ScanCode, ScanOutcome
from logistics.tracking.checks import FLAG_LATE
from logistics.tracking.context import one_of
from logistics.tracking.inputs import TRANSITION_NOT_ALLOWED
from logistics.tracking.states import RULES

ON_PATH = (ScanOutcome.APPLIED, ScanOutcome.HISTORY)


class Scan(Protocol):
    """A recorded ``ScanEvent`` or a scan about to be inserted: what a fold reads and labels."""

    client_event_id: uuid.UUID
    code: ScanCode
    device_time: datetime
    outcome: ScanOutcome
    status_after: ItemStatus | None
    reject_code: str | None
    flags: list[str]
    holder_kind: HolderKind | None
    holder_ref_id: int | None


@dataclass(frozen=True)
class StatusChange:
    """An event that moved the item's current status forward (to be announced)."""

    item: Item
    event: Scan
    previous_status: ItemStatus


def sort_key(event: Scan) -> tuple[datetime, uuid.UUID]:
    return event.device_time, event.client_event_id


def is_foldable(event: Scan) -> bool:
    return event.outcome in ON_PATH or event.reject_code == TRANSITION_NOT_ALLOWED


def _set(obj: object, name: str, value: object) -> None:
    # Assign only real changes. Items are written by ``writes.write_scans`` in one
    # statement per batch, not by the unit of work (0.3 ms of CPU per item at flush,
    # cProfile, 2026-11): their new values are set as the loaded state. Stored events
    # re-folded go straight to SQLAlchemy's instrumentation (SQLModel's __setattr__
    # costs twice as much).
    if getattr(obj, name) != value:
        if isinstance(obj, Item):
            set_committed_value(obj, name, value)
        elif hasattr(obj, "_sa_instance_state"):
            set_attribute(obj, name, value)
        else:
            setattr(obj, name, value)


def ensure_base(item: Item) -> None:
    """Remember the item's state before its first scan (the start of every fold)."""
    if item.scan_base_status is None:
        _set(item, "scan_base_status", item.status)
        _set(item, "scan_base_at", item.status_at)
        _set(item, "scan_base_holder_kind", item.holder_kind)
        _set(item, "scan_base_holder_ref_id", item.holder_ref_id)


def stored_foldable(session: Session, item_ids: Iterable[int]) -> dict[int, list[ScanEvent]]:
    """The recorded events of these items that take part in their folds."""
    ids = sorted(set(item_ids))
    found: dict[int, list[ScanEvent]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.exec(
        select(ScanEvent).where(
            one_of(session, ScanEvent.item_id, ids),
            or_(ScanEvent.outcome.in_(ON_PATH), ScanEvent.reject_code == TRANSITION_NOT_ALLOWED),
        )
    ).all()
    for row in rows:
        found[row.item_id].append(row)
    return found


def fold_item(item: Item, events: list[Scan], *, from_base: bool, now: datetime) -> list[StatusChange]:
    """Fold ``events`` into ``item`` and label each one; returns the forward moves.
    The item's new state is not flushed by the session: write it with ``writes.write_scans``.

    ``from_base``: ``events`` are all the item's foldable events, folded from the state
    before its first scan; otherwise they are new events, all later than every
    recorded one, applied on top of the current state.
    """
    ensure_base(item)
    events = sorted(events, key=sort_key)
    old_status = item.status
    previous_path = [sort_key(e) for e in events if e.outcome in ON_PATH]
    newest_before = max(previous_path) if previous_path else None
    if from_base:
        status, status_at = item.scan_base_status, item.scan_base_at
        holder = (item.scan_base_holder_kind, item.scan_base_holder_ref_id)
    else:
        status, status_at, holder = item.status, item.status_at, (item.holder_kind, item.holder_ref_id)
    moves: list[tuple[Scan, ItemStatus]] = []
    last: Scan | None = None
    for event in events:
        rule = RULES[event.code]
        was_on_path = event.outcome in ON_PATH
        if status in rule.allowed_from:
            before, status, status_at, last = status, rule.status_after, event.device_time, event
            holder = (event.holder_kind, event.holder_ref_id)
            _set(event, "outcome", ScanOutcome.HISTORY if FLAG_LATE in event.flags else ScanOutcome.APPLIED)
            _set(event, "status_after", status)
            _set(event, "reject_code", None)
            # Late events fill in the history: announced only if they end up deciding
            # the current status (below), never as a step an SMS would describe.
            if not was_on_path and FLAG_LATE not in event.flags and (
                newest_before is None or sort_key(event) > newest_before
            ):
                moves.append((event, before))
        else:
            _set(event, "outcome", ScanOutcome.REJECTED)
            _set(event, "status_after", None)
            _set(event, "reject_code", TRANSITION_NOT_ALLOWED)
    changes = [StatusChange(item, event, before) for event, before in moves]
    if last is not None and status != old_status and not any(c.event is last for c in changes):
        changes.append(StatusChange(item, last, old_status))  # a late event changed the outcome
    if status != old_status or status_at != item.status_at or holder != (item.holder_kind, item.holder_ref_id):
        _set(item, "status", status)
        _set(item, "status_at", status_at)
        _set(item, "holder_kind", holder[0])
        _set(item, "holder_ref_id", holder[1])
        _set(item, "updated_at", now)
    if events:
        newest = max(e.device_time for e in events)
        if item.last_scan_at is None or newest > item.last_scan_at:
            _set(item, "last_scan_at", newest)
    return changes
