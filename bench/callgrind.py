"""Measuring sections of in-process work under callgrind (``bench/page_profile.py``,
``bench/scan_profile.py``): load-independent instruction counts.

The measured process starts with instrumentation off (imports run at near native
speed), turns it on with :meth:`Markers.start`, and zeroes and dumps the counters around
each section (client requests from a small marker library built with gcc from
``valgrind/callgrind.h``). :func:`run_child` runs it, under valgrind unless told not to;
:func:`print_sections` prints instructions (or CPU ms) per unit of each section.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

_MARKERS_C = r"""
#include <valgrind/callgrind.h>
int bcci_on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void bcci_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void bcci_zero(void) { CALLGRIND_ZERO_STATS; }
void bcci_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def build_markers(out: Path) -> Path:
    """The marker library (callgrind's client requests are macros: C only)."""
    source, library = out / "markers.c", out / "markers.so"
    source.write_text(_MARKERS_C)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


class Markers:
    """Zero and dump callgrind's counters around a section; no-ops outside valgrind."""

    def __init__(self, library: Path | None) -> None:
        self._lib = ctypes.CDLL(str(library)) if library else None
        self.active = bool(self._lib and self._lib.bcci_on_valgrind())

    def start(self) -> None:
        if self.active:
            self._lib.bcci_start()

    def zero(self) -> None:
        if self.active:
            self._lib.bcci_zero()

    def dump(self, name: str) -> None:
        if self.active:
            self._lib.bcci_dump(name.encode())


def run_loop(coroutine):  # noqa: ANN001, ANN201
    """``coroutine`` on uvloop when it is installed, as uvicorn runs."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run_child(command: list[str], *, env: dict[str, str], cwd: Path, out: Path, valgrind: bool) -> dict:
    """Run the measuring ``command`` (given ``--markers`` under valgrind); the JSON of its last line."""
    if valgrind:
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p",
                   *command, "--markers", str(build_markers(out))]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the measuring process failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _totals(dump: Path) -> int:
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"{dump}: no totals")


def _dumps(out: Path, sections: tuple[str, ...]) -> dict[str, Path]:
    """Section name -> its dump: the dumps are numbered in the order they were taken
    (``cg.<pid>.<n>``), the first of the warm-up (its summary still counts what ran
    before it, callgrind 3.19: set aside)."""
    numbered = sorted((int(dump.suffix[1:]), dump) for dump in out.glob("cg.*.*") if dump.suffix[1:].isdigit())
    return dict(zip(("warm-up", *sections), (dump for _, dump in numbered), strict=True))


def print_sections(result: dict, sections: tuple[str, ...], *, unit: str, per: int, out: Path, keep: bool) -> None:
    """The table of instructions (under callgrind) or CPU ms (``result["cpu_s"]``) a ``unit``."""
    if result["callgrind"]:
        dumps = _dumps(out, sections)
        print(f"| section | instructions a {unit} |\n|---|---|")
        for name in sections:
            print(f"| {name} | {_totals(dumps[name]) / per:,.0f} |")
        if keep:
            print(f"\ndumps: {', '.join(f'{name}: {dumps[name]}' for name in sections)}")
        else:
            shutil.rmtree(out, ignore_errors=True)
    else:
        print(f"| section | CPU ms a {unit} |\n|---|---|")
        for name in sections:
            print(f"| {name} | {result['cpu_s'][name] * 1000:.3f} |")


def add_options(parser: argparse.ArgumentParser, *, unit: str, out: Path) -> None:
    """The options every profile takes: how it measures, where its dumps go, and the
    child's own (hidden)."""
    parser.add_argument("--no-valgrind", action="store_true", help=f"CPU time a {unit}, no callgrind")
    parser.add_argument("--keep", action="store_true", help="keep the callgrind dumps in --out")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markers", type=Path, help=argparse.SUPPRESS)


def child_env(url: str, out: Path, root: Path, **extra: str) -> dict[str, str]:
    """The measuring child's environment: the app on ``url`` with an in-memory broker and
    the console SMS backend, its files under ``out``."""
    return {**os.environ, "DATABASE_URL": url, "JOBS_BROKER_URL": "memory://", "JOBS_RESULT_BACKEND": "cache+memory://",
            "APP_ENV": "development", "VAR_DIR": str(out / "var"), "SMS_BACKEND": "console", "PYTHONPATH": str(root),
            **extra}
