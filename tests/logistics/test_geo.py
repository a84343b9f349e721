"""Distances, travel times, Vietnam's territory, service areas and GeoJSON."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
import shapely

from logistics import geo
from logistics.exceptions import InvalidInput
from logistics.geography.communes import load_communes

# Google's centroids of the two cities; the great circle between them is ~1,137 km.
HANOI = (21.0278, 105.8342)
HCMC = (10.8231, 106.6297)


# ---------------------------------------------------------------- distances


def test_haversine_hanoi_hcmc() -> None:
    """Hà Nội to Hồ Chí Minh City is about 1,137 km by great circle."""
    assert geo.haversine_m(*HANOI, *HCMC) == pytest.approx(1_137_000, abs=5_000)


def test_haversine_one_degree_of_latitude() -> None:
    """One degree along a meridian is π·R/180 = 111,195 m; a point is 0 m from itself."""
    assert geo.haversine_m(10.0, 106.0, 11.0, 106.0) == pytest.approx(111_195.08, abs=0.01)
    assert geo.haversine_m(*HANOI, *HANOI) == 0.0


def test_haversine_antipodes_do_not_fail() -> None:
    """Antipodal points give half the circumference, not a math domain error."""
    assert geo.haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * 6_371_008.8)


def test_matrix_equals_scalar() -> None:
    """Every entry of the n×n matrix equals the scalar haversine of the pair."""
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(8, 23.5, 40), rng.uniform(102, 110, 40)
    matrix = geo.haversine_matrix_m(lats, lons)
    assert matrix.shape == (40, 40) and matrix.dtype == np.float64
    for i, j in itertools.product(range(40), repeat=2):
        expected = geo.haversine_m(lats[i], lons[i], lats[j], lons[j])
        assert matrix[i, j] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_matrix_is_symmetric_with_zero_diagonal() -> None:
    """The matrix of one set of points is exactly symmetric and exactly 0 on the diagonal."""
    rng = np.random.default_rng(8)
    matrix = geo.haversine_matrix_m(rng.uniform(8, 23, 300), rng.uniform(102, 110, 300))
    assert np.array_equal(matrix, matrix.T)
    assert not np.diagonal(matrix).any()


def test_rect_matrix_equals_scalar() -> None:
    """The n×m matrix holds the distance from each a-point to each b-point."""
    a = [HANOI, (16.05, 108.2), (12.24, 109.19)]
    b = [HCMC, (10.03, 105.78)]
    rect = geo.haversine_rect_m([p[0] for p in a], [p[1] for p in a], [p[0] for p in b],
                                [p[1] for p in b])
    assert rect.shape == (3, 2)
    for (i, p), (j, q) in itertools.product(enumerate(a), enumerate(b)):
        assert rect[i, j] == pytest.approx(geo.haversine_m(*p, *q), rel=1e-9, abs=1e-6)


# ---------------------------------------------------------------- travel times


def test_travel_seconds_round_up() -> None:
    """Travel time is distance × circuity / speed rounded up to a whole second."""
    assert geo.travel_seconds(0, 28, 1.35) == 0
    assert geo.travel_seconds(1, 28, 1.35) == 1  # 0.17 s
    assert geo.travel_seconds(1000, 28, 1.35) == 174  # 173.57 s
    assert geo.travel_seconds(10_000, 36, 1.0) == 1000  # exactly 1,000 s
    assert isinstance(geo.travel_seconds(1000.0, 28, 1.35), int)


def test_travel_seconds_exact_values_are_not_bumped() -> None:
    """An exact whole second stays whole despite float error (1,400 m at 28 km/h ×1.35 = 243 s)."""
    assert math.ceil(1400 * 1.35 * 3.6 / 28) == 244  # the naive float rule is one second off
    assert geo.travel_seconds(1400, 28, 1.35) == 243


def test_travel_seconds_on_a_matrix() -> None:
    """An array of distances gives an int64 array of the same shape."""
    seconds = geo.travel_seconds(np.array([[0.0, 1000.0], [1000.0, 0.0]]), 28, 1.35)
    assert seconds.dtype == np.int64
    assert seconds.tolist() == [[0, 174], [174, 0]]


@pytest.mark.parametrize(
    ("distance", "speed", "circuity", "code"),
    [(100, 0, 1.3, "invalid_speed"), (100, float("nan"), 1.3, "invalid_speed"),
     (100, 28, 0.9, "invalid_circuity"), (-1, 28, 1.3, "invalid_distance"),
     (float("inf"), 28, 1.3, "invalid_distance")],
)
def test_travel_seconds_refuses_bad_input(
    distance: float, speed: float, circuity: float, code: str
) -> None:
    """A non-positive speed, a circuity below 1 or a bad distance is refused."""
    with pytest.raises(InvalidInput) as info:
        geo.travel_seconds(distance, speed, circuity)
    assert info.value.code == code


# ---------------------------------------------------------------- territory

INSIDE = {
    "Hà Nội": HANOI,
    "Hồ Chí Minh City": HCMC,
    "Phú Quốc": (10.2899, 103.9840),
    "Côn Đảo": (8.6833, 106.6000),
    "Lý Sơn": (15.3800, 109.1200),
}
OUTSIDE = {
    "Vientiane": (17.9757, 102.6331),
    "Phnom Penh": (11.5564, 104.9282),
    "Bangkok": (13.7563, 100.5018),
    "Guangzhou": (23.1291, 113.2644),
    "Manila": (14.5995, 120.9842),
    "open sea towards the Philippines": (14.0, 116.0),
    "null island": (0.0, 0.0),
}


@pytest.mark.parametrize("place", INSIDE)
def test_territory_accepts_vietnamese_places(place: str) -> None:
    """Cities and islands of Vietnam are inside the territory."""
    assert geo.is_in_vietnam(*INSIDE[place])
    assert geo.require_in_vietnam(*INSIDE[place]) == INSIDE[place]


def test_territory_accepts_every_special_zone() -> None:
    """All 13 special zones of the CSV (Hoàng Sa and Trường Sa included) are inside."""
    zones = [c for c in load_communes() if c.unit_type == "Đặc khu"]
    assert len(zones) == 13
    for zone in zones:
        assert geo.is_in_vietnam(zone.lat, zone.lon), zone.name


@pytest.mark.parametrize("place", OUTSIDE)
def test_territory_refuses_foreign_places(place: str) -> None:
    """Neighbouring capitals, the open sea and (0, 0) are outside the territory."""
    assert not geo.is_in_vietnam(*OUTSIDE[place])


def test_every_commune_centre_is_inside() -> None:
    """All 3,321 commune centres lie inside the territory built from them."""
    assert all(geo.is_in_vietnam(c.lat, c.lon) for c in load_communes())


def test_territory_is_cached_and_plausible() -> None:
    """The territory is built once; its area is near Vietnam's 331,000 km² (plus coast)."""
    territory = geo.vietnam_territory()
    assert geo.vietnam_territory() is territory
    assert territory.is_valid
    # Rough km²: degrees² × 111.2² × cos(16°); disks overshoot coasts and borders.
    area_km2 = territory.area * geo.KM_PER_DEGREE**2 * math.cos(math.radians(16))
    assert 300_000 < area_km2 < 420_000


