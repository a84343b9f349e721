"""Background jobs, enqueued inside a transaction and sent only after it commits.

``enqueue(session, "notify.send_sms", notification_id=7)`` records the job on the
session; it goes to the broker when the session commits and is dropped if it rolls
back, so a worker never sees ids of rows that do not exist. Sending happens after the
commit: if the broker is down at that moment the job is logged as lost, and the
outboxes' beat sweeps (notifications) pick the work up again from the database.
"""

from __future__ import annotations

import logging
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


def enqueue(session: Session, name: str, *, countdown: float | None = None, **kwargs: Any) -> str:
    """Send task ``name`` with ``kwargs`` after ``session`` commits; return its task id."""
    job = PendingJob(name=name, kwargs=kwargs, countdown=countdown)
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
