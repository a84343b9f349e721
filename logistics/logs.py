"""Logging for the API and the worker: one line per record, JSON in production and
text in development (``LOG_FORMAT``), every line naming its request and none
carrying personal data or a secret.

- :func:`current_request_id` / :func:`bind_request_id`: the id of the request (or of
  the task, which inherits the id of the request that enqueued it) being served in
  this context. ``api_core.request_id`` binds it per HTTP request, the worker's
  signals (``logistics.worker_logs``) per task.
- :class:`RequestIdFilter` puts it on every record as ``request_id``.
- :class:`RedactingFilter` masks the message, its arguments, the traceback and every
  extra field with ``logistics.redaction`` (phones, names, tokens, OTP codes, the
  configured secrets) before any formatter sees them.
- :func:`configure_logging` installs both on one stream handler of the root logger;
  :func:`logging_config` is the same as a ``dictConfig`` for uvicorn.
"""

from __future__ import annotations

import logging
import logging.config
import sys
import time
from contextvars import ContextVar, Token
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from logistics.config import Settings, get_settings
from logistics.redaction import Redactor

_request_id: ContextVar[str] = ContextVar("request_id", default="")

TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
_HANDLER_NAME = "logistics"
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "taskName"}


def current_request_id() -> str:
    """The id of the request or task being served in this context ("" outside one)."""
    return _request_id.get()


def bind_request_id(request_id: str) -> Token[str]:
    """Make ``request_id`` the current id; give the token back to :func:`reset_request_id`."""
    return _request_id.set(request_id)


def reset_request_id(token: Token[str]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id() or "-"
        return True


def masked_already(fields: dict[str, Any]) -> dict[str, Any]:
    """``extra=`` fields of a record its caller masked itself, message and arguments
    included: :class:`RedactingFilter` lets it through as it is. For a line written on
    every request from a closed set of values (``api_core.observability``'s access
    line: the method, the route template, numbers; the request id vetted where it is
    taken), masked once per value rather than on every line."""
    return {**fields, "_redacted": True}


class RedactingFilter(logging.Filter):
    """Masks personal data and secrets anywhere in a record, in place, before formatting."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or redactor_for(get_settings())

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):  # masked by its caller, or reaching two of our handlers
            return True
        r = self.redactor
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = r.text(message), None
        if record.exc_info and record.exc_info[0] is not None:
            # Rendered and masked here; exc_info cleared so that no formatter renders
            # the raw traceback again (exception messages quote SQL parameters).
            record.exc_text = r.text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = r.text(record.exc_text)
        if record.stack_info:
            record.stack_info = r.text(record.stack_info)
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:  # the extra fields (a set difference, not a loop over ~25)
            if not key.startswith("_"):
                fields[key] = r.value(fields[key], key)
        record._redacted = True
        return True


def redactor_for(settings: Settings) -> Redactor:
    """A redactor that also masks the literal secrets of ``settings``."""
    secrets = [
        settings.secret_key.get_secret_value(),
        settings.twilio_auth_token.get_secret_value(),
        settings.metrics_token.get_secret_value(),
    ]
    return Redactor(secrets)


def log_format(settings: Settings) -> str:
    """``json`` or ``text``: as set, else text in development and JSON elsewhere."""
    if settings.log_format:
        return settings.log_format
    return "text" if settings.app_env == "development" else "json"


def make_formatter(kind: str) -> logging.Formatter:
    """Times in UTC, as everything is stored (the machine's zone may be anything)."""
    formatter: logging.Formatter
    if kind == "json":
        formatter = JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                                  datefmt="%Y-%m-%dT%H:%M:%SZ", json_ensure_ascii=False)
    else:
        formatter = logging.Formatter(TEXT_FORMAT, datefmt="%Y-%m-%d %H:%M:%SZ")
    formatter.converter = time.gmtime
    return formatter


def make_handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler with our format, request ids and masking."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(make_formatter(log_format(settings)))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter(redactor_for(settings)))
    return handler


def lean_records() -> None:
    """Records without what no format of ours shows: the caller's file and line (a walk
    up the stack for every record), the thread and process names. Process-wide, as
    ``logging`` has it (its HOWTO, "Optimization"); the access line of every request
    pays for them otherwise."""
    logging._srcfile = None  # type: ignore[attr-defined] - the documented switch
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


def configure_logging(settings: Settings | None = None, *, stream: TextIO | None = None,
                      only_if_unconfigured: bool = False) -> logging.Handler | None:
    """Send the root logger's records through our handler (replacing a previous one of ours).

    ``only_if_unconfigured``: do nothing when the root logger already has a handler
    (a test runner's, an embedding application's).
    """
    settings = settings or get_settings()
    root = logging.getLogger()
    if only_if_unconfigured and root.handlers:
        return None
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = make_handler(settings, stream)
    lean_records()
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # uvicorn's and Celery's loggers go through the root handler too, not their own.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # api_core.observability writes the access line (with the route template and the
    # request id); uvicorn's would repeat it with the raw path.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    return handler


def logging_config(settings: Settings | None = None) -> dict[str, Any]:
    """The same set-up as a ``dictConfig``, for ``uvicorn.run(log_config=...)``."""
    settings = settings or get_settings()
    lean_records()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "redact": {"()": RedactingFilter, "redactor": redactor_for(settings)},
        },
        "formatters": {"default": {"()": make_formatter, "kind": log_format(settings)}},
        "handlers": {
            _HANDLER_NAME: {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "default",
                            "filters": ["request_id", "redact"]},
        },
        "root": {"level": settings.log_level.upper(), "handlers": [_HANDLER_NAME]},
        "loggers": {
            # Levels set too: a uvicorn started earlier in the process may have left its own.
            "uvicorn": {"handlers": [], "propagate": True, "level": settings.log_level.upper()},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": settings.log_level.upper()},
            "uvicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
        },
    }
