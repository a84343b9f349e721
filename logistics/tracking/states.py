"""The shipment state machine as data (DOMAIN.md §4).

Each scan code has one row: its UPU EMSEVT event code, the status it leads to, the
statuses it may follow, who holds the item afterwards, and what it must carry.
``TRANSITIONS`` (status -> statuses reachable in one scan) is derived from the rows,
so the table is the single source of truth. ``next_status`` raises on a move the table
does not allow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from types import MappingProxyType

from logistics.exceptions import Conflict, InvalidInput
from logistics.models.enums import FailureAction, FailureReason, HolderKind, ItemStatus, ScanCode

S = ItemStatus


class InvalidTransition(Conflict):
    code = "transition_not_allowed"


@dataclass(frozen=True)
class ScanRule:
    emsevt: str | None  # UPU EMSEVT v3 event code; None where UPU has none
    status_after: ItemStatus
    allowed_from: frozenset[ItemStatus]
    # Who holds the item after the scan. None: the destination of the item's leg
    # (an agency or a counter), known only from the item.
    holder_after: HolderKind | None
    needs_failure: bool = False  # a failure reason and a next action are required
    needs_handover: bool = False  # must reference a handover record
    description_vi: str = ""
    description_en: str = ""


_IN_POST_HANDS = frozenset({S.ACCEPTED, S.IN_TRANSIT})

RULES: MappingProxyType[ScanCode, ScanRule] = MappingProxyType({
    ScanCode.ACCEPTED_AT_COUNTER: ScanRule(
        "EMA", S.ACCEPTED, frozenset({S.CREATED}), HolderKind.COUNTER,
        description_vi="Đã tiếp nhận tại bộ phận một cửa", description_en="Accepted at the one-stop counter"),
    ScanCode.PICKED_UP_AT_HOME: ScanRule(
        "EMA", S.ACCEPTED, frozenset({S.CREATED}), HolderKind.POSTMAN,
        description_vi="Bưu tá đã nhận hồ sơ tại nhà", description_en="Picked up at home by the postman"),
    ScanCode.COLLECTED_FROM_AGENCY: ScanRule(
        "EMA", S.ACCEPTED, frozenset({S.CREATED}), HolderKind.POSTMAN, needs_handover=True,
        description_vi="Đã nhận kết quả tại cơ quan giải quyết", description_en="Collected from the agency"),
    # The counter accepted the dossier (EMA there) or announced it; the postman takes it
    # on a handover record. Still "accepted": only the holder changes, to the postman.
    ScanCode.COLLECTED_FROM_COUNTER: ScanRule(
        "EMA", S.ACCEPTED, frozenset({S.CREATED, S.ACCEPTED}), HolderKind.POSTMAN, needs_handover=True,
        description_vi="Bưu tá đã nhận hồ sơ tại bộ phận một cửa", description_en="Collected from the one-stop counter"),
    ScanCode.INTO_POST_OFFICE: ScanRule(
        "EDD", S.IN_TRANSIT, _IN_POST_HANDS | {S.DELIVERY_FAILED, S.OUT_FOR_DELIVERY}, HolderKind.POST_OFFICE,
        description_vi="Đã đến bưu cục", description_en="Into the post office"),
    ScanCode.OUT_OF_POST_OFFICE: ScanRule(
        "EDE", S.IN_TRANSIT, _IN_POST_HANDS, HolderKind.POSTMAN,
        description_vi="Đã rời bưu cục", description_en="Out of the post office"),
    ScanCode.ARRIVED_AT_DELIVERY_OFFICE: ScanRule(
        "EMG", S.IN_TRANSIT, _IN_POST_HANDS, HolderKind.POST_OFFICE,
        description_vi="Đã đến bưu cục phát", description_en="Arrived at the delivery office"),
    ScanCode.OUT_FOR_DELIVERY: ScanRule(
        "EDG", S.OUT_FOR_DELIVERY, _IN_POST_HANDS | {S.DELIVERY_FAILED, S.READY_FOR_PICKUP}, HolderKind.POSTMAN,
        description_vi="Bưu tá đang đi phát", description_en="Out for delivery"),
    ScanCode.HANDED_OVER: ScanRule(
        "EMI", S.HANDED_OVER, _IN_POST_HANDS | {S.OUT_FOR_DELIVERY}, None, needs_handover=True,
        description_vi="Đã bàn giao cho cơ quan, bộ phận một cửa", description_en="Handed over to the agency or counter"),
    ScanCode.DELIVERY_FAILED: ScanRule(
        "EMH", S.DELIVERY_FAILED, frozenset({S.OUT_FOR_DELIVERY}), HolderKind.POSTMAN, needs_failure=True,
        description_vi="Phát không thành công", description_en="Delivery attempt failed"),
    ScanCode.DELIVERED: ScanRule(
        "EMI", S.DELIVERED, frozenset({S.OUT_FOR_DELIVERY, S.READY_FOR_PICKUP}), HolderKind.RECIPIENT,
        description_vi="Đã phát thành công", description_en="Delivered"),
    ScanCode.HELD_AT_POST_OFFICE: ScanRule(
        "EDH", S.READY_FOR_PICKUP, _IN_POST_HANDS | {S.DELIVERY_FAILED, S.OUT_FOR_DELIVERY}, HolderKind.POST_OFFICE,
        description_vi="Lưu tại bưu cục chờ nhận", description_en="Held at the post office for collection"),
    ScanCode.RETURNED_TO_AGENCY: ScanRule(
        None, S.RETURNED, frozenset({S.DELIVERY_FAILED, S.READY_FOR_PICKUP, S.IN_TRANSIT}), HolderKind.AGENCY,
        needs_handover=True,
        description_vi="Đã chuyển trả cơ quan giải quyết", description_en="Returned to the agency"),
})

TERMINAL: frozenset[ItemStatus] = frozenset({S.DELIVERED, S.RETURNED, S.HANDED_OVER, S.CANCELLED})


def _derive_transitions() -> MappingProxyType[ItemStatus, frozenset[ItemStatus]]:
    reachable: dict[ItemStatus, set[ItemStatus]] = defaultdict(set)
    for rule in RULES.values():
        for source in rule.allowed_from:
            reachable[source].add(rule.status_after)
    return MappingProxyType({status: frozenset(reachable.get(status, ())) for status in ItemStatus})


TRANSITIONS = _derive_transitions()

# Which failure actions make sense after which reasons is the postman's call; the
# product only insists that both are given. A retry on a date needs the date.
FAILURE_REASONS = frozenset(FailureReason)
FAILURE_ACTIONS = frozenset(FailureAction)


def rule_for(code: ScanCode) -> ScanRule:
    return RULES[code]


def emsevt(code: ScanCode) -> str | None:
    return RULES[code].emsevt


def next_status(current: ItemStatus, code: ScanCode) -> ItemStatus:
    """The status after scan ``code`` on an item in ``current``; raises InvalidTransition."""
    rule = RULES[code]
    if current not in rule.allowed_from:
        allowed = ", ".join(sorted(s.value for s in rule.allowed_from))
        raise InvalidTransition(
            f"A {code.value} scan is not allowed on an item that is {current.value} (allowed from: {allowed}).",
            current=current.value, scan=code.value,
        )
    return rule.status_after


def check_failure(code: ScanCode, reason: FailureReason | None, action: FailureAction | None, *, has_retry_date: bool) -> None:
    """A failed attempt needs a reason and a next action; other scans must carry neither."""
    if RULES[code].needs_failure:
        if reason is None or action is None:
            raise InvalidInput("A failed delivery needs a failure reason and a next action.", code="failure_details_missing")
        if action is FailureAction.RETRY_ON_DATE and not has_retry_date:
            raise InvalidInput("A retry on a date needs the date (retry_on).", code="retry_date_missing")
    elif reason is not None or action is not None:
        raise InvalidInput(f"A {code.value} scan carries no failure reason or action.", code="unexpected_failure_details")
