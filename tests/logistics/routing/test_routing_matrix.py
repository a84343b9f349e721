"""Matrix providers: the haversine travel rule and the cached OSRM table client."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from logistics.routing.matrix import HaversineProvider, OsrmTableProvider, haversine_matrix_m
from logistics.routing.problem import Location

# Written by hand in the response format of OSRM's /table service
# (http://project-osrm.org/docs/v5.24.0/api/#table-service): code, durations, distances,
# sources, destinations; three points in Hà Tĩnh city.
FIXTURE = Path(__file__).parent / "fixtures" / "osrm_table_3.json"
POINTS = [Location("po", 18.34, 105.9), Location("a", 18.349, 105.9095), Location("b", 18.358, 105.919)]


def test_haversine_known_distance():
    """Hà Nội to Hồ Chí Minh City is about 1,137 km on the great circle."""
    d = haversine_matrix_m(np.array([21.0285, 10.8231]), np.array([105.8542, 106.6297]))
    assert d[0, 0] == 0 and abs(d[0, 1] - 1_137_000) < 3_000 and d[0, 1] == d[1, 0]


def test_haversine_provider_rounds_travel_time_up():
    """Travel time is distance × circuity at the speed, rounded up to whole seconds; same point is 0 s."""
    dist, dur = HaversineProvider(speed_kmh=28, circuity=1.35).durations_and_distances(POINTS, "x")
    raw = haversine_matrix_m(np.array([p.lat for p in POINTS]), np.array([p.lon for p in POINTS])) * 1.35
    for i in range(3):
        for j in range(3):
            exact = raw[i, j] * 3.6 / 28
            assert exact <= dur[i, j] <= math.ceil(exact) + (1 if i != j else 0)
            assert dist[i, j] == round(raw[i, j])


def test_location_without_coordinates_gets_zero_row():
    """A location without coordinates does not poison the matrix with NaN."""
    locs = POINTS + [Location("lost")]
    dist, dur = HaversineProvider().durations_and_distances(locs, "x")
    assert dist[3].tolist() == [0, 0, 0, 0] and dur[:, 3].tolist() == [0, 0, 0, 0]


@pytest.fixture()
def osrm_server():
    body = FIXTURE.read_bytes()
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            seen.append(self.path)
            payload = body if "/table/v1/" in self.path else json.dumps({"code": "InvalidUrl"}).encode()
            self.send_response(200 if "/table/v1/" in self.path else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_osrm_table_provider_reads_and_caches(osrm_server):
    """The OSRM provider asks /table once for durations and distances, rounds times up, and caches."""
    url, seen = osrm_server
    provider = OsrmTableProvider(url)
    dist, dur = provider.durations_and_distances(POINTS, "driving")
    assert dur.tolist() == [[0, 188, 413], [191, 0, 264], [406, 259, 0]]
    assert dist.tolist() == [[0, 1543, 3872], [1561, 0, 2406], [3850, 2399, 0]]
    assert seen == ["/table/v1/driving/105.900000,18.340000;105.909500,18.349000;105.919000,18.358000"
                    "?annotations=duration%2Cdistance"]
    provider.durations_and_distances(POINTS, "driving")
    assert provider.requests == 1 and len(seen) == 1


def test_osrm_provider_skips_locations_without_coordinates(osrm_server):
    """Only located points are sent to OSRM; the unlocated one gets a zero row."""
    url, seen = osrm_server
    dist, dur = OsrmTableProvider(url).durations_and_distances([*POINTS, Location("lost")], "driving")
    assert dur.shape == (4, 4) and dur[3].tolist() == [0, 0, 0, 0] and dur[0, 2] == 413
    assert seen[0].count(";") == 2
