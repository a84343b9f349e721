"""Handover records: opened by the postman at the place, items scanned on and off while
open, discrepancies recorded by the receiving clerk, confirmed once, corrected only by
a new record that supersedes the old one. Services flush, never commit.

The confirmation itself (``confirm``) is reached through one of the three proofs in
``confirmation``: the code on the postman's phone, the clerk's QR, a signature.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from logistics import audit
from logistics.exceptions import Conflict, InvalidInput, NotFound
from logistics.handovers import custody, fees, integrity, places, results
from logistics.handovers.immutability import RecordImmutable
from logistics.models import Dossier, DossierDocument, Handover, HandoverLine, Item, User
from logistics.models.enums import ConfirmationMethod, HandoverKind, HandoverStatus, LineOutcome
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ

MAX_LINES = 500  # one batch per visit; the busiest agency gets ~200 a day [guess]
DISCREPANCIES = frozenset({LineOutcome.MISSING, LineOutcome.SEAL_BROKEN, LineOutcome.COUNT_DIFFERS})


class AlreadyConfirmed(RecordImmutable):
    code = "already_confirmed"


def require_open(handover: Handover) -> None:
    if handover.status is HandoverStatus.CONFIRMED:
        raise AlreadyConfirmed(f"Handover record {handover.code} is already confirmed; it cannot change.", record=handover.code)
    if handover.status is not HandoverStatus.OPEN:
        raise Conflict(f"Handover record {handover.code} is {handover.status.value}.", code="handover_not_open", record=handover.code)


def _new_code(session: Session, now: datetime) -> str:
    day = now.astimezone(LOCAL_TZ)
    for _ in range(10):
        code = f"BG-{day:%y%m%d}-{secrets.token_hex(3).upper()}"
        if session.execute(select(Handover.id).where(Handover.code == code)).first() is None:
            return code
    raise Conflict("Could not draw a free record code; try again.", code="code_collision")  # pragma: no cover


def open_handover(session: Session, *, actor: User, kind: HandoverKind, place_code: str,
                  now: datetime | None = None) -> Handover:
    """Open an empty record at the agency or counter ``place_code`` for the postman ``actor``."""
    now = now or utcnow()
    postman = places.postman_of(session, actor)
    place = places.place_by_code(session, kind, place_code)
    handover = Handover(
        code=_new_code(session, now), kind=kind, postman_id=postman.id, opened_at=now,
        agency_id=place.ref_id if kind in places.AGENCY_KINDS else None,
        counter_id=None if kind in places.AGENCY_KINDS else place.ref_id,
    )
    session.add(handover)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="handover.opened", entity="handover", entity_id=handover.id,
                 code=handover.code, kind=kind.value, place=place.code)
    return handover


def document_counts(session: Session, dossier: Dossier) -> tuple[int, int]:
    """Originals and copies on the dossier's dispatch note (without a list: its paper count, as originals)."""
    listed, originals, copies = session.execute(
        select(func.count(DossierDocument.id), func.sum(DossierDocument.originals), func.sum(DossierDocument.copies))
        .where(DossierDocument.dossier_id == dossier.id)
    ).one()
    if not listed:
        return dossier.document_count, 0
    return int(originals or 0), int(copies or 0)


def _item_by_s10(session: Session, s10: str, *, lock: bool = False) -> Item:
    code = "".join(s10.split()).upper()
    query = select(Item).where(Item.s10 == code).order_by(Item.created_at.desc())
    # Locked when scanning on: two records racing for one item then see each other's line.
    item = session.execute(query.with_for_update() if lock else query).scalars().first()
    if item is None:
        raise NotFound(f"There is no item {code}.", code="item_not_found", s10=code)
    return item


