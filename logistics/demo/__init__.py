"""Demo data on real geography: ``seed_province(session, province="Gia Lai", seed=7, day=...)``.

Loads the reference data (administrative units, former provinces' codes, holidays, the
demo procedure catalogue; all idempotent), then builds one province (counters, agencies,
post offices, staff: ``province``) and a day of dossiers and items on every leg (``day``).
The same seed on the same database state gives the same rows (users' ``created_at``
aside: it is the wall-clock time of the seed). Every demo user signs in with
:data:`DEMO_SECRET`. Flushes, never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from sqlmodel import Session, func, select

from logistics.demo.day import DayResult, build_day
from logistics.demo.procedures import load_procedures
from logistics.demo.province import ProvinceObjects, build_province
from logistics.demo.staff import DEMO_SECRET
from logistics.demo.units import load_admin_units, load_holidays, load_legacy_codes
from logistics.exceptions import Conflict
from logistics.handovers.demo import add_demo_handovers
from logistics.geography.communes import find_province
from logistics.models import AdminUnit, Counter, PostOffice
from logistics.models.enums import AdminLevel, LegKind

__all__ = ["DEMO_SECRET", "Progress", "SeedSummary", "seed_province"]

#: ``progress(stage, done, total)``, called as work is done: ``done`` of ``total`` within
#: ``stage``, one of :data:`STAGES` in that order (``items`` reports every 50 items).
Progress = Callable[[str, int, int], None]
STAGES = ("reference data", "province", "items")


@dataclass(frozen=True)
class SeedSummary:
    """What a seed produced. ``provinces``/``communes`` count the administrative units
    in force (the whole country); the rest count the seeded province's rows."""

    province_code: str
    province_name: str
    admin_username: str
    provinces: int
    communes: int
    counters: int
    agencies: int
    post_offices: int
    postmen: int
    users: int
    persons: int
    dossiers: int
    items: dict[LegKind, int] = field(default_factory=dict)
    handovers: int = 0

    @property
    def items_total(self) -> int:
        return sum(self.items.values())

    def as_rows(self) -> list[tuple[str, int | str]]:
        """``(label, value)`` pairs for a table: the counts, then items per leg."""
        rows: list[tuple[str, int | str]] = [
            ("province", f"{self.province_name} ({self.province_code})"),
            ("provinces in force", self.provinces),
            ("communes in force", self.communes),
            ("counters", self.counters),
            ("agencies", self.agencies),
            ("post offices", self.post_offices),
            ("postmen", self.postmen),
            ("users", self.users),
            ("admin username", self.admin_username),
            ("applicants", self.persons),
            ("dossiers", self.dossiers),
        ]
        rows += [(f"items: {leg.value}", count) for leg, count in self.items.items()]
        rows.append(("items", self.items_total))
        rows.append(("confirmed handovers (day before)", self.handovers))
        return rows


def _already_seeded(session: Session, code: str) -> bool:
    for table in (Counter, PostOffice):
        if session.exec(select(table.id).where(table.province_code == code).limit(1)).first() is not None:
            return True
    return False


def _unit_count(session: Session, level: AdminLevel) -> int:
    query = select(func.count()).select_from(AdminUnit).where(AdminUnit.level == level, AdminUnit.valid_to.is_(None))
    return int(session.exec(query).one())


def seed_province(
    session: Session,
    *,
    province: str,
    seed: int,
    day: date,
    volume: int = 600,
    progress: Progress | None = None,
) -> SeedSummary:
    """Seed ``province`` (a name or GSO code, see ``find_province``) with ``volume``
    items for ``day``, from the random ``seed``.

    Raises ``Conflict(code="province_already_seeded")`` if the province has counters or
    post offices already, and ``InvalidInput(code="unknown_province")`` for a name that
    matches no province.
    """
    target = find_province(province)
    if _already_seeded(session, target.code):
        raise Conflict(
            f"{target.name} ({target.code}) is already seeded; seed another province or "
            "start from an empty database.",
            code="province_already_seeded",
            province_code=target.code,
        )
    report = progress or (lambda stage, done, total: None)
    rng = np.random.default_rng(seed)
    loaders = (load_admin_units, load_legacy_codes, load_holidays, load_procedures)
    report(STAGES[0], 0, len(loaders))
    for done, load in enumerate(loaders, start=1):
        load(session)
        report(STAGES[0], done, len(loaders))
    report(STAGES[1], 0, 1)
    objs: ProvinceObjects = build_province(session, province=target, rng=rng)
    report(STAGES[1], 1, 1)
    report(STAGES[2], 0, volume)
    result: DayResult = build_day(
        session, province_objects=objs, day=day, volume=volume, rng=rng,
        progress=lambda done, total: report(STAGES[2], done, total),
    )
    handovers = add_demo_handovers(session, day=_handover_day(day), rng=rng, province_objects=objs)
    return SeedSummary(
        handovers=len(handovers),
        province_code=target.code,
        province_name=target.name,
        admin_username=objs.admin.username,
        provinces=_unit_count(session, AdminLevel.PROVINCE),
        communes=_unit_count(session, AdminLevel.COMMUNE),
        counters=len(objs.counters),
        agencies=len(objs.agencies),
        post_offices=len(objs.post_offices),
        postmen=len(objs.postmen),
        users=len(objs.users),
        persons=result.persons,
        dossiers=result.dossiers,
        items=result.items,
    )


def _handover_day(day: date) -> date:
    """The working day before both ``day`` and today: demo handovers lie in the past,
    where scans are accepted (a scan from the future is refused)."""
    from logistics.workdays import LOCAL_TZ, WorkCalendar

    calendar = WorkCalendar.default()
    earliest = min(day, datetime.now(LOCAL_TZ).date())
    previous = earliest
    while True:
        previous = date.fromordinal(previous.toordinal() - 1)
        if calendar.is_working_day(previous):
            return previous
