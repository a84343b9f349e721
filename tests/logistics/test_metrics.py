"""The product's Prometheus metrics, made on first use."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_first_uses_at_once_register_the_metrics_once():
    """Threads recording their first metrics at once (a worker's first requests) make
    them once: a second registration is prometheus_client's DuplicateTimeseries, which
    answered a scan upload with HTTP 500 (bench/scan_ingest.py, 2026-12-06). In a fresh
    interpreter: the registry is process-wide."""
    script = textwrap.dedent("""
        import threading
        from logistics import metrics

        barrier, failures = threading.Barrier(16), []

        def first_use():
            barrier.wait()
            try:
                metrics.scans_ingested(["applied"])
            except Exception as exc:
                failures.append(repr(exc))

        threads = [threading.Thread(target=first_use) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(failures)
    """)
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "[]"
