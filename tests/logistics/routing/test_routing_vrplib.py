"""VRPLIB instances through the product's planner, and the VRPTW evaluator."""

from __future__ import annotations


import pytest

pytest.importorskip("vrplib")
import vrplib as vrplib_reader  # noqa: E402

from support.shared_data import SOLOMON as SOLOMON_DIR
from logistics.routing.evaluate import evaluate_vrptw  # noqa: E402
from logistics.routing.vrplib import InstanceError, instance_to_problem, solve_vrplib  # noqa: E402

SOLOMON = SOLOMON_DIR
needs_instances = pytest.mark.skipif(not SOLOMON.exists(), reason="shared VRPTW instances not present")


@needs_instances
def test_evaluator_accepts_best_known_c101():
    """The published best-known C101 solution is feasible and costs 827.3 under DIMACS truncation."""
    inst = vrplib_reader.read_instance(str(SOLOMON / "C101.vrp"))
    sol = vrplib_reader.read_solution(str(SOLOMON / "C101.sol"))
    ev = evaluate_vrptw(inst, sol["routes"])
    assert ev.feasible, ev.violations
    assert ev.distance == pytest.approx(827.3) and ev.vehicles == 10


@needs_instances
def test_evaluator_rejects_late_and_missing_clients():
    """Reversing a tight route breaks its windows, and dropping a client is reported."""
    inst = vrplib_reader.read_instance(str(SOLOMON / "C101.vrp"))
    routes = vrplib_reader.read_solution(str(SOLOMON / "C101.sol"))["routes"]
    late = [list(reversed(routes[0]))] + routes[1:]
    assert not evaluate_vrptw(inst, late).feasible
    missing = [routes[0][1:]] + routes[1:]
    assert any("not served" in v for v in evaluate_vrptw(inst, missing).violations)


@needs_instances
def test_instance_becomes_integer_problem():
    """A Solomon instance becomes a Problem in tenths: windows, service and matrix ×10, fleet of 25."""
    p = instance_to_problem(vrplib_reader.read_instance(str(SOLOMON / "C101.vrp")))
    assert len(p.jobs) == 100 and len(p.vehicles) == 25
    assert p.jobs[0].delivery.service_s == 900 and p.vehicles[0].shift == (0, 12360)
    assert p.matrices["dimacs"].distance_m.dtype.kind == "i"


@needs_instances
def test_c101_near_best_known():
    """C101 at 3 s: feasible, all clients served, within a few % of the best-known 827.3 (0.0 or 3.1 % measured)."""
    r = solve_vrplib(SOLOMON / "C101.vrp", 3.0)
    assert r["feasible"], r["violations"]
    assert sorted(c for route in r["routes"] for c in route) == list(range(1, 101))
    assert r["distance"] <= 827.3 * 1.035
    assert r["seconds"] <= 4.0


def test_malformed_instance_is_a_clear_error(tmp_path):
    """A file that is not a VRPTW instance raises InstanceError naming the file."""
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : bad\nTYPE : CVRP\nDIMENSION : 2\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n")
    with pytest.raises(InstanceError, match="bad.vrp"):
        solve_vrplib(bad, 1.0)
    with pytest.raises(InstanceError, match="no such file"):
        solve_vrplib(tmp_path / "absent.vrp", 1.0)
