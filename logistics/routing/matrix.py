"""Distance and travel-time matrices.

``MatrixProvider`` is the interface: ``durations_and_distances(locations,
profile) -> (dist_m, dur_s)``, two square int64 arrays. Two providers:

- ``HaversineProvider`` (default): great-circle distance × circuity at a
  speed, travel time rounded *up* to whole seconds, which is exactly the open
  postal-day format's travel rule, so plans made with it are feasible under
  that rule. Vectorised numpy: 1,000 locations take milliseconds, where
  per-pair geopy calls take seconds.
- ``OsrmTableProvider``: OSRM's ``/table`` service over HTTP, cached per
  (profile, coordinates).

Locations without coordinates get zero rows; the solver leaves their jobs out
(reason ``no_coordinates``) before it reads the matrix.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol, Sequence

import httpx
import numpy as np

from logistics.geo import haversine_matrix_m  # R = 6371.0088 km, the postal-day format's
from logistics.routing.problem import Location, Problem, TravelMatrix, Vehicle

UNREACHABLE_S = 10**7  # stands in for OSRM's null (no road): far beyond any shift


class MatrixProvider(Protocol):
    def durations_and_distances(
        self, locations: Sequence[Location], profile: str
    ) -> tuple[np.ndarray, np.ndarray]: ...


def travel_seconds(distance_m: float | np.ndarray, speed_kmh: float) -> np.ndarray:
    """Seconds to cover ``distance_m`` at ``speed_kmh``, rounded up.

    The 1e-6 guard keeps float noise from rounding a value like 120.0000000001
    differently from another implementation of the same rule: when in doubt we
    take the longer time, which can only make our plans safer.
    """
    d = np.asarray(distance_m, dtype=float)
    return np.where(d > 0, np.ceil(d * 3.6 / speed_kmh + 1e-6), 0).astype(np.int64)


def _coordinates(locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    known = np.array([loc.has_coordinates for loc in locations], dtype=bool)
    lats = np.array([loc.lat if loc.has_coordinates else 0.0 for loc in locations], dtype=float)
    lons = np.array([loc.lon if loc.has_coordinates else 0.0 for loc in locations], dtype=float)
    return known, lats, lons


class HaversineProvider:
    """Haversine × circuity at a speed; ``profiles`` maps a profile name to (speed_kmh, circuity)."""

    def __init__(
        self,
        speed_kmh: float = 25.0,
        circuity: float = 1.3,
        profiles: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.default = (speed_kmh, circuity)
        self.profiles = dict(profiles or {})

    def durations_and_distances(
        self, locations: Sequence[Location], profile: str
    ) -> tuple[np.ndarray, np.ndarray]:
        speed, circuity = self.profiles.get(profile, self.default)
        known, lats, lons = _coordinates(locations)
        road = haversine_matrix_m(lats, lons) * circuity
        road[~known, :] = 0.0
        road[:, ~known] = 0.0
        return np.rint(road).astype(np.int64), travel_seconds(road, speed)


class OsrmTableProvider:
    """OSRM ``table`` service (``{base_url}/table/v1/{profile}/lon,lat;...``), cached.

    The cache lives as long as the provider: one provider per worker process
    keeps the matrices of a day that is re-planned several times.
    """

    def __init__(self, base_url: str, *, timeout_s: float = 30.0, client: httpx.Client | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.client = client
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self.requests = 0

    def durations_and_distances(
        self, locations: Sequence[Location], profile: str
    ) -> tuple[np.ndarray, np.ndarray]:
        known, lats, lons = _coordinates(locations)
        points = [(round(lo, 6), round(la, 6)) for la, lo, k in zip(lats, lons, known) if k]
        key = (profile, tuple(points))
        if key not in self._cache:
            self._cache[key] = self._fetch(points, profile)
        dist_k, dur_k = self._cache[key]
        n = len(locations)
        dist = np.zeros((n, n), dtype=np.int64)
        dur = np.zeros((n, n), dtype=np.int64)
        idx = np.flatnonzero(known)
        dist[np.ix_(idx, idx)] = dist_k
        dur[np.ix_(idx, idx)] = dur_k
        return dist, dur

    def _fetch(self, points: list[tuple[float, float]], profile: str) -> tuple[np.ndarray, np.ndarray]:
        if not points:
            return np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), dtype=np.int64)
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in points)
        url = f"{self.base_url}/table/v1/{profile}/{coords}"
        params = {"annotations": "duration,distance"}
        self.requests += 1
        if self.client is not None:
            response = self.client.get(url, params=params, timeout=self.timeout_s)
        else:
            response = httpx.get(url, params=params, timeout=self.timeout_s)
        response.raise_for_status()
        body = response.json()
        if body.get("code") != "Ok":
            raise RuntimeError(f"OSRM table failed: {body.get('code')}: {body.get('message', '')}")
        dur = _osrm_matrix(body["durations"], UNREACHABLE_S, up=True)
        dist = _osrm_matrix(body.get("distances") or body["durations"], UNREACHABLE_S * 30, up=False)
        return dist, dur


def _osrm_matrix(rows: list[list[float | None]], missing: int, *, up: bool) -> np.ndarray:
    values = np.array([[missing if x is None else x for x in row] for row in rows], dtype=float)
    return (np.ceil(values) if up else np.rint(values)).astype(np.int64)


@lru_cache(maxsize=2)
def configured_provider(osrm_url: str) -> MatrixProvider | None:
    """The provider the settings name (``ROUTING_OSRM_URL``): OSRM when a URL is set, else
    None (haversine per vehicle). One per URL and process, so its cache is kept."""
    return OsrmTableProvider(osrm_url) if osrm_url.strip() else None


def vehicle_matrix(
    problem: Problem, vehicle: Vehicle, provider: MatrixProvider | None = None
) -> TravelMatrix:
    """The matrix for ``vehicle``: the problem's own for its profile, else from the provider.

    With no provider, haversine × the vehicle's circuity at the vehicle's speed.
    """
    if vehicle.matrix_key in problem.matrices:
        return problem.matrices[vehicle.matrix_key]
    if provider is None:
        provider = HaversineProvider(vehicle.speed_kmh, vehicle.circuity)
    dist, dur = provider.durations_and_distances(problem.locations, vehicle.matrix_key)
    return TravelMatrix(distance_m=dist, duration_s=dur)


def problem_matrices(
    problem: Problem, provider: MatrixProvider | None = None
) -> dict[str, TravelMatrix]:
    """One matrix per distinct ``Vehicle.matrix_key`` of the problem."""
    out: dict[str, TravelMatrix] = {}
    for v in problem.vehicles:
        if v.matrix_key not in out:
            out[v.matrix_key] = vehicle_matrix(problem, v, provider)
    return out
