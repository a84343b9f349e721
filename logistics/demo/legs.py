"""Drawing a day's dossiers leg by leg, before any row exists (see ``day`` for the mix).

Procedure flags are respected: the intake legs (pickup, counter→agency, commune
transfer) use only procedures with ``intake_by_post``; the return legs only those with
``return_by_post``. The responsible post office is the one whose service area holds the
home (home legs) or the place the item is collected from (other legs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np

from logistics.demo import clock
from logistics.demo.procedures import CatalogueEntry, catalogue
from logistics.demo.province import ProvinceObjects
from logistics.geo import assign_site, scatter_points
from logistics.geography.communes import Commune
from logistics.models import Agency, Counter
from logistics.models.enums import LegKind, PlaceKind, PostagePayer
from logistics.workdays import LOCAL_TZ, WorkCalendar

# Share of the day's items per leg [guess shaped by the seeds' ratios].
LEG_MIX: Final = {
    LegKind.HOME_PICKUP: 0.12,
    LegKind.COUNTER_TO_AGENCY: 0.28,
    LegKind.AGENCY_TO_COUNTER: 0.16,
    LegKind.HOME_DELIVERY: 0.34,
    LegKind.COMMUNE_TRANSFER: 0.06,
    LegKind.AGENCY_TO_OFFICE: 0.04,  # results the recipient collects at the post office
}
S10_PREFIX: Final = {
    LegKind.HOME_PICKUP: "RR", LegKind.COUNTER_TO_AGENCY: "RR", LegKind.COMMUNE_TRANSFER: "RR",
    LegKind.AGENCY_TO_COUNTER: "EB", LegKind.HOME_DELIVERY: "EB", LegKind.AGENCY_TO_OFFICE: "EB",
}
_INTAKE_LEGS: Final = frozenset({LegKind.HOME_PICKUP, LegKind.COUNTER_TO_AGENCY, LegKind.COMMUNE_TRANSFER})
_WARD_WEIGHT: Final = 2.0  # wards are denser than rural communes: twice the dossiers
_NEIGHBOURS: Final = 6  # a commune transfer comes from one of the 6 nearest communes


@dataclass(slots=True)
class Plan:
    """One dossier and its item of the day, before the rows exist."""

    leg: LegKind
    entry: CatalogueEntry
    commune: Commune  # where the applicant lives
    home: tuple[float, float]
    agency: Agency
    counter: Counter | None
    received_at: datetime
    appointment: date
    status_at: datetime
    due: date
    origin: tuple[PlaceKind, int | None, float, float] = (PlaceKind.HOME, None, 0.0, 0.0)
    destination: tuple[PlaceKind, int | None, float, float] = (PlaceKind.HOME, None, 0.0, 0.0)
    window: tuple[datetime, datetime] | None = None
    fee: int = 0
    post_office: str = ""
    s10: str = ""


def leg_counts(volume: int) -> dict[LegKind, int]:
    """Split ``volume`` items over the legs by :data:`LEG_MIX` (largest remainders)."""
    raw = {leg: volume * share for leg, share in LEG_MIX.items()}
    counts = {leg: int(v) for leg, v in raw.items()}
    by_remainder = sorted(raw, key=lambda g: (counts[g] - raw[g], list(LEG_MIX).index(g)))
    for leg in by_remainder[: volume - sum(counts.values())]:
        counts[leg] += 1
    return counts


class _Planner:
    """Draws each leg's dossiers: who, which procedure, where from and to, when."""

    def __init__(self, objs: ProvinceObjects, day: date, rng: np.random.Generator) -> None:
        self.objs, self.day, self.rng = objs, day, rng
        self.cal = WorkCalendar.default()
        self.previous = clock.working_days_before(self.cal, day, 1)
        weights = np.array([_WARD_WEIGHT if c.unit_type == "Phường" else 1.0 for c in objs.communes])
        self.commune_p = weights / weights.sum()
        lat = np.array([c.lat for c in objs.communes])
        lon = np.array([c.lon for c in objs.communes]) * np.cos(np.radians(lat.mean()))
        d2 = (lat[:, None] - lat[None, :]) ** 2 + (lon[:, None] - lon[None, :]) ** 2
        self.neighbours = np.argsort(d2, axis=1, kind="stable")[:, 1 : _NEIGHBOURS + 1]
        self.index = {c.code: i for i, c in enumerate(objs.communes)}

    # -- choices ----------------------------------------------------------------
    def pick_entry(self, ok: list[CatalogueEntry]) -> CatalogueEntry:
        shares = np.array([e.share for e in ok], dtype=float)
        return ok[int(self.rng.choice(len(ok), p=shares / shares.sum()))]

    def pick_commune(self) -> int:
        return int(self.rng.choice(len(self.objs.communes), p=self.commune_p))

    def home_of(self, commune: Commune) -> tuple[float, float]:
        radius = float(np.clip(0.8 * np.sqrt((commune.area_km2 or 7.0) / np.pi), 0.3, 8.0))
        lat, lon = scatter_points(self.rng, commune.lat, commune.lon, radius, 1)[0]
        return round(lat, 6), round(lon, 6)

    def agency_for(self, entry: CatalogueEntry, commune: Commune) -> Agency:
        if entry.decided_by_commune:
            return self.objs.commune_agencies[commune.code]
        return self.objs.provincial_agencies[entry.agency]

    def counter_for(self, entry: CatalogueEntry, commune: Commune) -> Counter:
        if entry.decided_by_commune or self.rng.random() < 0.5:
            return self.objs.commune_counters[commune.code]
        return self.objs.provincial_counter

    def neighbour_counter(self, commune: Commune) -> Counter:
        """The counter of one of the communes nearest ``commune`` (not its own)."""
        near = self.neighbours[self.index[commune.code]]
        return self.objs.commune_counters[self.objs.communes[int(near[int(self.rng.integers(len(near)))])].code]

    def office_for(self, lat: float, lon: float) -> str:
        """The code of the post office whose service area holds ``(lat, lon)``."""
        code = assign_site(lat, lon, self.objs.areas, self.objs.sites)
        assert code is not None  # None only for an empty mapping; a province has offices
        return code

    def received_before(self, working_days: int, *, after_cutoff: bool = False) -> datetime:
        d = clock.working_days_before(self.cal, self.day, max(1, working_days))
        return clock.office_time(self.rng, d, after_cutoff=after_cutoff)

    def ready_time(self, received_at: datetime) -> datetime:
        """When a result was marked ready or collected: the previous working day's
        afternoon, and never before the dossier was received."""
        ready = clock.office_time(self.rng, self.previous, afternoon=True)
        return max(ready, received_at + timedelta(hours=1))

    def plan(self, leg: LegKind, entry: CatalogueEntry, ci: int) -> Plan:
        commune = self.objs.communes[ci]
        home = self.home_of(commune)
        agency = self.agency_for(entry, commune)
        sla, rng = entry.sla_working_days, self.rng
        if leg in (LegKind.AGENCY_TO_COUNTER, LegKind.HOME_DELIVERY, LegKind.AGENCY_TO_OFFICE):
            # offset > 0: appointment that many working days ahead; < 0: overdue.
            offsets, weights = (-3, -2, -1, 0, 1, 2, 3), (0.03, 0.04, 0.08, 0.45, 0.2, 0.12, 0.08)
            offset = int(rng.choice(offsets, p=weights))
            received_at = self.received_before(sla - offset)
        elif leg is LegKind.HOME_PICKUP:
            received_at = self.received_before(1)
        elif rng.random() < 0.6:  # counter legs: last working day after the cut-off...
            received_at = self.received_before(1, after_cutoff=True)
        else:  # ...or a remote counter's backlog of the last few days
            received_at = self.received_before(int(rng.integers(1, 4)))
        appointment = self.cal.add_working_days(received_at.astimezone(LOCAL_TZ).date(), sla)
        return Plan(leg=leg, entry=entry, commune=commune, home=home, agency=agency, counter=None,
                    received_at=received_at, appointment=appointment, status_at=received_at, due=self.day)

    # -- legs ------------------------------------------------------------------
    def home_pickup(self, p: Plan) -> None:
        objs = self.objs
        if p.entry.decided_by_commune:
            p.counter = objs.commune_counters[p.commune.code]
        elif self.rng.random() < 0.7:
            p.counter = objs.provincial_counter
        place = p.counter or p.agency
        kind = PlaceKind.COUNTER if p.counter else PlaceKind.AGENCY
        p.origin = (PlaceKind.HOME, None, *p.home)
        p.destination = (kind, place.id, place.lat, place.lon)
        p.window = clock.booked_window(self.rng, self.day)
        if self.rng.random() < 0.6:  # the rest paid online when they booked
            p.fee = p.entry.fee_vnd + (p.entry.postage_vnd if p.entry.postage_payer is PostagePayer.CITIZEN else 0)

    def counter_to_agency(self, p: Plan) -> None:
        p.counter = self.counter_for(p.entry, p.commune)
        p.origin = (PlaceKind.COUNTER, p.counter.id, p.counter.lat, p.counter.lon)
        p.destination = (PlaceKind.AGENCY, p.agency.id, p.agency.lat, p.agency.lon)

    def commune_transfer(self, p: Plan) -> None:
        p.counter = self.neighbour_counter(p.commune)
        home_counter = self.objs.commune_counters[p.commune.code]
        p.origin = (PlaceKind.COUNTER, p.counter.id, p.counter.lat, p.counter.lon)
        p.destination = (PlaceKind.COUNTER, home_counter.id, home_counter.lat, home_counter.lon)

    def agency_to_counter(self, p: Plan) -> None:
        if p.entry.decided_by_commune:  # lodged at a neighbour's counter, decided at home
            p.counter = self.neighbour_counter(p.commune)
        else:
            p.counter = self.counter_for(p.entry, p.commune)
        p.status_at = self.ready_time(p.received_at)
        p.due = max(p.appointment, self.day)
        p.origin = (PlaceKind.AGENCY, p.agency.id, p.agency.lat, p.agency.lon)
        p.destination = (PlaceKind.COUNTER, p.counter.id, p.counter.lat, p.counter.lon)

    def agency_to_office(self, p: Plan) -> None:
        """Kept for collection at the office serving the recipient's home (set by ``plan_day``)."""
        p.counter = self.counter_for(p.entry, p.commune)
        p.status_at = self.ready_time(p.received_at)
        p.due = max(p.appointment, self.day)
        p.origin = (PlaceKind.AGENCY, p.agency.id, p.agency.lat, p.agency.lon)

    def home_delivery(self, p: Plan) -> None:
        p.counter = self.counter_for(p.entry, p.commune)
        p.status_at = self.ready_time(p.received_at)
        p.due = max(p.appointment, self.day)  # appointment today or past: due today
        p.destination = (PlaceKind.HOME, None, *p.home)
        if self.rng.random() < 0.25:
            p.window = clock.booked_window(self.rng, p.due)
        cod = p.entry.fee_vnd if p.entry.fee_vnd and self.rng.random() < 0.35 else 0
        if p.entry.postage_payer is PostagePayer.CITIZEN and self.rng.random() < 0.5:
            cod += p.entry.postage_vnd
        p.fee = cod


