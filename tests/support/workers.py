"""A real Celery worker process for the tests, on whatever broker the env names."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A `celery worker` subprocess (solo pool, every queue) with ``env`` added; its
    output goes to ``log``; terminated (warm shutdown) at the end."""
    command = [sys.executable, "-m", "celery", "-A", "logistics.worker:celery_app", "worker", "-P", "solo",
               "-Q", "default,routing,notify", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=20)
