"""Small days in the open postal-day format, for the tests of every layer."""

from __future__ import annotations

H = 3600
PO = [18.4549, 105.442]


def tiny_day() -> dict:
    """Two postmen; results from the office, a home pickup to the counter, an agency closed at lunch."""
    def item(iid, kind, src, dst, dst_windows, **kw):
        return {"id": iid, "kind": kind,
                "pickup": {"lat": src[0], "lon": src[1], "windows": [[7 * H, 18 * H]], "service_s": 0 if src == PO else 180},
                "delivery": {"lat": dst[0], "lon": dst[1], "windows": dst_windows, "service_s": 240},
                "weight_g": 300, "mandatory": True, **kw}

    counter, agency = [18.46, 105.45], [18.50, 105.40]
    homes = [[18.44 + 0.01 * k, 105.43 + 0.012 * k] for k in range(5)]
    items = [item(f"R{k}", "delivery", PO, h, [[8 * H, 17 * H]]) for k, h in enumerate(homes)]
    items.append(item("P1", "pickup", homes[2], counter, [[8 * H, 17 * H]]))
    items.append(item("T1", "transfer", counter, agency, [[7 * H + 1800, 11 * H + 1800], [13 * H + 1800, 17 * H]]))
    items.append(item("O1", "delivery", PO, homes[4], [[14 * H, 15 * H]], mandatory=False))
    vehicles = [{"id": vid, "start": PO, "end": PO, "shift": [7 * H + 1800, 17 * H + 1800],
                 "break": {"windows": [[11 * H, 13 * H + 1800]], "duration_s": 2700},
                 "capacity_items": 10, "capacity_g": 10_000, "speed_kmh": 28, "circuity": 1.35}
                for vid in ("P000", "P001")]
    return {"name": "tiny", "depot": {"lat": PO[0], "lon": PO[1]}, "vehicles": vehicles, "items": items}
