"""Search processes: a function of the planner run in fresh interpreters, until one deadline.

OR-Tools' routing search runs one thread, and on a postal day it is still improving
when its time runs out, so a second CPU is worth a second search process: the day
split in parts (``solver_split``) and, past ``solver.HULL_MAX_NODES``, the sectors
shared (``solver_clusters``). How many: ``search_processes`` (the
``routing_search_processes`` setting, never more than the CPUs). (A portfolio, each
process searching the whole day its own way and the best plan kept, lost to the split
on 2 shared cores in 2026-11 and was removed.)

The other processes are fresh interpreters (``python -m logistics.routing.processes``),
not forks: a Celery prefork worker is a daemonic process, which ``multiprocessing`` will
not let have children, and a fork would copy its connections. Arguments go to them
through a file, the result comes back the same way. A process still running the grace
period after the deadline is killed, as are all of them when the caller fails or is
cancelled.
"""

from __future__ import annotations

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
    from logistics.routing.solver_params import SearchOptions

log = logging.getLogger(__name__)

# Below this limit the second interpreter's start-up (~0.5 s of CPU to import OR-Tools) is
# too large a part of the time.
PARALLEL_MIN_S = 3.0
# How long after the deadline a process may take to hand its plan back (it overruns its limit
# by a move, then reads its plan out), at least GRACE_S, at most GRACE_SHARE of the limit more.
GRACE_S = 1.0
GRACE_SHARE = 0.05


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


def child_command() -> list[str]:
    return [sys.executable, "-m", "logistics.routing.processes"]


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