def add_item(session: Session, *, actor: User, handover: Handover, s10: str, now: datetime | None = None) -> HandoverLine:
    """Scan ``s10`` onto the open record: only an item whose leg ends (or starts) at the
    record's place, in a status the handover scan accepts, on the postman's route."""
    now = now or utcnow()
    require_open(handover)
    postman = places.require_postman_of(session, actor, handover)
    item = _item_by_s10(session, s10, lock=True)
    if item.post_office_id != postman.post_office_id:
        raise NotFound(f"There is no item {item.s10}.", code="item_not_found", s10=item.s10)  # another office's: not revealed
    reason = places.item_fits(handover, item)
    if reason is not None:
        raise Conflict(f"Item {item.s10} does not belong on this handover ({reason}).", code=reason)
    if not places.on_postmans_route(session, postman_id=postman.id, item_id=item.id, day=now.astimezone(LOCAL_TZ).date()):
        raise Conflict(f"Item {item.s10} is not on your route today.", code="item_not_assigned", s10=item.s10)
    elsewhere = session.execute(
        select(Handover.code, Handover.id).join(HandoverLine, HandoverLine.handover_id == Handover.id)
        .where(HandoverLine.item_id == item.id, Handover.status == HandoverStatus.OPEN)
    ).first()
    if elsewhere is not None:
        code = "item_already_on_handover" if elsewhere[1] == handover.id else "item_on_other_handover"
        raise Conflict(f"Item {item.s10} is already on open record {elsewhere[0]}.", code=code, s10=item.s10)
    count = session.execute(select(func.count()).select_from(HandoverLine).where(HandoverLine.handover_id == handover.id)).scalar_one()
    if count >= MAX_LINES:
        raise Conflict(f"A record holds at most {MAX_LINES} items; open another.", code="handover_full")
    originals, copies = document_counts(session, session.get(Dossier, item.dossier_id))
    line = HandoverLine(handover_id=handover.id, item_id=item.id, originals=originals, copies=copies,
                        fee_vnd=item.fee_to_collect_vnd, added_at=now)
    session.add(line)
    invalidate_codes(session, handover)
    session.flush()
    return line


def _line(session: Session, handover: Handover, s10: str) -> HandoverLine:
    code = "".join(s10.split()).upper()
    line = session.execute(
        select(HandoverLine).join(Item, Item.id == HandoverLine.item_id)
        .where(HandoverLine.handover_id == handover.id, Item.s10 == code)
    ).scalars().first()
    if line is None:
        raise NotFound(f"Item {code} is not on handover record {handover.code}.", code="item_not_on_handover", s10=code, record=handover.code)
    return line


def invalidate_codes(session: Session, handover: Handover) -> None:
    """The list changed: a code shown before the change no longer confirms it."""
    handover.otp_hash, handover.otp_expires_at = None, None
    session.add(handover)


def remove_item(session: Session, *, actor: User, handover: Handover, s10: str) -> None:
    require_open(handover)
    places.require_postman_of(session, actor, handover)
    session.delete(_line(session, handover, s10))
    invalidate_codes(session, handover)
    session.flush()


@dataclass(frozen=True)
class Discrepancy:
    s10: str
    outcome: LineOutcome
    note: str | None = None
    received_originals: int | None = None
    received_copies: int | None = None


def record_discrepancy(session: Session, *, actor: User, handover: Handover, change: Discrepancy) -> HandoverLine:
    """The clerk's finding on one line (or ``accepted`` to withdraw it); the record stays open."""
    require_open(handover)
    places.require_clerk_of(actor, handover)
    if change.outcome is LineOutcome.UNEXPECTED:
        return add_unexpected(session, actor=actor, handover=handover, s10=change.s10, note=change.note)
    line = _line(session, handover, change.s10)
    if line.outcome is LineOutcome.UNEXPECTED:
        raise Conflict("An unexpected item keeps that outcome; remove it instead.", code="line_is_unexpected")
    received = None
    if change.outcome is LineOutcome.COUNT_DIFFERS:
        received = _received_counts(line, change)
    line.outcome = change.outcome
    line.note = (change.note or "").strip()[:255] or None
    line.received_originals, line.received_copies = received or (None, None)
    session.add(line)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="handover.discrepancy", entity="handover",
                 entity_id=handover.id, item_id=line.item_id, outcome=change.outcome.value)
    return line


