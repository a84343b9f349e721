"""Geofences: where a scan was made against where it should have been, and the
post offices' service areas that decide which office carries an item.

A delivery or pickup scanned farther from its place than the policy's radius, after
giving the GPS its stated accuracy, is still accepted (the postman was there, the
phone may not know it) and flagged for a dispatcher to review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, select

from logistics import geo
from logistics.models import Item, PostOffice
from logistics.models.enums import ScanCode
from logistics.tracking.policy import ScanPolicy

# Which end of the leg a scan happens at: the destination for deliveries and
# hand-overs, the origin for pickups and collections.
AT_DESTINATION = frozenset({ScanCode.DELIVERED, ScanCode.DELIVERY_FAILED, ScanCode.HANDED_OVER})
AT_ORIGIN = frozenset({ScanCode.PICKED_UP_AT_HOME, ScanCode.COLLECTED_FROM_AGENCY, ScanCode.COLLECTED_FROM_COUNTER})

FLAG_OUTSIDE = "outside_geofence"
FLAG_POOR_ACCURACY = "poor_accuracy"
FLAG_NO_POSITION = "no_position"


def expected_point(item: Item, code: ScanCode) -> tuple[float, float] | None:
    """Where a ``code`` scan of ``item`` should happen, if the scan is tied to a place."""
    if code in AT_DESTINATION:
        return item.destination_lat, item.destination_lon
    if code in AT_ORIGIN:
        return item.origin_lat, item.origin_lon
    return None


def geofence_flags(
    item: Item, code: ScanCode, lat: float | None, lon: float | None, accuracy_m: float | None, policy: ScanPolicy
) -> list[str]:
    """The review flags of a scan's position (empty when nothing is wrong)."""
    target = expected_point(item, code)
    if target is None:
        return []
    if lat is None or lon is None:
        return [FLAG_NO_POSITION]
    flags = []
    slack = accuracy_m or 0.0
    if slack > policy.poor_accuracy_m:
        flags.append(FLAG_POOR_ACCURACY)
    # The true position is within ``accuracy`` of the fix: only a distance that stays
    # beyond the radius even then is flagged.
    if geo.haversine_m(lat, lon, *target) - slack > policy.geofence_radius_m:
        flags.append(FLAG_OUTSIDE)
    return flags


# ---------------------------------------------------------------- service areas


def _office_sites(offices: Sequence[PostOffice]) -> dict[str, tuple[float, float]]:
    return {str(o.id): (o.lat, o.lon) for o in offices}


def service_areas(session: Session, *, province_code: str, boundary: Any | None = None) -> dict[int, geo.Area]:
    """Each post office's service area in a province: its stored polygon when it has
    one, else its Voronoi cell among the province's offices, clipped to ``boundary``
    (by default the province's approximate area)."""
    offices = session.exec(
        select(PostOffice).where(PostOffice.province_code == province_code).order_by(PostOffice.id)
    ).all()
    if not offices:
        return {}
    cells = geo.voronoi_service_areas(_office_sites(offices), boundary or geo.province_area(province_code))
    areas: dict[int, geo.Area] = {}
    for office in offices:
        stored = office.service_area
        areas[office.id] = geo.from_geojson(stored) if stored else cells[str(office.id)]
    return areas


def store_service_areas(session: Session, *, province_code: str, boundary: Any | None = None) -> int:
    """Write each office's Voronoi cell as its ``service_area`` (GeoJSON); returns how many."""
    offices = session.exec(select(PostOffice).where(PostOffice.province_code == province_code)).all()
    if not offices:
        return 0
    cells = geo.voronoi_service_areas(_office_sites(offices), boundary or geo.province_area(province_code))
    for office in offices:
        office.service_area = geo.to_geojson(cells[str(office.id)])
        session.add(office)
    session.flush()
    return len(offices)


def assign_post_office(
    lat: float, lon: float, areas: Mapping[int, geo.Area], offices: Mapping[int, tuple[float, float]] | None = None
) -> int | None:
    """The id of the office whose area holds ``(lat, lon)``; outside every area, the nearest."""
    name = geo.assign_site(
        lat, lon, {str(k): v for k, v in areas.items()}, {str(k): v for k, v in (offices or {}).items()} or None
    )
    return int(name) if name is not None else None


def post_office_for(session: Session, *, lat: float, lon: float, province_code: str) -> int | None:
    """Which post office of the province carries an item whose home end is ``(lat, lon)``."""
    areas = service_areas(session, province_code=province_code)
    offices = session.exec(select(PostOffice).where(PostOffice.province_code == province_code)).all()
    return assign_post_office(lat, lon, areas, {o.id: (o.lat, o.lon) for o in offices})
