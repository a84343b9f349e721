"""At-least-once delivery, read from the configured Celery application: late acks, a
lost worker's task redelivered, one message prefetched, a Redis visibility timeout
longer than any task can run or wait, and every task on the queue its name says."""

from __future__ import annotations

import importlib

import pytest

from logistics import worker
from logistics.config import Settings
from logistics.routing import tasks as routing_tasks

REDIS = Settings(jobs_broker_url="redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def app():
    """The application as a worker on Redis configures it (the tests' global one talks to memory://)."""
    return worker.create_celery(REDIS)


def _ours(app) -> dict:  # noqa: ANN001
    """Every task of the product, as the task modules declare them (on the global app)."""
    for module in worker.TASK_MODULES:
        importlib.import_module(module)
    return {name: task for name, task in worker.celery_app.tasks.items() if not name.startswith("celery.")}


def test_delivery_is_at_least_once(app):
    conf = app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    options = conf.broker_transport_options
    assert options["unacked_restore_interval"] <= 10  # a dead worker's tasks come back within seconds
    for name, task in _ours(app).items():
        assert task.acks_late, name


def test_visibility_timeout_outlasts_every_task(app):
    """Redis hands an unacknowledged task to another worker after the visibility timeout:
    it must be longer than the longest run (the planner's hard limit) and the longest
    countdown (an SMS retry's backoff), or a task would run twice at once."""
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    plan = _ours(app)["routing.plan_day"]
    assert plan.time_limit == routing_tasks.TASK_TIME_LIMIT_S and plan.soft_time_limit < plan.time_limit
    longest_run = max(task.time_limit or 0 for task in _ours(app).values())
    longest_wait = max(getattr(task, "retry_backoff_max", 0) or 0 for task in _ours(app).values())
    assert longest_run == routing_tasks.TASK_TIME_LIMIT_S
    assert visibility > longest_run and visibility > longest_wait, (visibility, longest_run, longest_wait)


def test_an_overlong_search_is_cut_to_the_limit():
    assert routing_tasks.MAX_SEARCH_S < routing_tasks.TASK_TIME_LIMIT_S - 60


@pytest.mark.parametrize(("prefix", "queue"), [("routing.", "routing"), ("notify.", "notify"), ("system.", "default")])
def test_tasks_are_routed_by_name(app, prefix, queue):
    declared = {q.name for q in app.conf.task_queues}
    names = [name for name in _ours(app) if name.startswith(prefix)]
    assert names, prefix
    for name in names:
        routed = app.amqp.router.route({}, name)["queue"].name
        assert routed == queue and routed in declared, (name, routed)


def test_beat_schedules_only_known_tasks(app):
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in _ours(app), entry
