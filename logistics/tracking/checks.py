"""The checks of one scan that do not depend on the order of events: time, place,
item, assignment, failure details, hand-over record. Each refusal is a code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from logistics import geo
from logistics.exceptions import InvalidInput
from logistics.models import Item
from logistics.models.enums import PlaceKind, Role, ScanCode
from logistics.tracking import states
from logistics.tracking.context import ROUTE_BOUND, BatchContext, stop_for
from logistics.tracking.geofence import geofence_flags
from logistics.tracking.inputs import ScanInput
from logistics.tracking.policy import ScanPolicy
from logistics.workdays import LOCAL_TZ

FLAG_CLOCK_SKEW = "device_clock_skew"
FLAG_LATE = "late"  # arrived after a later event of the item had been recorded


@dataclass
class Checked:
    reject_code: str | None = None
    item: Item | None = None
    stop_id: int | None = None
    flags: list[str] = field(default_factory=list)


def is_assigned(ctx: BatchContext, item: Item, code: ScanCode, stop_id: int | None) -> bool:
    actor = ctx.actor
    if actor.role == Role.ADMIN:
        return True
    same_office = actor.post_office_id is not None and item.post_office_id == actor.post_office_id
    if actor.role == Role.POSTMAN:
        return stop_id is not None or (code not in ROUTE_BOUND and same_office)
    if actor.role == Role.DISPATCHER:
        return same_office
    if actor.role == Role.COUNTER_CLERK:
        return (
            code is ScanCode.ACCEPTED_AT_COUNTER
            and item.origin_kind is PlaceKind.COUNTER
            and item.origin_ref_id == actor.counter_id
        )
    return False


def check_event(event: ScanInput, ctx: BatchContext, policy: ScanPolicy, received_at: datetime) -> Checked:
    """The verdict on ``event`` before the state machine and the proofs look at it."""
    out = Checked(item=ctx.items.get(event.s10))
    at = event.device_time
    if at.tzinfo is None or at.utcoffset() is None:
        out.reject_code = "timestamp_without_timezone"
        return out
    if at > received_at + timedelta(seconds=policy.future_tolerance_s):
        out.reject_code = "timestamp_in_future"
        return out
    if at > received_at + timedelta(seconds=policy.clock_skew_flag_s):
        out.flags.append(FLAG_CLOCK_SKEW)
    if (event.lat is None) != (event.lon is None):
        out.reject_code = "invalid_coordinates"
        return out
    if event.lat is not None:
        try:
            geo.require_in_vietnam(event.lat, event.lon)
        except InvalidInput as exc:
            out.reject_code = exc.code
            return out
    item = out.item
    if item is None:
        out.reject_code = "unknown_item"
        return out
    if at < item.created_at - timedelta(seconds=policy.before_item_tolerance_s):
        out.reject_code = "timestamp_before_item"
        return out
    out.stop_id = stop_for(ctx, item.id, at.astimezone(LOCAL_TZ).date(), policy.route_day_slack_days)
    if not is_assigned(ctx, item, event.code, out.stop_id):
        out.reject_code = "not_assigned"
        return out
    try:
        states.check_failure(event.code, event.failure_reason, event.failure_action, has_retry_date=event.retry_on is not None)
    except InvalidInput as exc:
        out.reject_code = exc.code
        return out
    if states.RULES[event.code].needs_handover and (event.handover_id is None or event.handover_id not in ctx.handovers):
        out.reject_code = "handover_missing"
        return out
    if event.handover_id is not None and event.handover_id not in ctx.handovers:
        out.reject_code = "unknown_handover"
        return out
    out.flags += geofence_flags(item, event.code, event.lat, event.lon, event.accuracy_m, policy)
    return out