def test_require_in_vietnam_names_the_coordinates() -> None:
    """A point abroad is refused with coordinates_outside_vietnam and the coordinates."""
    with pytest.raises(InvalidInput) as info:
        geo.require_in_vietnam(13.7563, 100.5018)
    assert info.value.code == "coordinates_outside_vietnam"
    assert "13.756300" in info.value.detail and "100.501800" in info.value.detail


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(float("nan"), 105.0), (21.0, float("inf")), (91.0, 105.0), (21.0, -181.0),
     (105.85, 21.03), ("north", 105.0), (None, 105.0)],
)
def test_require_in_vietnam_refuses_invalid_coordinates(lat: object, lon: object) -> None:
    """Non-finite, out-of-range (often swapped) or non-numeric coordinates are invalid."""
    with pytest.raises(InvalidInput) as info:
        geo.require_in_vietnam(lat, lon)  # type: ignore[arg-type]
    assert info.value.code == "invalid_coordinates"


def test_province_area_holds_its_communes_only() -> None:
    """A province area holds its own commune centres and not another province's centre."""
    area = geo.province_area("Gia Lai")
    assert geo.province_area("52") is area
    gia_lai = [c for c in load_communes() if c.province_code == "52"]
    assert shapely.contains_xy(area, [c.lon for c in gia_lai], [c.lat for c in gia_lai]).all()
    assert not shapely.contains_xy(area, HANOI[1], HANOI[0])
    assert area.within(geo.vietnam_territory().buffer(0.01))


# ---------------------------------------------------------------- service areas


@pytest.fixture(scope="module")
def ha_tinh() -> tuple[dict[str, tuple[float, float]], shapely.Geometry]:
    """Twelve post offices at Hà Tĩnh commune centres and the province area."""
    communes = [c for c in load_communes() if c.province_code == "42"][::6][:12]
    return {c.code: (c.lat, c.lon) for c in communes}, geo.province_area("42")


def test_service_areas_cover_without_overlap(ha_tinh) -> None:
    """Cells cover the boundary exactly and pairwise overlap by nothing."""
    sites, boundary = ha_tinh
    areas = geo.voronoi_service_areas(sites, boundary)
    assert list(areas) == list(sites)
    assert shapely.union_all(list(areas.values())).area == pytest.approx(boundary.area, rel=1e-9)
    assert sum(a.area for a in areas.values()) == pytest.approx(boundary.area, rel=1e-9)
    for a, b in itertools.combinations(areas.values(), 2):
        assert a.intersection(b).area < 1e-12
    for name, (lat, lon) in sites.items():
        assert areas[name].contains(geo.point(lat, lon))


