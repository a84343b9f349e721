"""Independent feasibility check and cost of VRPTW solutions (DIMACS convention).

Shared by the tests and ``bench/routing_peers.py`` so every planner is judged
by the same code. Works in tenths (distances and times ×10, truncated), so
the arithmetic is exact: a route is feasible when its load is within
capacity and every service (after waiting for its window) starts no later
than the window closes, the return to the depot included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Evaluation:
    feasible: bool
    distance: float
    vehicles: int
    violations: list[str] = field(default_factory=list)


def dimacs_matrix(coords: np.ndarray) -> np.ndarray:
    """Euclidean distances ×10, truncated to integers (floor(10·d))."""
    c = np.asarray(coords, dtype=float)
    d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
    return np.floor(10 * d + 1e-9).astype(np.int64)


def service_times(instance: dict) -> np.ndarray:
    n = instance["dimension"]
    s = instance.get("service_time", 0)
    s = np.full(n, s) if np.isscalar(s) else np.asarray(s)
    s = s.astype(float).copy()
    s[0] = 0  # the depot
    return s


def evaluate_vrptw(instance: dict, routes: list[list[int]]) -> Evaluation:
    """Check ``routes`` (clients numbered 1..n-1, depot 0 implicit) against ``instance`` (vrplib dict)."""
    n = instance["dimension"]
    d10 = dimacs_matrix(instance["node_coord"])
    tw10 = np.rint(np.asarray(instance["time_window"], dtype=float) * 10).astype(np.int64)
    s10 = np.rint(service_times(instance) * 10).astype(np.int64)
    demand = np.asarray(instance["demand"])
    capacity = instance["capacity"]
    violations: list[str] = []
    seen: dict[int, int] = {}
    total = 0
    used = [r for r in routes if r]
    fleet = instance.get("vehicles")
    if fleet is not None and len(used) > fleet:
        violations.append(f"{len(used)} routes > fleet {fleet}")
    for k, route in enumerate(used):
        load = int(sum(demand[c] for c in route))
        if load > capacity:
            violations.append(f"route {k}: load {load} > {capacity}")
        t, prev = int(tw10[0, 0]), 0
        for c in route:
            if not 1 <= c < n:
                violations.append(f"route {k}: bad client {c}")
                continue
            seen[c] = seen.get(c, 0) + 1
            t = max(t + int(d10[prev, c]), int(tw10[c, 0]))
            if t > tw10[c, 1]:
                violations.append(f"route {k}: client {c} starts {t / 10} > close {tw10[c, 1] / 10}")
            t += int(s10[c])
            total += int(d10[prev, c])
            prev = c
        t += int(d10[prev, 0])
        total += int(d10[prev, 0])
        if t > tw10[0, 1]:
            violations.append(f"route {k}: back at depot {t / 10} > {tw10[0, 1] / 10}")
    missing = [c for c in range(1, n) if c not in seen]
    twice = [c for c, k in seen.items() if k > 1]
    if missing:
        violations.append(f"{len(missing)} clients not served, e.g. {missing[:5]}")
    if twice:
        violations.append(f"clients served twice: {twice[:5]}")
    return Evaluation(not violations, total / 10, len(used), violations)
