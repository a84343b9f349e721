"""Days in the open postal-day format: validation, conversion, and plans the scoring rule accepts."""

from __future__ import annotations

import copy
import json

import pytest
from postal_day_checker import score_day_plan
from routing_checker import check_plan

from support.shared_data import POSTAL_DAY_EXAMPLE
from day_samples import tiny_day
from logistics.routing.postal_day import DayFormatError, day_to_problem, plan_to_day
from logistics.routing.solver import solve

EXAMPLE = POSTAL_DAY_EXAMPLE
H = 3600
PO = [18.4549, 105.442]


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


def test_pyvrp_proposes_only_where_its_model_is_the_problem():
    """A postal day (lunch breaks, an agency's two windows) is not handed to PyVRP: its relaxed
    proposal used to be rejected after spending the proposer's time, leaving a plan that served
    nothing. With the proposer asked for, the day is still planned whole; a plain VRPTW is proposed for."""
    pytest.importorskip("pyvrp")
    from logistics.routing.nodes import build_nodes
    from logistics.routing.propose import supported
    from logistics.routing.solver import SearchOptions
    from logistics.routing.vrplib import instance_to_problem, read_instance
    from support.shared_data import SOLOMON

    day = tiny_day()
    problem = day_to_problem(day)
    assert not supported(build_nodes(problem))
    out = plan_to_day(solve(problem, time_limit_s=2, options=SearchOptions(proposer="pyvrp")), problem)
    errors, metrics = score_day_plan(day, out)
    assert errors == [] and metrics["served"] == metrics["items"]
    assert supported(build_nodes(instance_to_problem(read_instance(SOLOMON / "C101.vrp"))))
