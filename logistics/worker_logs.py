"""The worker's logs: our format and masking, and the request id on every line.

A task logs under the id of the HTTP request that enqueued it (sent along as the
``request_id`` message header), so that one id follows a scan from the phone's request
to the SMS it caused; a task started by beat logs under its own task id.
"""

from __future__ import annotations

from typing import Any

from celery import signals

from logistics.config import get_settings
from logistics.logs import bind_request_id, configure_logging, current_request_id

HEADER = "request_id"


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    # Connected, this replaces Celery's own logging set-up in worker and beat.
    configure_logging(get_settings())


@signals.before_task_publish.connect
def _pass_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def task_request_id(task: Any) -> str:
    """The id the task's lines carry: its enqueuer's request id, else its own id."""
    request = getattr(task, "request", None)
    if request is None:
        return ""
    inherited = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return str(inherited or getattr(request, "id", "") or "")


@signals.task_prerun.connect
def _bind(task: Any = None, **_: Any) -> None:
    bind_request_id(task_request_id(task))


@signals.task_postrun.connect
def _unbind(**_: Any) -> None:
    bind_request_id("")