def eligible(leg: LegKind, entries: tuple[CatalogueEntry, ...]) -> list[CatalogueEntry]:
    """The procedures a leg may carry: intake legs need intake_by_post, return legs
    return_by_post; counter→agency is for departments, commune transfers for communes."""
    if leg is LegKind.COUNTER_TO_AGENCY:
        return [e for e in entries if e.intake_by_post and not e.decided_by_commune]
    if leg is LegKind.COMMUNE_TRANSFER:
        return [e for e in entries if e.intake_by_post and e.decided_by_commune]
    if leg in _INTAKE_LEGS:
        return [e for e in entries if e.intake_by_post]
    return [e for e in entries if e.return_by_post]


def plan_day(objs: ProvinceObjects, day: date, volume: int, rng: np.random.Generator) -> list[Plan]:
    """Draw ``volume`` plans, leg by leg in :data:`LEG_MIX` order, each with its
    responsible post office set."""
    planner = _Planner(objs, day, rng)
    entries = catalogue()
    plans: list[Plan] = []
    for leg, count in leg_counts(volume).items():
        ok = eligible(leg, entries)
        for _ in range(count):
            p = planner.plan(leg, planner.pick_entry(ok), planner.pick_commune())
            getattr(planner, leg.value)(p)
            if leg is LegKind.HOME_DELIVERY:
                p.post_office = planner.office_for(*p.home)
                office = objs.post_offices[p.post_office]
                p.origin = (PlaceKind.POST_OFFICE, office.id, office.lat, office.lon)
            elif leg is LegKind.AGENCY_TO_OFFICE:
                p.post_office = planner.office_for(*p.home)
                office = objs.post_offices[p.post_office]
                p.destination = (PlaceKind.POST_OFFICE, office.id, office.lat, office.lon)
            else:
                p.post_office = planner.office_for(p.origin[2], p.origin[3])
            plans.append(p)
    return plans