def _received_counts(line: HandoverLine, change: Discrepancy) -> tuple[int, int]:
    """The counts the clerk found, against the dispatch note's (a count not given is as listed)."""
    if change.received_originals is None and change.received_copies is None:
        raise InvalidInput("A count that differs needs the counts received.", code="received_counts_missing")
    if any(n is not None and n < 0 for n in (change.received_originals, change.received_copies)):
        raise InvalidInput("A count received cannot be negative.", code="invalid_received_counts")
    originals = line.originals if change.received_originals is None else change.received_originals
    copies = line.copies if change.received_copies is None else change.received_copies
    if (originals, copies) == (line.originals, line.copies):
        raise InvalidInput(
            f"The counts received ({originals} originals, {copies} copies) are those of the dispatch note; "
            "nothing differs.", code="counts_match")
    return originals, copies


def add_unexpected(session: Session, *, actor: User, handover: Handover, s10: str, note: str | None) -> HandoverLine:
    """An envelope the clerk found in the batch that the postman did not list."""
    item = _item_by_s10(session, s10)
    existing = session.execute(select(HandoverLine).where(HandoverLine.handover_id == handover.id,
                                                          HandoverLine.item_id == item.id)).scalars().first()
    if existing is not None:
        raise Conflict(f"Item {item.s10} is already on this record.", code="item_already_on_handover", s10=item.s10)
    line = HandoverLine(handover_id=handover.id, item_id=item.id, outcome=LineOutcome.UNEXPECTED,
                        note=(note or "").strip()[:255] or None, added_at=utcnow())
    session.add(line)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="handover.discrepancy", entity="handover",
                 entity_id=handover.id, item_id=item.id, outcome=LineOutcome.UNEXPECTED.value)
    return line


def lines_of(session: Session, handover: Handover) -> list[HandoverLine]:
    return list(session.execute(select(HandoverLine).where(HandoverLine.handover_id == handover.id)
                                .order_by(HandoverLine.id)).scalars())


def _moved_before(session: Session, handover: Handover) -> set[int]:
    """Items whose custody a superseded record already moved."""
    if handover.supersedes_id is None:
        return set()
    return {
        line.item_id for line in lines_of(session, session.get(Handover, handover.supersedes_id))
        if line.outcome in fees.TAKEN
    }


def confirm(
    session: Session,
    *,
    handover: Handover,
    method: ConfirmationMethod,
    confirmed_by: User | None,
    received_by_name: str | None,
    fees_handed_vnd: int | None,
    fees_note: str | None = None,
    appointments: Mapping[str, date] | None = None,
    signature_ref: str | None = None,
    now: datetime | None = None,
) -> Handover:
    """Close the record: fees reconciled, custody moved, appointment dates recorded, hash sealed."""
    now = (now or utcnow()).replace(microsecond=0)
    require_open(handover)
    lines = lines_of(session, handover)
    if not lines:
        raise Conflict("An empty record cannot be confirmed; scan the items first.", code="handover_empty")
    reconciliation = fees.reconcile(lines, handed_vnd=fees_handed_vnd, note=fees_note)
    if appointments:
        results.record_appointments(session, actor=confirmed_by, handover=handover, lines=lines,
                                    appointments=appointments, today=now.astimezone(LOCAL_TZ).date())
    moved = _moved_before(session, handover)
    taken = [session.get(Item, line.item_id) for line in lines if line.outcome in fees.TAKEN and line.item_id not in moved]
    custody.apply(session, handover=handover, items=taken, at=now)
    session.flush()
    # Every field and the hash in one flush: once confirmed, the record takes no more writes.
    with session.no_autoflush:
        _seal(session, handover, method=method, confirmed_by=confirmed_by, received_by_name=received_by_name,
              reconciliation=reconciliation, signature_ref=signature_ref, now=now)
    session.flush()
    audit.record(session, actor_user_id=confirmed_by.id if confirmed_by else None, action="handover.confirmed",
                 entity="handover", entity_id=handover.id, code=handover.code, method=method.value,
                 lines=len(lines), taken=len(taken), fees_difference=reconciliation.difference_vnd,
                 sha256=handover.record_sha256)
    return handover


