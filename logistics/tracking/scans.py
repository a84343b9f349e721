"""Ingesting scans from postmen's phones: exactly once, in device-time order, one bad
event never failing the batch.

``ingest_scans`` answers every event of a batch with a ``ScanResult``:

- an event whose client id was seen before is a duplicate: its recorded outcome is
  returned (the first answer, unless a late event re-ordered the item's history since);
- an event refused by a check that does not depend on order (``unknown_item``,
  ``not_assigned``, ``proof_missing``, ``timestamp_in_future``...) is recorded as
  rejected with that code, for good: the phone scans again with a new id;
- every other event joins its item's history and the item is folded in device-time
  order (``fold``): ``applied``, ``history`` (late, did not move the state back) or
  ``rejected: transition_not_allowed`` (reconsidered when a late event arrives).

The batch runs in one savepoint and one INSERT; if the database refuses it (a
concurrent copy of the same batch, a bug), every event is retried in a savepoint of
its own, so only the culprit fails. A batch of one event of a known item (a phone's
single scan) needs no savepoint: a refusal fails the request. The function flushes,
never commits.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from logistics import audit, metrics
from logistics.events import ItemStatusChanged, publish
from logistics.models import Item, ScanEvent
from logistics.models.enums import HolderKind, ScanOutcome
from logistics.models.types import utcnow
from logistics.tracking import fold, proofs, states
from logistics.tracking.checks import FLAG_CLOCK_SKEW, FLAG_LATE, check_event
from logistics.tracking.context import BatchContext, existing_events, load_context, lock_items
from logistics.tracking.custody import holder_after
from logistics.tracking.inputs import TRANSITION_NOT_ALLOWED, Actor, ScanInput, ScanResult
from logistics.tracking.policy import ScanPolicy
from logistics.tracking.progress import record_progress
from logistics.tracking.writes import NewScan, write_scans

log = logging.getLogger(__name__)

MAX_BATCH = 500
PROCESSING_ERROR = "processing_error"  # not recorded: the phone may send the same id again


def ingest_scans(
    session: Session,
    *,
    actor: Actor,
    device_id: str | None,
    events: Sequence[ScanInput],
    sent_at: datetime | None = None,
    now: datetime | None = None,
    policy: ScanPolicy | None = None,
) -> list[ScanResult]:
    """Record ``events`` scanned by ``actor`` on ``device_id``; one result per event, in order.

    ``sent_at`` is the phone's clock when it sent the batch: a clock off by more than
    the policy's skew is flagged on every event of the batch.
    """
    received_at = now or utcnow()
    policy = policy or ScanPolicy.from_settings()
    skewed = sent_at is not None and abs(sent_at - received_at) > timedelta(seconds=policy.clock_skew_flag_s)
    first: dict[uuid.UUID, ScanInput] = {}
    for event in events:
        first.setdefault(event.client_event_id, event)
    # Lock the items before looking for duplicates: a concurrent copy of this batch
    # then either committed already (its events are found) or waits for ours.
    items = lock_items(session, {e.s10 for e in first.values()})
    seen = existing_events(session, first)
    fresh = [e for e in first.values() if e.client_event_id not in seen]
    rows: dict[uuid.UUID, NewScan] = {}
    failed: set[uuid.UUID] = set()
    # One event of an item locked above (a phone's single scan) runs without the savepoint,
    # two round trips of its request: no copy of it can reach the insert before ours
    # commits. Whatever refuses it fails the request, rolled back whole; the phone resends.
    alone = len(fresh) == 1 and fresh[0].s10 in items
    try:
        with nullcontext() if alone else session.begin_nested():
            rows = _record(session, actor, device_id, fresh, items, received_at, policy, skewed)
    except Exception as exc:
        if alone or _connection_lost(exc):
            raise  # e.g. the database went away: nothing was recorded, the client resends (HTTP 503)
        log.warning("scan batch refused by the database; retrying event by event", exc_info=True)
        rows = {}
        _forget(session, items)
        for event in fresh:
            try:
                with session.begin_nested():
                    one = lock_items(session, {event.s10})
                    rows.update(_record(session, actor, device_id, [event], one, received_at, policy, skewed))
            except IntegrityError:
                _forget(session, items)
                found = existing_events(session, [event.client_event_id])  # sent twice at once
                seen.update(found)
                if not found:
                    failed.add(event.client_event_id)
            except Exception as exc:
                if _connection_lost(exc):
                    raise
                log.exception("scan event %s could not be recorded", event.client_event_id)
                _forget(session, items)
                failed.add(event.client_event_id)
    results = _results(session, events, seen, rows, failed, items)
    metrics.scans_ingested("duplicate" if r.duplicate else r.outcome.value for r in results)
    return results


def _forget(session: Session, items: dict[str, Item]) -> None:
    """Drop the folded state a refused savepoint left in memory: the fold sets items'
    values as loaded ones (``writes.write_scans``), so the rollback does not expire them."""
    for item in items.values():
        if item in session:
            session.expire(item)


def _connection_lost(exc: Exception) -> bool:
    """The connection to the database died (restart, network): not a fault of the batch."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _results(
    session: Session, events: Sequence[ScanInput], seen: dict[uuid.UUID, ScanEvent], rows: dict[uuid.UUID, NewScan],
    failed: set[uuid.UUID], items: dict[str, Item],
) -> list[ScanResult]:
    by_id = {item.id: item for item in items.values()}
    out: list[ScanResult] = []
    answered: set[uuid.UUID] = set()
    for event in events:
        cid = event.client_event_id
        if cid in failed:
            out.append(ScanResult(cid, ScanOutcome.REJECTED, reject_code=PROCESSING_ERROR))
            continue
        row = seen.get(cid) or rows[cid]
        item = by_id.get(row.item_id) or session.get(Item, row.item_id) if row.item_id is not None else None
        out.append(
            ScanResult(
                client_event_id=cid, outcome=row.outcome, duplicate=cid in seen or cid in answered,
                reject_code=row.reject_code, status_after=row.status_after, item_status=item.status if item else None,
                flags=tuple(row.flags or ()), scan_event_id=row.id,
            )
        )
        answered.add(cid)
    return out


