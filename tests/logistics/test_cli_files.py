"""`logistics plan-file` and `logistics bench vrptw`: files in, plans out, bad files refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.logistics.routing.postal_day_checker import score_day_plan

LOGISTICS = str(Path(sys.executable).with_name("logistics"))
SHARED = Path(__file__).resolve().parents[3] / "shared" / "bench"
EXAMPLE_DAY = SHARED / "postal_day" / "example_ha_tinh_120.json"
C101 = SHARED / "vrptw" / "solomon" / "C101.vrp"

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LOGISTICS, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not EXAMPLE_DAY.exists(), reason="../shared/bench is not beside the checkout")
def test_plan_file_writes_a_plan_the_scoring_rule_accepts(tmp_path):
    """The example day is planned into a plan that the format's own scoring rule finds feasible."""
    out = tmp_path / "plan.json"
    result = run("plan-file", str(EXAMPLE_DAY), "--time-limit", "4", "--json", str(out))
    assert result.returncode == 0, result.stderr
    day, plan = json.loads(EXAMPLE_DAY.read_text()), json.loads(out.read_text())
    violations, score = score_day_plan(day, plan)
    assert violations == []
    assert {u["item"] for u in plan["unserved"]} | {s["item"] for r in plan["routes"] for s in r["stops"] if "item" in s} \
        == {i["id"] for i in day["items"]}


def test_plan_file_refuses_a_malformed_day_naming_the_field(tmp_path):
    """A malformed day gets an error naming the field and no plan."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"vehicles": [{"id": "P1"}], "items": []}))
    out = tmp_path / "plan.json"
    result = run("plan-file", str(bad), "--json", str(out))
    assert result.returncode == 2
    assert "invalid_day: vehicles[0]" in result.stderr
    assert not out.exists()
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert "invalid_day_file" in run("plan-file", str(garbage)).stderr


@pytest.mark.skipif(not C101.exists(), reason="../shared/bench is not beside the checkout")
def test_bench_vrptw_writes_the_solution_shape(tmp_path):
    """`bench vrptw` writes routes (clients numbered as in .sol files), distance, vehicles, seconds."""
    out = tmp_path / "c101.json"
    result = run("bench", "vrptw", str(C101), "--time-limit", "3", "--json", str(out))
    assert result.returncode == 0, result.stderr
    solution = json.loads(out.read_text())
    assert set(solution) == {"routes", "distance", "vehicles", "seconds"}
    assert sorted(c for r in solution["routes"] for c in r) == list(range(1, 101))
    assert solution["distance"] < 827.3 * 1.05


def test_bench_vrptw_refuses_a_malformed_instance(tmp_path):
    """A file that is not a VRPLIB instance is a clear error."""
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME: broken\nthis is not an instance\n")
    result = run("bench", "vrptw", str(bad))
    assert result.returncode == 2
    assert "invalid_instance" in result.stderr
