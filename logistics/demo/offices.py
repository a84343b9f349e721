"""Where a demo province's post offices sit and which area each one serves.

The provincial post office stands at the province centre; the others are spread by
clustering the commune centres (k-means with k-means++ seeding, from the caller's rng)
into groups of about ``COMMUNES_PER_OFFICE`` communes and opening one office at the
commune centre nearest each group's centroid, as a district post office would stand in
a former district town. Service areas are the offices' Voronoi cells clipped to the
province's approximate area (``geo.province_area``). Pure: no database here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from logistics.geo import KM_PER_DEGREE, Area, assign_site, province_area, voronoi_service_areas
from logistics.geography.communes import Commune, Province

# Vietnam Post's district-level offices each served ~10 communes before 2025
# (about 700 district offices for ~10,500 communes).
COMMUNES_PER_OFFICE: Final = 10
_KMEANS_ITERATIONS: Final = 30


@dataclass(frozen=True, slots=True)
class OfficeSite:
    """A planned post office: its code, where it stands and the communes it serves."""

    code: str
    commune: Commune  # the commune it stands in
    lat: float
    lon: float
    provincial: bool
    area: Area
    served: tuple[Commune, ...]  # communes whose centre lies in its area


def _plane(communes: tuple[Commune, ...]) -> np.ndarray:
    # A local equirectangular plane in km: distances within a province are then Euclidean.
    lat0 = math.radians(float(np.mean([c.lat for c in communes])))
    return np.array([(c.lon * math.cos(lat0) * KM_PER_DEGREE, c.lat * KM_PER_DEGREE) for c in communes])


def kmeans(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Labels (0..k-1) of ``points`` (n×2) after k-means++ seeding and Lloyd iterations.

    Deterministic for a given rng state. An emptied cluster is re-seeded on the point
    farthest from its centre, so every label is used when ``k <= n``.
    """
    n = len(points)
    k = max(1, min(k, n))
    centres = [points[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(-1), axis=1)
        total = d2.sum()
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres.append(points[idx])
    c = np.array(centres, dtype=float)
    labels = np.zeros(n, dtype=int)
    for _ in range(_KMEANS_ITERATIONS):
        d2 = ((points[:, None, :] - c[None, :, :]) ** 2).sum(-1)
        new = d2.argmin(axis=1)
        for j in range(k):
            members = points[new == j]
            if len(members):
                c[j] = members.mean(axis=0)
            else:  # re-seed on the worst-served point
                far = int(d2[np.arange(n), new].argmax())
                c[j] = points[far]
                new[far] = j
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def plan_offices(province: Province, communes: tuple[Commune, ...], rng: np.random.Generator) -> list[OfficeSite]:
    """The provincial post office first, then one office per cluster of communes.

    Codes: ``BC-<province>-00`` for the provincial office, then ``-01``, ``-02``… in
    the order of the clusters' offices' commune codes (stable for a given seed).
    """
    points = _plane(communes)
    k = max(1, round(len(communes) / COMMUNES_PER_OFFICE))
    labels = kmeans(points, k, rng)
    chosen: list[Commune] = []
    for j in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == j)
        centroid = points[idx].mean(axis=0)
        order = idx[np.argsort(((points[idx] - centroid) ** 2).sum(-1), kind="stable")]
        chosen.append(next(communes[i] for i in order if communes[i] not in chosen))
    chosen.sort(key=lambda c: c.code)

    home = min(communes, key=lambda c: (c.lat - province.lat) ** 2 + (c.lon - province.lon) ** 2)
    sites: dict[str, tuple[Commune, float, float, bool]] = {
        f"BC-{province.code}-00": (home, province.lat, province.lon, True)
    }
    for i, commune in enumerate(chosen, start=1):
        lat, lon = commune.lat, commune.lon
        if (lat, lon) == (province.lat, province.lon):  # Voronoi needs distinct sites
            lat += 0.002
        sites[f"BC-{province.code}-{i:02d}"] = (commune, lat, lon, False)

    coords = {code: (s[1], s[2]) for code, s in sites.items()}
    areas = voronoi_service_areas(coords, province_area(province.code))
    served: dict[str, list[Commune]] = {code: [] for code in sites}
    for commune in communes:
        owner = assign_site(commune.lat, commune.lon, areas, coords)
        assert owner is not None  # None only for an empty mapping, and `areas` never is
        served[owner].append(commune)
    return [
        OfficeSite(
            code=code, commune=s[0], lat=s[1], lon=s[2], provincial=s[3], area=areas[code], served=tuple(served[code])
        )
        for code, s in sites.items()
    ]

