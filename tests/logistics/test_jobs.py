"""Jobs leave for the broker only after their transaction commits."""

from __future__ import annotations

import queue

import pytest
from sqlmodel import Session

from logistics import jobs
from logistics.worker import celery_app


def _next_message(timeout: float = 1.0):
    with celery_app.connection_for_read() as connection:
        simple = connection.SimpleQueue("default")
        try:
            message = simple.get(timeout=timeout)
        except queue.Empty:
            return None
        message.ack()
        simple.close()
        return message


@pytest.fixture()
def drained():
    while _next_message(0.05) is not None:
        pass
    yield


def test_job_is_sent_after_commit(engine, drained):
    """A job enqueued in a transaction reaches the broker once the transaction commits."""
    with Session(engine) as session:
        task_id = jobs.enqueue(session, "system.purge_expired_tokens")
        assert _next_message(0.1) is None, "nothing may be sent before the commit"
        session.commit()
    message = _next_message()
    assert message is not None
    assert message.headers["task"] == "system.purge_expired_tokens"
    assert message.headers["id"] == task_id


def test_job_is_dropped_on_rollback(engine, drained):
    """A job enqueued in a transaction that rolls back is never sent."""
    with Session(engine) as session:
        jobs.enqueue(session, "system.purge_expired_tokens")
        assert len(jobs.pending(session)) == 1
        session.rollback()
        assert jobs.pending(session) == []
        session.commit()
    assert _next_message(0.2) is None


def test_job_waits_for_the_outer_commit_not_a_savepoint(engine, drained):
    """A savepoint released inside the transaction sends nothing; the outer commit does."""
    with Session(engine) as session:
        with session.begin_nested():
            jobs.enqueue(session, "system.purge_expired_tokens")
        assert _next_message(0.1) is None, "a released savepoint is not a commit"
        session.commit()
    assert _next_message() is not None
