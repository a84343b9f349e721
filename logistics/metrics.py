"""Prometheus metrics of the product, recorded by the domain and the HTTP layer.

The domain calls the small functions below (``scans_ingested``, ``sms_sent``...);
only this module and the ``/metrics`` exposition touch ``prometheus_client``.

Several processes (uvicorn workers, Celery's pool) write to one set of files when
``PROMETHEUS_MULTIPROC_DIR`` is set (``logistics serve`` sets it under ``var/`` when
it starts more than one process); ``/metrics`` then adds them all up. prometheus_client
decides between memory and files when it is first imported, so the metrics are made
on first use, after the process has its environment.

Metric names:

- ``logistics_http_requests_total{method,route,status}`` and
  ``logistics_http_request_duration_seconds{method,route}``: by route template
  (``/api/v1/items/{s10}``), never by raw path;
- ``logistics_scans_ingested_total{outcome}``: applied, history, rejected, duplicate;
- ``logistics_sms_sent_total{provider}``, ``logistics_sms_failed_total{provider,kind}``
  (kind: permanent or transient), ``logistics_sms_delivery_reports_total{status}``;
- ``logistics_planning_seconds``: wall time of planning one post office's day;
- ``logistics_outbox_backlog{status}``: SMS waiting in the outbox, read from the
  database at each scrape (``outbox_backlog_family``).
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from logistics.once import built_once

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: requests are mostly milliseconds; planning a day takes seconds to minutes.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PLANNING_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800)


@built_once  # locked: two threads' first requests each registering them is DuplicateTimeseries
def _metrics() -> SimpleNamespace:
    from prometheus_client import Counter, Histogram

    return SimpleNamespace(
        http_requests=Counter("logistics_http_requests", "HTTP requests served, by route template and status.",
                              ["method", "route", "status"]),
        http_duration=Histogram("logistics_http_request_duration_seconds", "Time to answer an HTTP request.",
                                ["method", "route"], buckets=HTTP_BUCKETS),
        scans=Counter("logistics_scans_ingested", "Scan events received from phones, by outcome.", ["outcome"]),
        sms_sent=Counter("logistics_sms_sent", "SMS accepted by the provider.", ["provider"]),
        sms_failed=Counter("logistics_sms_failed", "SMS the provider refused (permanent) or could not take yet (transient).",
                           ["provider", "kind"]),
        sms_reports=Counter("logistics_sms_delivery_reports", "Delivery reports received, by status.", ["status"]),
        planning=Histogram("logistics_planning_seconds", "Wall time of planning one post office's day.",
                           buckets=PLANNING_BUCKETS),
    )


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _http_series.get((method, route, status))
    if series is None:
        m = _metrics()
        series = _http_series[(method, route, status)] = (m.http_requests.labels(method, route, str(status)),
                                                         m.http_duration.labels(method, route))
    series[0].inc()
    series[1].observe(seconds)


# The labelled series of each (method, route template, status), looked up once: labels()
# takes a lock and validates its values on every call. As many as prometheus_client
# keeps itself (route templates, never raw paths).
_http_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def scans_ingested(outcomes: Iterable[str]) -> None:
    """Count one batch's results (``duplicate`` for an event seen before)."""
    m = _metrics()
    for outcome, n in Tally(outcomes).items():
        m.scans.labels(outcome).inc(n)


def sms_sent(provider: str) -> None:
    _metrics().sms_sent.labels(provider).inc()


def sms_failed(provider: str, *, permanent: bool) -> None:
    _metrics().sms_failed.labels(provider, "permanent" if permanent else "transient").inc()


def sms_delivery_report(status: str) -> None:
    _metrics().sms_reports.labels(status).inc()


def planning_seconds(seconds: float) -> None:
    _metrics().planning.observe(seconds)


# ------------------------------------------------------------------ exposition


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV, "")
    return Path(value) if value else None


def prepare_multiprocess_dir(folder: Path) -> Path:
    """Make ``folder`` empty (the files of earlier runs would be added up) and export it
    for this process and the processes it starts."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def outbox_backlog_family(backlog: Mapping[str, int]) -> Any:
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily("logistics_outbox_backlog", "SMS waiting in the outbox, by status.", labels=["status"])
    for status, count in sorted(backlog.items()):
        family.add_metric([status], count)
    return family


def exposition(extra: Iterable[Any] = ()) -> bytes:
    """The text exposition of every process's metrics, plus ``extra`` metric families."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    _metrics()  # so that a process that recorded nothing yet still shows the names
    folder = multiprocess_dir()
    if folder is not None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(folder))
    else:
        registry = REGISTRY
    families = list(extra)
    if families:
        registry = _with_families(registry, families)
    return generate_latest(registry)


def _with_families(registry: Any, families: list[Any]) -> Any:
    class Combined:
        def collect(self) -> Iterable[Any]:
            yield from registry.collect()
            yield from families

    return Combined()
