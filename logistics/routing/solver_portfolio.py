"""One plan searched in several processes at once, the best plan kept (a portfolio).

OR-Tools' routing search runs one thread, and on a postal day it is still improving
when its time runs out (300 items: 67.3 route hours at 80 s against ~75 h at 20 s), so
a second CPU is worth a second search. This process runs the planner as it always
does (``VARIANTS[0]``: the same plan as with one process, progress reported from here);
each other process runs ``solver.search`` on the same nodes with the knobs of another
variant, until the same deadline. The join is deterministic: the plan that leaves the
fewest mandatory items unserved, then the lowest objective, then the lowest variant.

The other processes are fresh interpreters (``python -m logistics.routing.solver_portfolio``),
not forks: a Celery prefork worker is a daemonic process, which ``multiprocessing`` will
not let have children, and a fork would copy its connections. The nodes (matrices
included, so a travel-time server is asked once) go to them through a file, the plan
comes back the same way. A process still running ``GRACE_S`` after the deadline is
killed, as are all of them when this one fails or is cancelled.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from logistics.routing.plan import Plan, Unserved
    from logistics.routing.solver_params import SearchOptions

log = logging.getLogger(__name__)

# Below this limit the second interpreter's start-up (~0.5 s of CPU to import OR-Tools) is
# too large a part of the time.
PORTFOLIO_MIN_S = 3.0
# How long after the deadline a process may take to hand its plan back (it overruns its limit
# by a move, then reads its plan out), at least GRACE_S, at most GRACE_SHARE of the limit more.
GRACE_S = 1.0
GRACE_SHARE = 0.05
# The knobs of each process, in order; process k > 0 uses VARIANTS[k % len(VARIANTS)].
VARIANTS: tuple[dict, ...] = ({}, {"start_rank": 1, "gls_lambda": 0.1})


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def search_processes(options: SearchOptions) -> int:
    """``options.processes``, or the ``routing_search_processes`` setting; never more than the CPUs."""
    wanted = options.processes
    if wanted is None:
        from logistics.config import get_settings

        wanted = get_settings().routing_search_processes
    return max(1, min(int(wanted), available_cpus()))


def variant(options: SearchOptions, k: int) -> SearchOptions:
    return dataclasses.replace(options, processes=1, **(VARIANTS[k % len(VARIANTS)] if k else {}))


def best_plan(plans: list[Plan | None]) -> Plan:
    """The deterministic join: fewest mandatory items unserved, then lowest objective, then first."""
    ranked = [(sum(u.mandatory for u in p.unserved), p.objective, k) for k, p in enumerate(plans) if p is not None]
    return plans[min(ranked)[2]]


def child_command() -> list[str]:
    return [sys.executable, "-m", "logistics.routing.solver_portfolio"]


class Remote:
    """``target(*args)`` (``"module:function"``) in a fresh interpreter; its result read back from a file."""

    def __init__(self, folder: Path, target: str, *args) -> None:
        self.job = folder / f"job-{len(list(folder.glob('job-*.pickle')))}.pickle"
        with self.job.open("wb") as fh:
            pickle.dump((target, args), fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.process = subprocess.Popen([*child_command(), str(self.job)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL)

    def result(self, wait_until: float):
        """The result, or None when the process failed or is still running at ``wait_until`` (monotonic)."""
        try:
            code = self.process.wait(timeout=max(0.0, wait_until - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("search process %d late: stopped", self.process.pid)
            self.stop()
            return None
        result = self.job.with_suffix(".result")
        if code != 0 or not result.exists():
            log.warning("search process %d failed (exit %s)", self.process.pid, code)
            return None
        with result.open("rb") as fh:
            return pickle.load(fh)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@contextmanager
def remotes() -> Iterator[Callable[..., Remote]]:
    """``start(target, *args) -> Remote``; every process started is stopped on the way out, the files removed."""
    started: list[Remote] = []
    with tempfile.TemporaryDirectory(prefix="routing-search-") as folder:
        def start(target: str, *args) -> Remote:
            started.append(Remote(Path(folder), target, *args))
            return started[-1]

        try:
            yield start
        finally:
            for remote in started:
                remote.stop()


def grace(time_limit_s: float) -> float:
    return max(GRACE_S, GRACE_SHARE * time_limit_s)


def run_portfolio(nodes, excluded: list[Unserved], t0: float, time_limit_s: float, initial: Plan | None,
                  progress: Callable[[dict], None] | None, seed: int, options: SearchOptions,
                  processes: int) -> Plan:
    """``solver.search`` here and in ``processes - 1`` other processes; the best plan."""
    from logistics.routing.solver import search

    with remotes() as start:
        # time.monotonic() is the system's CLOCK_MONOTONIC on Linux: one deadline for all processes.
        others = [start("logistics.routing.solver:search", nodes, excluded, t0, time_limit_s, initial, None,
                        seed, variant(options, k)) for k in range(1, processes)]
        plans = [search(nodes, excluded, t0, time_limit_s, initial, progress, seed, variant(options, 0))]
        plans += [other.result(t0 + time_limit_s + grace(time_limit_s)) for other in others]
    best = best_plan(plans)
    log.info("portfolio of %d: objectives %s, kept %d", processes,
             [p.objective if p is not None else None for p in plans], plans.index(best))
    return dataclasses.replace(best, seconds=time.monotonic() - t0)


def _child(job: Path) -> int:
    """A search process: the job's function on its arguments; the result written next to the job."""
    try:  # die with the process that started this one (a killed Celery worker)
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    with job.open("rb") as fh:
        target, args = pickle.load(fh)
    module, name = target.split(":")
    result = getattr(importlib.import_module(module), name)(*args)
    partial = job.with_suffix(".partial")
    with partial.open("wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(job.with_suffix(".result"))  # whole or absent, never half-written
    return 0


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1])))
