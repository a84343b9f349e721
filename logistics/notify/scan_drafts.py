"""The SMS that scans caused, rendered when they are sent.

A scan writes only its SMS's key and cause (``scan_sms``: one statement in the scan's
transaction, where rendering it there cost four queries more: its scan, dossier and
recipient, and its route's stops for the ETA). The sender, having claimed its batch,
renders those drafts here in bulk: two queries for the batch, plus the ETA of the
out-for-delivery ones. Rendering late also gives the freshest ETA: an SMS held by quiet
hours or the per-phone limit tells the window as it stands when it leaves.

A draft whose item has nobody to text, whose recipient's number is not a Vietnamese
mobile, or whose text cannot be written fails for good with a code the dispatcher sees
(``no_recipient``, ``invalid_phone``, ``render_error``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session

from logistics.exceptions import InvalidInput
from logistics.models import Dossier, Item, Notification, Person, PostOffice, ScanEvent
from logistics.models.enums import FailureAction, FailureReason, NotificationTrigger
from logistics.notify import messages, service
from logistics.once import built_once
from logistics.phones import normalise_vn_mobile
from logistics.tracking import eta as tracking_eta
from logistics.tracking import links as tracking_links

log = logging.getLogger(__name__)

T = NotificationTrigger
_N = Notification.__table__
# The people an item's SMS may go to, as aliases of ``person`` in the items query.
_PEOPLE = ("addressee", "recipient", "applicant")


class DraftRow(Protocol):
    id: int
    item_id: int
    trigger: Any
    scan_event_id: int | None
    to_e164: str | None
    body: str | None


@built_once
def _statements() -> SimpleNamespace:
    """Core selects of the columns used, built once (building one cost as much as running it)."""
    scan, item, dossier = ScanEvent.__table__, Item.__table__, Dossier.__table__
    office, person = PostOffice.__table__, Person.__table__
    people = [person.alias(name) for name in _PEOPLE]
    return SimpleNamespace(
        scans=sa.select(scan.c.id, scan.c.device_time, scan.c.failure_reason, scan.c.failure_action, scan.c.retry_on)
        .where(scan.c.id.in_(sa.bindparam("ids", expanding=True))),
        # Each item with what ``eta_windows`` and ``service.recipient_id`` read, its dossier
        # (the appointment date), office name and the people its SMS may go to: one query.
        items=sa.select(item.c.id, item.c.s10, item.c.status, item.c.leg, item.c.person_id, item.c.window_start,
                        item.c.window_end, dossier.c.id.label("dossier_id"), dossier.c.recipient_id,
                        dossier.c.applicant_id, dossier.c.appointment_date, office.c.name.label("office_name"),
                        *(c.label(f"{p.name}_person_{c.name}") for p in people for c in (p.c.id, p.c.phone_e164, p.c.language)))
        .select_from(item)
        .outerjoin(dossier, dossier.c.id == item.c.dossier_id)
        .outerjoin(office, office.c.id == item.c.post_office_id)
        .outerjoin(people[0], people[0].c.id == item.c.person_id)
        .outerjoin(people[1], people[1].c.id == dossier.c.recipient_id)
        .outerjoin(people[2], people[2].c.id == dossier.c.applicant_id)
        .where(item.c.id.in_(sa.bindparam("ids", expanding=True))),
    )


def _person(item: Any) -> SimpleNamespace | None:
    """The recipient ``service.recipient_id`` names, among the three people joined to ``item``."""
    dossier = SimpleNamespace(recipient_id=item.recipient_id, applicant_id=item.applicant_id) if item.dossier_id else None
    person_id = service.recipient_id(item, dossier)  # type: ignore[arg-type]
    for name in _PEOPLE if person_id is not None else ():
        if item._mapping[f"{name}_person_id"] == person_id:
            return SimpleNamespace(**{c: item._mapping[f"{name}_person_{c}"] for c in ("phone_e164", "language")})
    return None


def _context(row: DraftRow, item: Any, scan: Any, etas: dict[int, tuple[datetime, datetime]],
             link: str) -> messages.MessageContext:
    ctx = messages.MessageContext(ref=item.s10, link=link, at=scan.device_time if scan else None, office=item.office_name)
    trigger = T(row.trigger)
    if trigger is T.HANDED_TO_AGENCY:
        return dataclasses.replace(ctx, due=item.appointment_date)
    if trigger is T.OUT_FOR_DELIVERY:
        start, end = etas.get(item.id, (item.window_start, item.window_end))  # else the booked window
        return dataclasses.replace(ctx, window_start=start, window_end=end)
    if trigger is T.DELIVERY_FAILED and scan is not None:
        return dataclasses.replace(ctx, failure_reason=scan.failure_reason or FailureReason.OTHER,
                                   failure_action=scan.failure_action or FailureAction.RETRY_NEXT_DAY, due=scan.retry_on)
    return ctx


def render(session: Session, rows: list[DraftRow], *, now: datetime
           ) -> tuple[dict[int, tuple[str, str]], list[dict[str, Any]]]:
    """Render the drafts among ``rows`` (those without a body) and store their text,
    phone and language: row id -> (phone, body) of the drafts rendered, and the drafts
    that fail for good, as ``{"row_id", "error_code", "error_message"}``."""
    drafts = [r for r in rows if r.body is None]
    if not drafts:
        return {}, []
    statements = _statements()
    connection = session.connection()
    items = {r.id: r for r in connection.execute(statements.items, {"ids": sorted({d.item_id for d in drafts})})}
    scan_ids = sorted({d.scan_event_id for d in drafts if d.scan_event_id is not None})
    scans = {r.id: r for r in connection.execute(statements.scans, {"ids": scan_ids})} if scan_ids else {}
    waiting = [items[d.item_id] for d in drafts if T(d.trigger) is T.OUT_FOR_DELIVERY and d.item_id in items]
    etas = tracking_eta.eta_windows(session, waiting, now=now) if waiting else {}
    link = tracking_links.placeholder_url()
    rendered: dict[int, tuple[str, str]] = {}
    updates: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for row in drafts:
        item = items.get(row.item_id)
        person = _person(item) if item is not None else None
        if person is None:
            failed.append(_failure(row, "no_recipient", "the item has nobody to text"))
            continue
        try:
            phone = normalise_vn_mobile(person.phone_e164)
        except InvalidInput as invalid:
            failed.append(_failure(row, "invalid_phone", invalid.detail))
            continue
        language = person.language or "vi"
        try:
            text = messages.render(T(row.trigger), language=language,
                                   ctx=_context(row, item, scans.get(row.scan_event_id), etas, link))
        except Exception:  # one message that cannot be written must not hold up the batch
            log.exception("the %s SMS of item %s could not be rendered", row.trigger, row.item_id)
            failed.append(_failure(row, "render_error", "the message could not be written"))
            continue
        updates.append({"row_id": row.id, "to_e164": phone, "language": language, "body": text.body,
                        "encoding": text.encoding, "segments": text.segments})
        rendered[row.id] = (phone, text.body)
    if updates:
        session.execute(sa.update(_N).where(_N.c.id == sa.bindparam("row_id")), updates)
    return rendered, failed


def _failure(row: DraftRow, code: str, message: str) -> dict[str, Any]:
    log.info("SMS %s (%s of item %s) cannot be sent: %s", row.id, row.trigger, row.item_id, code)
    return {"row_id": row.id, "error_code": code, "error_message": message[:255]}