def _seal(session: Session, handover: Handover, *, method: ConfirmationMethod, confirmed_by: User | None,
          received_by_name: str | None, reconciliation: fees.Reconciliation, signature_ref: str | None,
          now: datetime) -> None:
    handover.status = HandoverStatus.CONFIRMED
    handover.method = method
    handover.confirmed_at = now
    handover.confirmed_by_user_id = confirmed_by.id if confirmed_by else None
    handover.received_by_name = (received_by_name or (confirmed_by.full_name if confirmed_by else "") or "").strip()[:120] or None
    handover.fees_expected_vnd = reconciliation.expected_vnd
    handover.fees_handed_vnd = reconciliation.handed_vnd
    handover.fees_note = reconciliation.note
    handover.signature_ref = signature_ref or handover.signature_ref
    handover.otp_hash, handover.otp_expires_at = None, None
    handover.record_sha256 = integrity.record_hash(session, handover)
    session.add(handover)


def amend(session: Session, *, actor: User, original: Handover, changes: Sequence[Discrepancy], reason: str) -> Handover:
    """A correction: a new open record superseding ``original``, its lines copied with
    ``changes`` applied, to be confirmed like any record. ``original`` never changes."""
    places.require_clerk_of(actor, original)
    if original.status is not HandoverStatus.CONFIRMED:
        raise Conflict("Only a confirmed record is corrected; change the open record itself.", code="not_confirmed")
    if not reason.strip():
        raise InvalidInput("A correction needs its reason.", code="reason_missing")
    pending = session.execute(select(Handover.code).where(Handover.supersedes_id == original.id,
                                                          Handover.status != HandoverStatus.CANCELLED)).first()
    if pending is not None:
        raise Conflict(f"Record {original.code} is already corrected by {pending[0]}.", code="already_superseded", record=original.code)
    new = Handover(code=_new_code(session, utcnow()), kind=original.kind, postman_id=original.postman_id,
                   agency_id=original.agency_id, counter_id=original.counter_id, supersedes_id=original.id,
                   note=reason.strip()[:500])
    session.add(new)
    session.flush()
    for line in lines_of(session, original):
        session.add(HandoverLine(handover_id=new.id, item_id=line.item_id, originals=line.originals, copies=line.copies,
                                 fee_vnd=line.fee_vnd, outcome=line.outcome, note=line.note,
                                 received_originals=line.received_originals, received_copies=line.received_copies,
                                 added_at=line.added_at))
    session.flush()
    for change in changes:
        record_discrepancy(session, actor=actor, handover=new, change=change)
    audit.record(session, actor_user_id=actor.id, action="handover.amended", entity="handover", entity_id=new.id,
                 code=new.code, supersedes=original.code)
    return new


def superseded_by(session: Session, handover: Handover) -> Handover | None:
    return session.execute(select(Handover).where(Handover.supersedes_id == handover.id)
                           .order_by(Handover.id.desc())).scalars().first()


def cancel(session: Session, *, actor: User, handover: Handover) -> Handover:
    """The postman abandons an open record (wrong place, visit called off); its items are free again."""
    require_open(handover)
    places.require_postman_of(session, actor, handover)
    handover.status = HandoverStatus.CANCELLED
    handover.otp_hash, handover.otp_expires_at = None, None
    session.add(handover)
    session.flush()
    audit.record(session, actor_user_id=actor.id, action="handover.cancelled", entity="handover", entity_id=handover.id,
                 code=handover.code)
    return handover