def _record(
    session: Session,
    actor: Actor,
    device_id: str | None,
    events: list[ScanInput],
    items: dict[str, Item],
    received_at: datetime,
    policy: ScanPolicy,
    skewed: bool,
) -> dict[uuid.UUID, NewScan]:
    ctx = load_context(session, actor=actor, items=items, events=events)
    tolerance = timedelta(seconds=policy.clock_skew_flag_s)
    rows: dict[uuid.UUID, NewScan] = {}
    to_fold: dict[int, list[ScanEvent | NewScan]] = defaultdict(list)
    stops: dict[uuid.UUID, int] = {}
    otps = []
    used_refs: list[str] = []
    with session.no_autoflush:
        for event in events:
            checked = check_event(event, ctx, policy, received_at)
            item = checked.item
            row = _row(event, actor, device_id, item, received_at, known_handover=event.handover_id in ctx.handovers)
            flags = checked.flags + ([FLAG_CLOCK_SKEW] if skewed and FLAG_CLOCK_SKEW not in checked.flags else [])
            if checked.reject_code is None and event.code in proofs.NEEDS_PROOF:
                verdict = proofs.check_proof(
                    session, item=item, needed=proofs.required_proofs(ctx.procedures.get(item.id)), proof=event.proof,
                    recipient=ctx.recipients.get(item.id), files=ctx.files, actor_user_id=actor.id,
                    at=event.device_time, tolerance=tolerance,
                )
                flags += verdict.flags
                row.proof = {**verdict.stored, **({"missing": sorted(verdict.missing)} if verdict.missing else {})}
                if verdict.missing:
                    checked.reject_code = "proof_missing"
                else:
                    used_refs += [v for k, v in verdict.stored.items() if k.endswith("_ref")]
                    if verdict.otp is not None:
                        otps.append((verdict.otp, row))
            else:
                row.proof = _refs_only(event)
            if checked.reject_code is not None:
                row.outcome, row.reject_code = ScanOutcome.REJECTED, checked.reject_code
            else:
                # Provisional: the fold decides. A late event is one older than the
                # item's newest recorded event.
                row.outcome, row.reject_code = ScanOutcome.REJECTED, TRANSITION_NOT_ALLOWED
                if item.last_scan_at is not None and event.device_time < item.last_scan_at:
                    flags.append(FLAG_LATE)
                row.holder_kind, row.holder_ref_id = _holder(session, ctx, item, event)
                to_fold[item.id].append(row)
                if checked.stop_id is not None:
                    stops[event.client_event_id] = checked.stop_id
            row.flags = flags
            rows[event.client_event_id] = row
        changes = _fold(session, ctx, to_fold, received_at)
    by_id = {item.id: item for item in items.values()}
    session.flush()  # any re-folded stored events
    write_scans(session, [by_id[item_id] for item_id in to_fold], list(rows.values()))
    for otp, row in otps:
        otp.used_by_scan_event_id = row.id
    proofs.mark_used(session, used_refs, at=received_at)
    record_progress(session, [(stops[c], r) for c, r in rows.items() if c in stops and r.outcome in fold.ON_PATH])
    for change in changes:
        publish(session, ItemStatusChanged(
            item_id=change.item.id, scan_event_id=change.event.id, scan_code=change.event.code.value,
            status=change.event.status_after.value, previous_status=change.previous_status.value,
            at=change.event.device_time,
        ))
    _audit_rejections(session, actor, device_id, rows.values())
    session.flush()
    return rows


