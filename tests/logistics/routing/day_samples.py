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


def spread_day(n_items: int, n_postmen: int, seed: int = 7) -> dict:
    """A day of ``n_items`` around the office: results, home pickups, counter ↔ agency pairs closed at lunch.

    Deterministic for a ``seed``; every postman has the lunch break, a fifth of the items are optional.
    """
    import random

    rng = random.Random(seed)
    agency_hours = [[7 * H + 1800, 11 * H + 1800], [13 * H + 1800, 17 * H]]
    centres = [[PO[0] + rng.uniform(-0.06, 0.06), PO[1] + rng.uniform(-0.06, 0.06)] for _ in range(6)]

    def home():
        c = rng.choice(centres)
        return [round(c[0] + rng.gauss(0, 0.01), 6), round(c[1] + rng.gauss(0, 0.01), 6)]

    items = []
    for k in range(n_items):
        kind = rng.choices(["delivery", "pickup", "transfer"], [60, 20, 20])[0]
        booked = rng.choice(range(8 * H, 15 * H, 1800))
        h_win = [[booked, booked + 2 * H]] if rng.random() < 0.3 else [[7 * H + 1800, 17 * H]]
        if kind == "delivery":
            src, dst, sw, dw, ss = PO, home(), [[7 * H, 18 * H]], h_win, 0
        elif kind == "pickup":
            src, dst, sw, dw, ss = home(), rng.choice(centres), h_win, agency_hours, 240
        else:
            src, dst, sw, dw, ss = rng.choice(centres), rng.choice(centres), agency_hours, agency_hours, 180
        items.append({"id": f"S{k:03d}", "kind": kind,
                      "pickup": {"lat": src[0], "lon": src[1], "windows": sw, "service_s": ss},
                      "delivery": {"lat": dst[0], "lon": dst[1], "windows": dw, "service_s": 240},
                      "weight_g": rng.choice([150, 500, 1500]), "mandatory": rng.random() >= 0.2})
    vehicles = [{"id": f"P{k:03d}", "start": PO, "end": PO, "shift": [7 * H + 1800, 17 * H + 1800],
                 "break": {"windows": [[11 * H, 13 * H + 1800]], "duration_s": 2700},
                 "capacity_items": 30, "capacity_g": 30_000, "speed_kmh": 28, "circuity": 1.35}
                for k in range(n_postmen)]
    return {"name": f"spread-{n_items}-{seed}", "depot": {"lat": PO[0], "lon": PO[1]},
            "vehicles": vehicles, "items": items}
