"""Post offices' service areas assign items to offices."""

from __future__ import annotations

from logistics.models import PostOffice
from logistics.tracking.geofence import post_office_for, service_areas, store_service_areas
from tests.web.factories import build_world


def test_voronoi_areas_assign_a_home_to_the_nearest_office(session):
    """A home near office B's side of Quy Nhơn is carried by office B; areas are stored as GeoJSON."""
    world = build_world(session)
    areas = service_areas(session, province_code="52")
    assert set(areas) == {world.a.post_office.id, world.b.post_office.id}
    b = world.b.post_office
    assert post_office_for(session, lat=b.lat + 0.001, lon=b.lon + 0.003, province_code="52") == b.id
    assert store_service_areas(session, province_code="52") == 2
    assert session.get(PostOffice, b.id).service_area["type"] in {"Polygon", "MultiPolygon"}


def test_a_stored_area_overrides_the_voronoi_cell(session):
    """An office with a drawn service area keeps it."""
    world = build_world(session)
    a = world.a.post_office
    square = {"type": "Polygon", "coordinates": [[[109.0, 13.0], [109.1, 13.0], [109.1, 13.1], [109.0, 13.1], [109.0, 13.0]]]}
    a.service_area = square
    session.add(a)
    session.flush()
    assert service_areas(session, province_code="52")[a.id].bounds == (109.0, 13.0, 109.1, 13.1)
