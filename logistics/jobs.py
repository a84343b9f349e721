"""Background jobs, enqueued inside a transaction and sent only after it commits.

``enqueue(session, "notify.send_sms", notification_id=7)`` records the job on the
session; it goes to the broker when the session commits and is dropped if it rolls
back, so a worker never sees ids of rows that do not exist. Sending happens after the
commit: if the broker is down at that moment the job is logged as lost, and the
outboxes' beat sweeps (notifications) pick the work up again from the database.

A job over a list of ids (``enqueue(..., merge="notification_ids", merge_max=50)``) may
leave merged with the same job of other transactions of this process: after the commit its
ids wait up to ``JOBS_MERGE_LINGER_MS`` in the process and leave as one message of at most
``merge_max`` ids. A broker message costs the API ~0.8 ms of CPU (py-spy, 200 single scans
a second, 2026-12), one per scan before: now one per few scans. Ids still waiting when the
process dies are the sweeps' to send, as a lost message's are. Celery's workers send at once
(linger 0): their sweeps batch already, and a pool child may exit without its exit hooks.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "logistics.pending_jobs"


@dataclass(frozen=True)
class PendingJob:
    name: str
    kwargs: dict[str, Any]
    task_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    countdown: float | None = None
    merge: str | None = None  # the list argument it may share a message on (see the module)
    merge_max: int = 0


def enqueue(session: Session, name: str, *, countdown: float | None = None, merge: str | None = None,
            merge_max: int = 0, **kwargs: Any) -> str:
    """Send task ``name`` with ``kwargs`` after ``session`` commits; return its task id.

    With ``merge`` (the name of a list argument, the job's only one) the job may leave merged
    with others of the same name, up to ``merge_max`` values a message: its task id is then
    not the message's."""
    if merge is not None and (set(kwargs) != {merge} or countdown is not None or merge_max < 1):
        raise ValueError("a merged job has its list argument alone, no countdown and a merge_max")
    job = PendingJob(name=name, kwargs=kwargs, countdown=countdown, merge=merge, merge_max=merge_max)
    if not session.in_transaction():
        # Without a transaction a rollback() is a no-op that fires no event, and the job
        # would ride along with a later commit.
        session.begin()
    session.info.setdefault(_PENDING, []).append(job)
    return job.task_id


def pending(session: Session) -> list[PendingJob]:
    """The jobs waiting for this session's commit (for tests and diagnostics)."""
    return list(session.info.get(_PENDING, ()))


def send_now(job: PendingJob) -> None:
    from logistics.worker import celery_app

    celery_app.send_task(job.name, kwargs=job.kwargs, task_id=job.task_id, countdown=job.countdown)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy fires after_commit for a released savepoint too (scan ingestion
        # uses one): the outer transaction may still roll back, or not be visible yet.
        return
    for job in session.info.pop(_PENDING, ()):
        if job.merge is not None:
            _merging.add(job)
        else:
            _send_logged(job)


def _send_logged(job: PendingJob) -> None:
    try:
        send_now(job)
    except Exception:  # the broker is outside our transaction: log, never undo a commit
        log.exception("job %s (%s) could not be sent to the broker", job.name, job.task_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:  # noqa: ANN001
    # Only the outermost rollback drops the jobs: a rolled-back savepoint inside a
    # transaction that goes on to commit keeps what was enqueued around it.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def checkpoint(session: Session) -> int:
    """A mark of the jobs enqueued so far, for :func:`drop_since` after a rolled-back savepoint."""
    return len(session.info.get(_PENDING, ()))


def drop_since(session: Session, mark: int) -> None:
    """Forget the jobs enqueued after ``mark``: their rows went with a rolled-back savepoint."""
    del session.info.get(_PENDING, [])[mark:]


class _Merging:
    """The process's merged jobs waiting to leave, and the thread that sends them."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: dict[tuple[str, str, int], list[Any]] = {}
        self._due: dict[tuple[str, str, int], float] = {}
        self._thread: threading.Thread | None = None
        self.linger_s: float | None = None  # None: the settings' JOBS_MERGE_LINGER_MS

    def add(self, job: PendingJob) -> None:
        key = (job.name, job.merge, job.merge_max)
        linger = self._linger()
        full: list[list[Any]] = []
        with self._cond:
            values = self._waiting.setdefault(key, [])
            values.extend(job.kwargs[job.merge])
            while len(values) >= job.merge_max or (values and linger <= 0):
                full.append(values[:job.merge_max])
                del values[:job.merge_max]
            if values and key not in self._due:
                self._due[key] = time.monotonic() + linger
                self._start()
                self._cond.notify()
            elif not values:
                self._due.pop(key, None)
        _send_chunks([(key, chunk) for chunk in full])  # full messages leave from the committing thread

    def flush(self) -> None:
        """Send everything waiting now (at exit, and for tests)."""
        _send_chunks(self._take(due_only=False))

    def reset(self) -> None:
        """In a forked child: the parent sends what it holds; the thread did not come along."""
        linger = self.linger_s
        self.__init__()
        self.linger_s = linger

    def _linger(self) -> float:
        if self.linger_s is None:
            from logistics.config import get_settings

            self.linger_s = get_settings().jobs_merge_linger_ms / 1000
        return self.linger_s

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="jobs-merging", daemon=True)
            self._thread.start()

    def _take(self, *, due_only: bool) -> list[tuple[tuple[str, str, int], list[Any]]]:
        out = []
        with self._cond:
            now = time.monotonic()
            for key, at in list(self._due.items()):
                if not due_only or at <= now:
                    values = self._waiting.pop(key, [])
                    del self._due[key]
                    out += [(key, values[i:i + key[2]]) for i in range(0, len(values), key[2])]
        return out

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._due:
                    self._cond.wait()
                wait = min(self._due.values()) - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
            _send_chunks(self._take(due_only=True))


def _send_chunks(chunks: list[tuple[tuple[str, str, int], list[Any]]]) -> None:
    """One message per chunk: ``((task name, list argument, merge_max), values)``."""
    for (name, argument, _max), values in chunks:
        _send_logged(PendingJob(name=name, kwargs={argument: values}))


_merging = _Merging()
atexit.register(_merging.flush)
os.register_at_fork(after_in_child=_merging.reset)


def flush_merged() -> None:
    """Send the merged jobs still waiting in this process now."""
    _merging.flush()


def set_merge_linger(seconds: float | None) -> None:
    """How long merged jobs wait for company in this process (None: the settings')."""
    _merging.linger_s = seconds
