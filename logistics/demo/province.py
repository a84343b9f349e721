"""Build one demo province on real geography: counters, agencies, post offices, staff.

- the provincial public administrative service centre (a provincial ``Counter``) at the
  province centre, and a commune one-stop counter at every commune centre;
- the provincial departments (``agencies.PROVINCIAL_AGENCIES``) a few hundred metres
  around the province centre, and every commune's People's Committee, which sits with
  its one-stop counter at the commune centre;
- post offices (``offices.plan_offices``) with their Voronoi service areas as GeoJSON;
- about one postman per commune, at the office whose area holds the commune's centre,
  plus the users of every role (``staff``).

The province "centre" is the one in the shipped CSV: a geometric centre, which is not
necessarily the seat of the provincial government.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
from sqlmodel import Session

from logistics.demo import agencies as agency_data
from logistics.demo.names import display_phone, mobile_phone, street_address
from logistics.demo.offices import plan_offices
from logistics.demo.staff import PROVINCIAL_EXTRA_POSTMEN, build_staff
from logistics.geo import Area, scatter_points, to_geojson
from logistics.geography.communes import Commune, Province, load_communes
from logistics.models import Agency, Counter, PostOffice, Postman, User
from logistics.models.enums import CounterLevel
from logistics.workdays import DEFAULT_CALENDAR

# Departments stand within this radius of the province centre (a town's admin quarter).
AGENCY_SPREAD_KM: Final = 0.6
# An office serving mostly wards smaller than this gives some postmen bicycles.
SMALL_WARD_KM2: Final = 8.0


@dataclass(frozen=True)
class ProvinceObjects:
    """Everything ``build_day`` needs about a built province (rows are flushed: ids set)."""

    province: Province
    communes: tuple[Commune, ...]
    provincial_counter: Counter
    commune_counters: dict[str, Counter]  # by commune code
    provincial_agencies: dict[str, Agency]  # by key of PROVINCIAL_AGENCIES
    commune_agencies: dict[str, Agency]  # by commune code
    post_offices: dict[str, PostOffice]  # by code, provincial office first
    areas: dict[str, Area]  # service area by post office code
    sites: dict[str, tuple[float, float]]  # (lat, lon) by post office code
    postmen: tuple[Postman, ...]
    users: tuple[User, ...]
    admin: User
    commune_by_code: dict[str, Commune] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "commune_by_code", {c.code: c for c in self.communes})

    @property
    def counters(self) -> list[Counter]:
        return [self.provincial_counter, *self.commune_counters.values()]

    @property
    def agencies(self) -> list[Agency]:
        return [*self.provincial_agencies.values(), *self.commune_agencies.values()]


def province_communes(province: Province) -> tuple[Commune, ...]:
    """The province's communes ordered by GSO code."""
    return tuple(sorted((c for c in load_communes() if c.province_code == province.code), key=lambda c: c.code))


def _nearest_commune(communes: tuple[Commune, ...], lat: float, lon: float) -> Commune:
    return min(communes, key=lambda c: (c.lat - lat) ** 2 + (c.lon - lon) ** 2)


def _counters(
    province: Province, communes: tuple[Commune, ...], seat: Commune, rng: np.random.Generator
) -> tuple[Counter, dict[str, Counter]]:
    provincial = Counter(
        code=agency_data.provincial_counter_code(province),
        name=agency_data.provincial_counter_name(province),
        level=CounterLevel.PROVINCIAL,
        province_code=province.code,
        commune_code=seat.code,
        address=street_address(rng, seat, street_only=True),
        lat=province.lat,
        lon=province.lon,
        opening_hours=agency_data.office_hours(saturday_morning=True),
    )
    by_commune = {
        c.code: Counter(
            code=agency_data.commune_counter_code(c),
            name=agency_data.commune_counter_name(c),
            level=CounterLevel.COMMUNE,
            province_code=province.code,
            commune_code=c.code,
            address=street_address(rng, c, street_only=True),
            lat=c.lat,
            lon=c.lon,
            opening_hours=agency_data.office_hours(saturday_morning=c.unit_type == "Phường"),
        )
        for c in communes
    }
    return provincial, by_commune


