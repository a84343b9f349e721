"""One plan searched in several processes: the setting, the processes' life and death, the
and the plans of a day split in parts (``processes``, ``solver_split``)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest
from postal_day_checker import score_day_plan

from day_samples import spread_day
from logistics.config import Settings
from logistics.routing import processes, solver_split
from logistics.routing.nodes import build_nodes
from logistics.routing.postal_day import day_to_problem, plan_to_day
from logistics.routing.solver import SearchOptions, solve
from logistics.routing.processes import Remote, remotes, search_processes

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_processes_setting_capped_by_cpus(monkeypatch):
    """None means the ROUTING_SEARCH_PROCESSES setting (default 2); never more than the CPUs."""
    assert Settings().routing_search_processes == 2
    monkeypatch.setattr("logistics.config.get_settings", lambda: Settings(routing_search_processes=3))
    monkeypatch.setattr(processes, "available_cpus", lambda: 8)
    assert search_processes(SearchOptions()) == 3
    assert search_processes(SearchOptions(processes=1)) == 1
    monkeypatch.setattr(processes, "available_cpus", lambda: 1)
    assert search_processes(SearchOptions()) == 1
    assert search_processes(SearchOptions(processes=4)) == 1
    with pytest.raises(ValueError):
        Settings(routing_search_processes=0)


def test_remote_runs_a_function_in_another_process(tmp_path):
    remote = Remote(tmp_path, "os:getpid")
    pid = remote.result(time.monotonic() + 30)
    assert pid == remote.process.pid and pid != processes.os.getpid()


def test_late_process_is_killed(monkeypatch, tmp_path):
    monkeypatch.setattr(processes, "child_command", lambda: SLEEPER)
    remote = Remote(tmp_path, "os:getpid")
    t0 = time.monotonic()
    assert remote.result(t0 + 0.3) is None
    assert remote.process.returncode is not None and time.monotonic() - t0 < 5


def test_failed_process_gives_no_result(tmp_path):
    remote = Remote(tmp_path, "os:no_such_function")
    assert remote.result(time.monotonic() + 30) is None
    assert remote.process.returncode != 0


def test_processes_stopped_and_files_removed_on_error(monkeypatch):
    monkeypatch.setattr(processes, "child_command", lambda: SLEEPER)
    started = []
    with pytest.raises(RuntimeError):
        with remotes() as start:
            started.append(start("os:getpid"))
            started.append(start("os:getpid"))
            raise RuntimeError("the search failed")
    assert all(r.process.returncode is not None for r in started)
    assert not started[0].job.parent.exists()


def test_solve_stops_the_other_parts_when_its_own_fails(monkeypatch):
    """A failure in this process's part of a split search kills the processes of the other parts."""
    started = []
    real_init = Remote.__init__

    def record(self, *args):
        real_init(self, *args)
        started.append(self)

    def fail(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(Remote, "__init__", record)
    monkeypatch.setattr(solver_split, "improve", fail)
    problem = day_to_problem(spread_day(80, 4))
    with pytest.raises(RuntimeError, match="boom"):
        solve(problem, time_limit_s=4.0, options=SearchOptions(processes=2))
    assert started and all(r.process.returncode is not None for r in started)
    assert not Path(started[0].job).exists()


def test_route_groups_cover_every_vehicle_once():
    problem = day_to_problem(spread_day(60, 6))
    nodes = build_nodes(problem)
    # Pairs on one route each, the delivery-only stops dealt round the vehicles.
    routes = [[] for _ in problem.vehicles]
    v = 0
    for i, node in enumerate(nodes.nodes):
        if node.partner is not None and node.partner < i:
            continue
        routes[v % 5].extend([i] if node.partner is None else [i, node.partner])
        v += 1
    groups = solver_split.route_groups(nodes, routes, 2)
    assert sorted(v for g in groups for v in g) == list(range(6))
    assert all(any(routes[v] for v in g) for g in groups)
    assert solver_split.route_groups(nodes, routes, 6) is None  # more parts than used routes
    stops = [n for v in groups[0] for n in routes[v]]
    sub = solver_split.sub_nodes(nodes, stops, groups[0])
    for j, node in enumerate(sub.nodes):
        assert set(node.vehicles) <= set(groups[0])
        if node.partner is not None:
            assert sub.nodes[node.partner].partner == j
            assert stops[node.partner] == nodes.nodes[stops[j]].partner


def test_two_process_plan_passes_scoring_rule(caplog):
    """The split search gives plans the format's rule accepts, every mandatory item served."""
    day = spread_day(80, 4)
    problem = day_to_problem(day)
    with caplog.at_level(logging.INFO, logger="logistics.routing"):
        plan = solve(problem, time_limit_s=5.0, options=SearchOptions(processes=2))
    errors, metrics = score_day_plan(day, plan_to_day(plan, problem))
    assert errors == []
    assert metrics["mandatory_served"] == metrics["mandatory"]
    assert any("split search from" in r.getMessage() for r in caplog.records)
