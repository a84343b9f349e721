"""``problem_to_day``: any Problem written in the open day format, read back by ``day_to_problem``."""

from __future__ import annotations

import json

import pytest
import routing_instances as inst
from postal_day_checker import score_day_plan

from support.shared_data import POSTAL_DAY_EXAMPLE
from logistics.routing.postal_day import day_to_problem, plan_to_day, problem_to_day
from logistics.routing.solver import solve

EXAMPLE = POSTAL_DAY_EXAMPLE


def _same(a, b) -> None:
    assert a.vehicles == b.vehicles
    assert a.jobs == b.jobs
    assert [(loc.lat, loc.lon) for loc in a.locations] == [(loc.lat, loc.lon) for loc in b.locations]


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared example day not present")
def test_example_day_round_trips():
    """day → Problem → day → Problem gives the same vehicles, jobs and places, item kinds aside."""
    first = day_to_problem(json.loads(EXAMPLE.read_text()))
    day = problem_to_day(first)
    _same(first, day_to_problem(json.loads(json.dumps(day))))
    assert "not_exported" not in day


def test_a_problem_built_in_code_round_trips_and_plans_feasibly():
    """Delivery-only results come back loaded at the start, pairs as pairs with their windows;
    the exported day plans into a plan the format's own scoring rule accepts."""
    p = inst.village_day()
    day = problem_to_day(p)
    back = day_to_problem(day)
    assert [j.pickup is None for j in back.jobs] == [j.pickup is None for j in p.jobs]
    assert [(j.id, j.delivery.windows, j.weight_g) for j in back.jobs] == [
        (j.id, j.delivery.windows, j.weight_g) for j in p.jobs]
    assert problem_to_day(back)["items"] == day["items"]
    plan = solve(back, time_limit_s=1.0)
    errors, _ = score_day_plan(day, plan_to_day(plan, back))
    assert errors == []
    assert plan.unserved == ()


def test_what_the_format_cannot_say_is_listed_not_dropped_silently():
    """An item without coordinates or already on board is listed under ``not_exported``; a finished
    one is left out; a postman on his way starts where and when he is, with the room he has left."""
    bad = problem_to_day(inst.bad_day())
    assert {"LOST"} == {x["item"] for x in bad["not_exported"]}
    mid = problem_to_day(inst.midday())
    assert [x["item"] for x in mid["not_exported"]] == ["CARRIED"]
    assert [it["id"] for it in mid["items"]] == ["NEW"]
    a = mid["vehicles"][0]
    assert (a["shift"][0], a["capacity_items"], a["capacity_g"]) == (13 * inst.H, 29, 19_600)
    here, office = inst.midday().locations[1], inst.midday().locations[0]
    assert a["start"] == [here.lat, here.lon]
    assert mid["depot"] == {"lat": office.lat, "lon": office.lon}
