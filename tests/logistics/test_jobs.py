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


@pytest.fixture()
def linger():
    """Merged jobs wait 0.3 s for company in this test; the settings' value after it."""
    jobs.set_merge_linger(0.3)
    yield 0.3
    jobs.flush_merged()
    jobs.set_merge_linger(None)


def _ids(message) -> list[int]:
    _args, kwargs, _embed = message.decode()
    return kwargs["notification_ids"]


def _commit_merged(engine, ids: list[int], merge_max: int = 50) -> None:
    with Session(engine) as session:
        jobs.enqueue(session, "tests.probe_batch", merge="notification_ids", merge_max=merge_max,
                     notification_ids=ids)
        session.commit()


def test_merged_jobs_of_several_commits_leave_as_one_message(engine, drained, linger):
    """Two transactions' send jobs wait in the process and leave together, after the linger."""
    _commit_merged(engine, [1, 2])
    _commit_merged(engine, [3])
    assert _next_message(0.1) is None, "merged jobs wait for company"
    message = _next_message(2.0)
    assert message is not None and message.headers["task"] == "tests.probe_batch"
    assert _ids(message) == [1, 2, 3]
    assert _next_message(0.5) is None, "one message for both"


def test_a_full_merged_job_leaves_at_once(engine, drained, linger):
    """Values reaching ``merge_max`` leave at the commit; the rest waits its linger."""
    _commit_merged(engine, [1, 2, 3], merge_max=2)
    first = _next_message(0.1)
    assert first is not None and _ids(first) == [1, 2]
    rest = _next_message(2.0)
    assert rest is not None and _ids(rest) == [3]


def test_merged_jobs_without_linger_leave_at_the_commit(engine, drained):
    """Linger 0 (Celery's workers) sends at the commit, as an unmerged job."""
    jobs.set_merge_linger(0)
    try:
        _commit_merged(engine, [7])
        message = _next_message(0.2)
        assert message is not None and _ids(message) == [7]
    finally:
        jobs.set_merge_linger(None)


def test_merged_jobs_of_a_rollback_never_leave(engine, drained, linger):
    with Session(engine) as session:
        jobs.enqueue(session, "tests.probe_batch", merge="notification_ids", merge_max=50, notification_ids=[9])
        session.rollback()
    jobs.flush_merged()
    assert _next_message(0.2) is None


def test_flush_sends_what_waits(engine, drained, linger):
    """What waits leaves at once when the process flushes it (at exit)."""
    _commit_merged(engine, [4])
    jobs.flush_merged()
    message = _next_message(0.1)
    assert message is not None and _ids(message) == [4]


def test_a_merged_job_has_its_list_argument_alone(engine):
    with Session(engine) as session, pytest.raises(ValueError):
        jobs.enqueue(session, "tests.probe_batch", merge="notification_ids", merge_max=50,
                     notification_ids=[1], other=2)
