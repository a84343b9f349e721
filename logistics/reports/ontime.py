"""On-time rate against the appointment date, per agency, per commune, per post office.

The rate is ``on_time / (on_time + late + overdue)``: dossiers not yet due are left
out (``outcomes`` defines each verdict).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from logistics.reports.outcomes import DossierOutcome, Verdict


class GroupBy(StrEnum):
    AGENCY = "agency"
    COMMUNE = "commune"
    POST_OFFICE = "post_office"


_KEYS: dict[GroupBy, Callable[[DossierOutcome], tuple[str, str]]] = {
    GroupBy.AGENCY: lambda o: (o.agency_code, o.agency_name),
    GroupBy.COMMUNE: lambda o: (o.commune_code, o.commune_name),
    GroupBy.POST_OFFICE: lambda o: (o.post_office_code, o.post_office_name),
}


@dataclass(frozen=True)
class OnTimeRow:
    code: str
    name: str
    on_time: int
    late: int
    overdue: int
    open: int
    working_days_late: int  # summed over late and overdue dossiers

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """On-time share of the judged dossiers (None when none is due yet)."""
        return round(self.on_time / self.judged, 4) if self.judged else None


def on_time_rate(outcomes: Iterable[DossierOutcome], group_by: GroupBy) -> list[OnTimeRow]:
    """One row per unit, the worst rate first (the units to look at), then by code."""
    counts: dict[tuple[str, str], dict[Verdict, int]] = defaultdict(lambda: dict.fromkeys(Verdict, 0))
    days: dict[tuple[str, str], int] = defaultdict(int)
    for outcome in outcomes:
        key = _KEYS[group_by](outcome)
        counts[key][outcome.verdict] += 1
        days[key] += outcome.working_days_late if outcome.verdict in (Verdict.LATE, Verdict.OVERDUE) else 0
    rows = [
        OnTimeRow(code=code, name=name, on_time=c[Verdict.ON_TIME], late=c[Verdict.LATE], overdue=c[Verdict.OVERDUE],
                  open=c[Verdict.OPEN], working_days_late=days[(code, name)])
        for (code, name), c in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.rate if r.rate is not None else 2.0, r.code))


def total(rows: Iterable[OnTimeRow]) -> OnTimeRow:
    rows = list(rows)
    return OnTimeRow(
        code="*", name="", on_time=sum(r.on_time for r in rows), late=sum(r.late for r in rows),
        overdue=sum(r.overdue for r in rows), open=sum(r.open for r in rows),
        working_days_late=sum(r.working_days_late for r in rows),
    )