def _fold(session: Session, ctx: BatchContext, to_fold: dict[int, list[ScanEvent | NewScan]], now: datetime) -> list[fold.StatusChange]:
    by_id = {item.id: item for item in ctx.items.values()}
    late = [
        item_id for item_id, new in to_fold.items()
        if by_id[item_id].last_scan_at is not None and min(e.device_time for e in new) <= by_id[item_id].last_scan_at
    ]
    stored = fold.stored_foldable(session, late)
    changes: list[fold.StatusChange] = []
    for item_id, new in to_fold.items():
        if item_id in stored:
            changes += fold.fold_item(by_id[item_id], stored[item_id] + new, from_base=True, now=now)
        else:
            changes += fold.fold_item(by_id[item_id], new, from_base=False, now=now)
    return changes


def _row(event: ScanInput, actor: Actor, device_id: str | None, item: Item | None, received_at: datetime, *,
         known_handover: bool) -> NewScan:
    # An unknown hand-over id is refused (``unknown_handover``) and not stored: it would
    # name no record, and the database would refuse the row.
    return NewScan(
        client_event_id=event.client_event_id, code=event.code, lat=event.lat, lon=event.lon,
        accuracy_m=event.accuracy_m, failure_reason=event.failure_reason, failure_action=event.failure_action,
        retry_on=event.retry_on, device_id=device_id, item_id=item.id if item is not None else None,
        s10=event.s10[:40], actor_user_id=actor.id, handover_id=event.handover_id if known_handover else None,
        device_time=event.device_time, received_at=received_at,
    )


def _refs_only(event: ScanInput) -> dict[str, str]:
    p = event.proof
    return {k: v for k, v in (("signature_ref", p.signature_ref), ("photo_ref", p.photo_ref)) if v}


def _holder(session: Session, ctx: BatchContext, item: Item, event: ScanInput):  # noqa: ANN202
    handover = ctx.handovers.get(event.handover_id) if event.handover_id is not None else None
    needs_postman = states.RULES[event.code].holder_after is HolderKind.POSTMAN
    return holder_after(
        item, event.code, postman_id=ctx.postman_id(session) if needs_postman else None,
        handover_agency_id=handover.agency_id if handover else None,
        handover_counter_id=handover.counter_id if handover else None,
    )


def _audit_rejections(session: Session, actor: Actor, device_id: str | None, rows) -> None:  # noqa: ANN001
    codes = Counter(r.reject_code for r in rows if r.reject_code and r.reject_code != TRANSITION_NOT_ALLOWED)
    if codes:
        # Codes and counts only: no S10, no position, nothing personal.
        audit.record(session, actor_user_id=actor.id, action="tracking.scans_rejected", entity="user",
                     entity_id=actor.id, device_id=device_id, rejected=dict(sorted(codes.items())))
