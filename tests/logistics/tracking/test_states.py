"""The shipment state machine is a consistent table (DOMAIN.md §4)."""

from __future__ import annotations

import pytest

from logistics.exceptions import InvalidInput
from logistics.models.enums import FailureAction, FailureReason, ItemStatus, ScanCode
from logistics.tracking import states
from logistics.tracking.states import RULES, TERMINAL, TRANSITIONS, InvalidTransition, next_status

S = ItemStatus


def test_every_scan_code_has_a_rule():
    """Each scan code the phones can send has exactly one rule."""
    assert set(RULES) == set(ScanCode)


@pytest.mark.parametrize(
    ("code", "emsevt"),
    [
        (ScanCode.ACCEPTED_AT_COUNTER, "EMA"), (ScanCode.PICKED_UP_AT_HOME, "EMA"),
        (ScanCode.COLLECTED_FROM_AGENCY, "EMA"), (ScanCode.COLLECTED_FROM_COUNTER, "EMA"), (ScanCode.INTO_POST_OFFICE, "EDD"),
        (ScanCode.OUT_OF_POST_OFFICE, "EDE"), (ScanCode.ARRIVED_AT_DELIVERY_OFFICE, "EMG"),
        (ScanCode.OUT_FOR_DELIVERY, "EDG"), (ScanCode.HANDED_OVER, "EMI"), (ScanCode.DELIVERY_FAILED, "EMH"),
        (ScanCode.DELIVERED, "EMI"), (ScanCode.HELD_AT_POST_OFFICE, "EDH"), (ScanCode.RETURNED_TO_AGENCY, None),
    ],
)
def test_emsevt_mapping(code, emsevt):
    """Each product scan maps to the UPU EMSEVT code of DOMAIN.md §4."""
    assert states.emsevt(code) == emsevt


def test_terminal_statuses_have_no_way_out():
    """Delivered, returned, handed over and cancelled items accept no further scan."""
    for status in TERMINAL:
        assert TRANSITIONS[status] == frozenset()
        for code in ScanCode:
            with pytest.raises(InvalidTransition):
                next_status(status, code)


def test_every_status_but_created_is_reachable():
    """Every non-initial status is the result of some scan (cancelled is an office action)."""
    reachable = {rule.status_after for rule in RULES.values()}
    assert reachable == set(ItemStatus) - {S.CREATED, S.CANCELLED}


def test_a_delivery_journey():
    """Picked up, into the office, out for delivery, failed, out again, delivered."""
    status = S.CREATED
    for code in (ScanCode.COLLECTED_FROM_AGENCY, ScanCode.INTO_POST_OFFICE, ScanCode.OUT_FOR_DELIVERY,
                 ScanCode.DELIVERY_FAILED, ScanCode.OUT_FOR_DELIVERY, ScanCode.DELIVERED):
        status = next_status(status, code)
    assert status is S.DELIVERED


def test_disallowed_move_is_a_clear_conflict():
    """Delivering an item that was never taken out for delivery is refused with a code and a sentence."""
    with pytest.raises(InvalidTransition) as raised:
        next_status(S.CREATED, ScanCode.DELIVERED)
    assert raised.value.code == "transition_not_allowed"
    assert raised.value.status_code == 409
    assert "created" in raised.value.detail


def test_failure_needs_reason_and_action():
    """A failed attempt without reason or action, or a retry date missing, is refused; other scans carry none."""
    with pytest.raises(InvalidInput, match="reason"):
        states.check_failure(ScanCode.DELIVERY_FAILED, None, FailureAction.RETRY_NEXT_DAY, has_retry_date=False)
    with pytest.raises(InvalidInput) as raised:
        states.check_failure(ScanCode.DELIVERY_FAILED, FailureReason.NOT_HOME, FailureAction.RETRY_ON_DATE,
                             has_retry_date=False)
    assert raised.value.code == "retry_date_missing"
    states.check_failure(ScanCode.DELIVERY_FAILED, FailureReason.NOT_HOME, FailureAction.HOLD_AT_POST_OFFICE,
                         has_retry_date=False)
    with pytest.raises(InvalidInput):
        states.check_failure(ScanCode.DELIVERED, FailureReason.NOT_HOME, None, has_retry_date=False)
