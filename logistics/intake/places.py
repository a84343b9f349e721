"""Where each leg starts and ends, and which post office carries it.

Pure decisions over rows already loaded: :func:`plan_leg` turns a leg kind and the
dossier's places into origin, destination, the home end and the first holder;
:func:`nearest_post_office` picks the responsible office by great-circle distance
(later issues use the offices' service areas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from logistics.exceptions import InvalidInput
from logistics.geo import haversine_m
from logistics.models import Agency, Counter, PostOffice
from logistics.models.enums import HolderKind, LegKind, PlaceKind


@dataclass(frozen=True, slots=True)
class Place:
    kind: PlaceKind
    ref_id: int | None  # counter / agency / post office id; None for a home
    lat: float
    lon: float
    province_code: str | None = None

    @classmethod
    def home(cls, lat: float, lon: float, province_code: str | None) -> Place:
        return cls(PlaceKind.HOME, None, lat, lon, province_code)

    @classmethod
    def counter(cls, counter: Counter) -> Place:
        return cls(PlaceKind.COUNTER, counter.id, counter.lat, counter.lon, counter.province_code)

    @classmethod
    def agency(cls, agency: Agency) -> Place:
        return cls(PlaceKind.AGENCY, agency.id, agency.lat, agency.lon, agency.province_code)

    @classmethod
    def post_office(cls, office: PostOffice) -> Place:
        return cls(PlaceKind.POST_OFFICE, office.id, office.lat, office.lon, office.province_code)


@dataclass(frozen=True, slots=True)
class LegPlan:
    origin: Place
    destination: Place
    # Whose home the leg starts or ends at, if any (or who collects it at the post office).
    home: Literal["applicant", "recipient"] | None
    # The first holder; for the applicant the service fills in their person id.
    holder_kind: HolderKind
    holder_ref_id: int | None


# Who holds the envelope when the leg is announced: whoever is at its origin.
_HOLDER = {
    PlaceKind.COUNTER: HolderKind.COUNTER,
    PlaceKind.AGENCY: HolderKind.AGENCY,
    PlaceKind.POST_OFFICE: HolderKind.POST_OFFICE,
}


def _need_counter(counter: Counter | None, leg: LegKind) -> Counter:
    if counter is None:
        raise InvalidInput(f"A {leg.value} leg needs the receiving counter: give counter_code.", code="counter_required")
    return counter


def plan_leg(
    leg: LegKind,
    *,
    agency: Agency,
    counter: Counter | None,
    to_counter: Counter | None,
    applicant_home: Place,
    recipient_home: Place,
    offices: Sequence[PostOffice],
) -> tuple[LegPlan, PostOffice]:
    """Origin, destination and holder of ``leg``, and the post office that carries it."""
    if leg == LegKind.HOME_PICKUP:
        destination = Place.counter(counter) if counter is not None else Place.agency(agency)
        office = nearest_post_office(applicant_home, offices)
        return LegPlan(applicant_home, destination, "applicant", HolderKind.APPLICANT, None), office
    if leg == LegKind.HOME_DELIVERY:
        office = nearest_post_office(recipient_home, offices)
        origin = Place.post_office(office)
        return LegPlan(origin, recipient_home, "recipient", HolderKind.POST_OFFICE, office.id), office
    if leg == LegKind.AGENCY_TO_OFFICE:
        # Kept for collection at the office nearest the recipient, who is the leg's last holder.
        office = nearest_post_office(recipient_home, offices)
        return LegPlan(Place.agency(agency), Place.post_office(office), "recipient", HolderKind.AGENCY, agency.id), office
    if leg == LegKind.COUNTER_TO_AGENCY:
        origin = Place.counter(_need_counter(counter, leg))
        destination = Place.agency(agency)
    elif leg == LegKind.AGENCY_TO_COUNTER:
        origin = Place.agency(agency)
        destination = Place.counter(_need_counter(counter, leg))
    elif leg == LegKind.COMMUNE_TRANSFER:
        origin = Place.counter(_need_counter(counter, leg))
        if to_counter is None:
            raise InvalidInput("A commune transfer needs to_counter_code.", code="missing_to_counter")
        if to_counter.id == origin.ref_id:
            raise InvalidInput("A commune transfer goes to another counter.", code="same_counter")
        destination = Place.counter(to_counter)
    else:  # pragma: no cover - every LegKind is handled above
        raise InvalidInput(f"Unknown leg kind {leg}.", code="invalid_leg")
    # Between offices, the counter end decides which post office carries the leg.
    office = nearest_post_office(origin if origin.kind == PlaceKind.COUNTER else destination, offices)
    return LegPlan(origin, destination, None, _HOLDER[origin.kind], origin.ref_id), office


def nearest_post_office(place: Place, offices: Sequence[PostOffice]) -> PostOffice:
    """The office nearest ``place``, preferring offices of its province.

    A home near a provincial border belongs to its own province's office even when a
    neighbour's is a little closer: provinces run their own public postal service.
    """
    if not offices:
        raise InvalidInput("No post office is configured to carry this dossier.", code="no_post_office")
    same_province = [o for o in offices if place.province_code and o.province_code == place.province_code]
    candidates = same_province or list(offices)
    return min(candidates, key=lambda o: (haversine_m(place.lat, place.lon, o.lat, o.lon), o.id or 0))
