"""Checks of what the API needs to work: the database and the Celery broker.

Each check returns None when the dependency answers, else a short reason safe to show
(never a URL: broker and database URLs carry passwords).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from importlib import metadata

from kombu import Connection
from sqlalchemy.engine import Engine

from logistics.config import Settings
from logistics.db import ping

log = logging.getLogger(__name__)

# A health probe must answer before the load balancer gives up on it (often 5 s).
BROKER_TIMEOUT_S = 2


@cache
def version() -> str:
    """The installed package's version, read once per process (it cannot change under it)."""
    try:
        return metadata.version("bcci-logistics")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def check_database(engine: Engine) -> str | None:
    try:
        ping(engine)
    except Exception as exc:  # any failure means "down"; the class tells an operator why
        log.warning("health: database check failed (%s)", type(exc).__name__)
        return f"the database does not answer ({type(exc).__name__})"
    return None


def check_broker(settings: Settings) -> str | None:
    url = settings.jobs_broker_url
    if url.startswith("memory://"):
        return None  # in-process transport (tests): nothing that can be down
    if settings.is_embedded_broker:
        return _check_folders(settings)
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_S) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_S)
    except Exception as exc:
        log.warning("health: broker check failed (%s)", type(exc).__name__)
        return f"the broker does not answer ({type(exc).__name__})"
    return None


def _check_folders(settings: Settings) -> str | None:
    """The embedded file-system broker is two folders the worker and the API share."""
    folder = settings.broker_folder()
    for sub in ("queue", "processed"):
        path = folder / sub
        if not path.is_dir():
            return f"the embedded broker folder {sub}/ is missing (start the worker: logistics serve)"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"the embedded broker folder {sub}/ is not writable"
    return None
