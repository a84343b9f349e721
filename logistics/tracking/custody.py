"""Chain of custody: who holds an item after each scan, and at any past moment.

The holder after a scan follows from the scan's rule (``states.RULES[code].holder_after``)
and the item: a postman scan names the postman, an office scan the item's post office,
a hand-over the destination of the leg. Each scan event on the item's status path
keeps the holder it led to, so the history answers "who held it at 10:42?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from logistics.models import Item, ScanEvent
from logistics.models.enums import HolderKind, PlaceKind, ScanCode, ScanOutcome
from logistics.tracking.states import RULES

_PLACE_HOLDER = {
    PlaceKind.AGENCY: HolderKind.AGENCY,
    PlaceKind.COUNTER: HolderKind.COUNTER,
    PlaceKind.POST_OFFICE: HolderKind.POST_OFFICE,
    PlaceKind.HOME: HolderKind.RECIPIENT,
}


def holder_after(
    item: Item,
    code: ScanCode,
    *,
    postman_id: int | None,
    handover_agency_id: int | None = None,
    handover_counter_id: int | None = None,
) -> tuple[HolderKind, int | None]:
    """The holder of ``item`` after a ``code`` scan made by ``postman_id`` (None: not a postman)."""
    kind = RULES[code].holder_after
    if kind is None:  # hand-over at the end of the leg
        kind = _PLACE_HOLDER[item.destination_kind]
        if kind is HolderKind.AGENCY and handover_agency_id is not None:
            return kind, handover_agency_id
        if kind is HolderKind.COUNTER and handover_counter_id is not None:
            return kind, handover_counter_id
        return kind, item.person_id if kind is HolderKind.RECIPIENT else item.destination_ref_id
    if kind is HolderKind.POSTMAN:
        return kind, postman_id
    if kind is HolderKind.POST_OFFICE:
        return kind, item.post_office_id
    if kind is HolderKind.COUNTER:
        return kind, item.origin_ref_id if item.origin_kind is PlaceKind.COUNTER else None
    if kind is HolderKind.AGENCY:
        if handover_agency_id is not None:
            return kind, handover_agency_id
        return kind, item.origin_ref_id if item.origin_kind is PlaceKind.AGENCY else None
    if kind is HolderKind.RECIPIENT:
        return kind, item.person_id
    return kind, None


@dataclass(frozen=True)
class CustodyEntry:
    since: datetime | None  # device time of the scan (None: before any known time)
    holder_kind: HolderKind | None
    holder_ref_id: int | None
    scan_event_id: int | None  # None for the state before the first scan


def custody_history(session: Session, *, item_id: int) -> list[CustodyEntry]:
    """Every holder of the item, oldest first, from the state before the first scan."""
    item = session.get(Item, item_id)
    if item is None:
        return []
    if item.scan_base_status is None:  # never scanned: only the current holder is known
        return [CustodyEntry(item.status_at, item.holder_kind, item.holder_ref_id, None)]
    entries = [CustodyEntry(item.scan_base_at, item.scan_base_holder_kind, item.scan_base_holder_ref_id, None)]
    on_path = session.exec(
        select(ScanEvent)
        .where(ScanEvent.item_id == item_id, ScanEvent.outcome.in_([ScanOutcome.APPLIED, ScanOutcome.HISTORY]))
        .order_by(ScanEvent.device_time, ScanEvent.client_event_id)
    ).all()
    entries += [CustodyEntry(e.device_time, e.holder_kind, e.holder_ref_id, e.id) for e in on_path]
    return entries


def holder_at(session: Session, *, item_id: int, at: datetime) -> CustodyEntry | None:
    """Who held the item at ``at`` (the last entry at or before it)."""
    found = None
    for entry in custody_history(session, item_id=item_id):
        if entry.since is None or entry.since <= at:
            found = entry
    return found
