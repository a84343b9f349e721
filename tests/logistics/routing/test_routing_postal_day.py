"""Days in the open postal-day format: validation, conversion, and plans the scoring rule accepts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from postal_day_checker import score_day_plan
from routing_checker import check_plan

from logistics.routing.postal_day import DayFormatError, day_to_problem, plan_to_day
from logistics.routing.solver import solve

EXAMPLE = Path("/work/shared/bench/postal_day/example_ha_tinh_120.json")
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


def test_tiny_day_plan_passes_scoring_rule():
    """A small day is planned feasibly under the format's own travel rule, every item served."""
    day = tiny_day()
    problem = day_to_problem(day)
    plan = solve(problem, time_limit_s=1.0)
    assert check_plan(problem, plan) == []
    out = plan_to_day(plan, problem)
    errors, metrics = score_day_plan(day, out)
    assert errors == []
    assert metrics["served"] == metrics["items"] == 8
    assert json.loads(json.dumps(out)) == out


def test_results_from_office_are_loaded_at_start():
    """Items picked up at the office with no service time become deliveries loaded at the start."""
    problem = day_to_problem(tiny_day())
    kinds = {j.id: j.pickup is None for j in problem.jobs}
    assert kinds["R0"] and kinds["O1"] and not kinds["P1"] and not kinds["T1"]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("items", 3, "delivery", "windows"), [], "items[3] (R3).delivery.windows"),
        (("items", 1, "weight_g"), -5, "items[1] (R1).weight_g"),
        (("items", 0, "pickup", "lat"), None, "items[0] (R0).pickup"),
        (("vehicles", 1, "speed_kmh"), 0, "vehicles[1] (P001).speed_kmh"),
        (("vehicles", 0, "shift"), [10, 5], "vehicles[0] (P000).shift"),
    ],
)
def test_malformed_day_names_field_and_item(path, value, field):
    """A malformed day is refused with an error naming the field and the item."""
    day = copy.deepcopy(tiny_day())
    target = day
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(DayFormatError) as err:
        day_to_problem(day)
    assert err.value.field.startswith(field)


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared example day not present")
def test_example_day_is_feasible():
    """The Hà Tĩnh example day (120 items, 6 postmen) gets a plan the scoring rule accepts, all mandatory served."""
    day = json.loads(EXAMPLE.read_text())
    problem = day_to_problem(day)
    plan = solve(problem, time_limit_s=5.0)
    out = plan_to_day(plan, problem)
    errors, metrics = score_day_plan(day, out)
    assert errors == []
    assert metrics["mandatory_served"] == metrics["mandatory"]