def test_assign_site_agrees_with_nearest_site(ha_tinh) -> None:
    """A point clearly nearer one site (by ≥ 2 km) is assigned to that site."""
    sites, boundary = ha_tinh
    areas = geo.voronoi_service_areas(sites, boundary)
    names = list(sites)
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = boundary.bounds
    checked = 0
    for lon, lat in zip(rng.uniform(minx, maxx, 600), rng.uniform(miny, maxy, 600)):
        if not boundary.contains(geo.point(lat, lon)):
            continue
        d = sorted((geo.haversine_m(lat, lon, *sites[n]), n) for n in names)
        if d[1][0] - d[0][0] >= 2000:
            assert geo.assign_site(lat, lon, areas) == d[0][1]
            checked += 1
    assert checked > 100


def test_one_site_gets_the_whole_boundary(ha_tinh) -> None:
    """With a single post office its area is the whole boundary."""
    _, boundary = ha_tinh
    assert geo.voronoi_service_areas({"only": (18.34, 105.90)}, boundary) == {"only": boundary}


def test_two_sites_split_the_boundary(ha_tinh) -> None:
    """Two post offices split the boundary in two non-overlapping cells around each."""
    _, boundary = ha_tinh
    sites = {"north": (18.55, 105.65), "south": (18.05, 106.05)}
    areas = geo.voronoi_service_areas(sites, boundary)
    assert areas["north"].area + areas["south"].area == pytest.approx(boundary.area, rel=1e-9)
    assert areas["north"].intersection(areas["south"]).area < 1e-12
    assert geo.assign_site(*sites["north"], areas) == "north"
    assert geo.assign_site(*sites["south"], areas) == "south"


def test_assign_site_outside_the_boundary(ha_tinh) -> None:
    """A point in no cell goes to the nearest site, or the nearest cell without sites."""
    _, boundary = ha_tinh
    sites = {"north": (18.55, 105.65), "south": (18.05, 106.05)}
    areas = geo.voronoi_service_areas(sites, boundary)
    hanoi_lat, hanoi_lon = HANOI
    assert geo.assign_site(hanoi_lat, hanoi_lon, areas, sites) == "north"
    assert geo.assign_site(hanoi_lat, hanoi_lon, areas) == "north"
    assert geo.assign_site(17.0, 107.5, areas, sites) == "south"
    assert geo.assign_site(18.3, 105.9, {}) is None


def test_service_areas_refuse_no_or_duplicate_sites(ha_tinh) -> None:
    """No site, or two sites at the same spot, is refused."""
    _, boundary = ha_tinh
    with pytest.raises(InvalidInput, match="no_sites"):
        geo.voronoi_service_areas({}, boundary)
    with pytest.raises(InvalidInput, match="duplicate_sites"):
        geo.voronoi_service_areas({"a": (18.3, 105.9), "b": (18.3, 105.9)}, boundary)


# ---------------------------------------------------------------- GeoJSON and scatter


def test_geojson_is_lon_lat() -> None:
    """A (lat, lon) point becomes GeoJSON [lon, lat] and comes back the same."""
    lat, lon = HANOI
    doc = geo.to_geojson(geo.point(lat, lon))
    assert doc == {"type": "Point", "coordinates": [lon, lat]}
    back = geo.from_geojson(json.loads(json.dumps(doc)))
    assert (back.y, back.x) == (lat, lon)


def test_geojson_round_trips_areas() -> None:
    """A province area survives to_geojson → JSON text → from_geojson unchanged."""
    area = geo.province_area("Hà Tĩnh")
    back = geo.from_geojson(json.loads(json.dumps(geo.to_geojson(area))))
    assert back.equals(area)


def test_from_geojson_accepts_a_feature() -> None:
    """A Feature is read through its geometry."""
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                                 "coordinates": [106.7, 10.8]}}
    assert geo.from_geojson(feature).equals(geo.point(10.8, 106.7))


@pytest.mark.parametrize(
    "doc",
    [{}, {"type": "Point"}, {"type": "Feature"}, {"type": "Blob", "coordinates": [1, 2]},
     {"type": "Polygon", "coordinates": [[1, 2]]}],
)
def test_from_geojson_refuses_garbage(doc: dict) -> None:
    """Anything that is not a geometry raises invalid_geojson."""
    with pytest.raises(InvalidInput, match="invalid_geojson"):
        geo.from_geojson(doc)


def test_scatter_points_stay_in_the_disk() -> None:
    """Scattered points lie within the radius and are spread uniformly over the disk."""
    lat, lon = 18.34, 105.90
    points = geo.scatter_points(np.random.default_rng(1), lat, lon, 3.0, 4000)
    assert len(points) == 4000
    r_km = np.array([geo.haversine_m(lat, lon, a, b) / 1000 for a, b in points])
    assert r_km.max() <= 3.0 * 1.001
    # Uniform over a disk: (r/R)² is uniform on [0, 1], so its mean is 1/2.
    assert np.mean((r_km / 3.0) ** 2) == pytest.approx(0.5, abs=0.02)


def test_scatter_points_are_deterministic() -> None:
    """The same seed gives the same points; another seed gives others."""
    first = geo.scatter_points(np.random.default_rng(5), 10.8, 106.7, 2.0, 10)
    assert geo.scatter_points(np.random.default_rng(5), 10.8, 106.7, 2.0, 10) == first
    assert geo.scatter_points(np.random.default_rng(6), 10.8, 106.7, 2.0, 10) != first
