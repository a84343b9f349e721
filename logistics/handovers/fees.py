"""Fees handed over at a handover, reconciled against the fees recorded.

Each line carries the fee recorded for its item at intake or delivery
(``Item.fee_to_collect_vnd``, copied when the item is scanned onto the record). The
expected sum counts the lines the receiver took (accepted or taken with a remark);
the clerk types the sum actually handed over, and any difference is printed on the
record with its reason. Amounts are whole đồng.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from logistics.exceptions import InvalidInput
from logistics.models import HandoverLine
from logistics.models.enums import LineOutcome

# Lines whose item changes hands: accepted, or taken with a remark on its state.
TAKEN = frozenset({LineOutcome.ACCEPTED, LineOutcome.SEAL_BROKEN, LineOutcome.COUNT_DIFFERS})
MAX_FEES_VND = 10_000_000_000


@dataclass(frozen=True)
class Reconciliation:
    expected_vnd: int
    handed_vnd: int
    note: str | None

    @property
    def difference_vnd(self) -> int:
        """Handed minus expected: negative when less was handed than recorded."""
        return self.handed_vnd - self.expected_vnd

    @property
    def balanced(self) -> bool:
        return self.difference_vnd == 0


def expected(lines: Iterable[HandoverLine]) -> int:
    return sum(line.fee_vnd for line in lines if line.outcome in TAKEN)


def reconcile(lines: Iterable[HandoverLine], *, handed_vnd: int | None, note: str | None = None) -> Reconciliation:
    """The reconciliation of ``lines``; ``handed_vnd`` None means exactly what was expected."""
    want = expected(lines)
    handed = want if handed_vnd is None else handed_vnd
    if handed < 0 or handed > MAX_FEES_VND:
        raise InvalidInput("The fees handed over must be between 0 and 10 billion đồng.", code="invalid_fees")
    note = (note or "").strip() or None
    if handed != want and note is None:
        note = f"Chênh lệch {handed - want:+,} đồng".replace(",", ".")
    return Reconciliation(expected_vnd=want, handed_vnd=handed, note=note if handed != want else None)