def _agencies(
    province: Province,
    communes: tuple[Commune, ...],
    seat: Commune,
    counters: dict[str, Counter],
    rng: np.random.Generator,
) -> tuple[dict[str, Agency], dict[str, Agency]]:
    spots = scatter_points(rng, province.lat, province.lon, AGENCY_SPREAD_KM, len(agency_data.PROVINCIAL_AGENCIES))
    provincial = {
        key: Agency(
            code=agency_data.provincial_agency_code(province, i),
            name=agency_data.provincial_agency_name(base, province),
            province_code=province.code,
            commune_code=seat.code,
            address=street_address(rng, seat, street_only=True),
            lat=round(lat, 6),
            lon=round(lon, 6),
            calendar=DEFAULT_CALENDAR,
            office_hours=agency_data.office_hours(saturday_morning=saturday),
        )
        for i, ((key, base, saturday), (lat, lon)) in enumerate(
            zip(agency_data.PROVINCIAL_AGENCIES, spots, strict=True), start=1
        )
    }
    by_commune = {
        c.code: Agency(
            code=agency_data.commune_agency_code(province, i),
            name=agency_data.commune_agency_name(c),
            province_code=province.code,
            commune_code=c.code,
            address=counters[c.code].address,  # the one-stop counter is in the committee's building
            lat=c.lat,
            lon=c.lon,
            calendar=DEFAULT_CALENDAR,
            office_hours=agency_data.office_hours(saturday_morning=c.unit_type == "Phường"),
        )
        for i, c in enumerate(communes, start=1)
    }
    return provincial, by_commune


def build_province(session: Session, *, province: Province, rng: np.random.Generator) -> ProvinceObjects:
    """Create the counters, agencies, post offices, users and postmen of ``province``.

    ``province`` comes from ``geography.communes.find_province``. Flushes (a handful of
    bulk inserts), never commits. Does not check whether the province exists already:
    ``logistics.demo.seed_province`` does.
    """
    communes = province_communes(province)
    seat = _nearest_commune(communes, province.lat, province.lon)
    provincial_counter, commune_counters = _counters(province, communes, seat, rng)
    provincial_agencies, commune_agencies = _agencies(province, communes, seat, commune_counters, rng)

    sites = plan_offices(province, communes, rng)
    offices = {
        s.code: PostOffice(
            code=s.code,
            name=(f"Bưu điện {agency_data.province_label(province.name)}" if s.provincial
                  else f"Bưu điện {agency_data.commune_label(s.commune)}"),
            province_code=province.code,
            commune_code=s.commune.code,
            address=street_address(rng, s.commune, street_only=True),
            lat=round(s.lat, 6),
            lon=round(s.lon, 6),
            phone=display_phone(mobile_phone(rng)),
            service_area=to_geojson(s.area),
            opening_hours=agency_data.post_office_hours(),
        )
        for s in sites
    }
    session.add_all([provincial_counter, *commune_counters.values(), *provincial_agencies.values(),
                     *commune_agencies.values(), *offices.values()])
    session.flush()

    postmen_per_office = {
        s.code: max(1, len(s.served)) + (PROVINCIAL_EXTRA_POSTMEN if s.provincial else 0) for s in sites
    }
    small_ward_offices = {
        s.code for s in sites
        if s.served and np.median([c.area_km2 or SMALL_WARD_KM2 for c in s.served]) < SMALL_WARD_KM2
    }
    staff = build_staff(
        session,
        province_code=province.code,
        post_offices=list(offices.values()),
        postmen_per_office=postmen_per_office,
        small_ward_offices=small_ward_offices,
        counters=[provincial_counter, *commune_counters.values()],
        agencies=[*provincial_agencies.values(), *commune_agencies.values()],
        rng=rng,
    )
    return ProvinceObjects(
        province=province,
        communes=communes,
        provincial_counter=provincial_counter,
        commune_counters=commune_counters,
        provincial_agencies=provincial_agencies,
        commune_agencies=commune_agencies,
        post_offices=offices,
        areas={s.code: s.area for s in sites},
        sites={s.code: (round(s.lat, 6), round(s.lon, 6)) for s in sites},
        postmen=staff.postmen,
        users=staff.users,
        admin=staff.admin,
    )
