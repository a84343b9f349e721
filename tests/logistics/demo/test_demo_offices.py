"""Where a demo province's post offices stand and what each one serves (pure geometry)."""

from __future__ import annotations

import numpy as np
import shapely

from logistics.demo.offices import kmeans, plan_offices
from logistics.demo.province import province_communes
from logistics.geo import province_area
from logistics.geography.communes import find_province


def test_kmeans_uses_every_cluster_and_repeats_with_the_seed() -> None:
    """Two well-separated blobs split in two; the same seed gives the same labels."""
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(0, 1, (20, 2)), rng.normal(50, 1, (20, 2))])
    labels = kmeans(points, 2, np.random.default_rng(1))
    assert set(labels[:20].tolist()) != set(labels[20:].tolist())
    assert len(set(labels[:20].tolist())) == len(set(labels[20:].tolist())) == 1
    assert np.array_equal(labels, kmeans(points, 2, np.random.default_rng(1)))


def test_offices_partition_the_province_and_serve_every_commune_once() -> None:
    """Gia Lai gets its provincial office plus one per ~10 communes; each commune is served
    by exactly one office, whose area holds the commune's centre; areas tile the province."""
    province = find_province("Gia Lai")
    communes = province_communes(province)
    sites = plan_offices(province, communes, np.random.default_rng(7))
    assert sites[0].code == "BC-52-00" and sites[0].provincial
    assert (sites[0].lat, sites[0].lon) == (province.lat, province.lon)
    assert len(sites) == 1 + round(len(communes) / 10)
    served = [c.code for s in sites for c in s.served]
    assert sorted(served) == sorted(c.code for c in communes)
    for s in sites[1:]:
        assert s.commune in communes and (s.lat, s.lon) == (s.commune.lat, s.commune.lon)
    for s in sites:
        assert all(shapely.intersects_xy(s.area, c.lon, c.lat) for c in s.served)
    union = shapely.union_all([s.area for s in sites])
    assert union.symmetric_difference(province_area("52")).area < 1e-9
