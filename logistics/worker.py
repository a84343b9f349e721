"""The Celery application: ``celery -A logistics.worker:celery_app worker``.

Configured for at-least-once delivery (late acks, redelivery of a lost worker's task,
one message prefetched at a time): every task must be idempotent. The embedded default
uses the file-system transport under ``var/broker`` so that no server is needed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery, signals
from kombu import Queue

from logistics import jobs, worker_logs  # noqa: F401 - connects the logging signals
from logistics.config import Settings, get_settings

TASK_MODULES = ("logistics.system_tasks", "logistics.routing.tasks", "logistics.notify.tasks", "logistics.webhooks.tasks")
QUEUES = ("default", "routing", "notify")


def broker_options(settings: Settings) -> dict[str, Any]:
    if settings.is_embedded_broker:
        folder = settings.broker_folder()
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                # kombu's default is ./control, relative to wherever the process runs.
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
            "result_backend": settings.jobs_result_backend or f"file://{(settings.var_dir / 'results').resolve()}",
        }
    return {
        "broker_url": settings.jobs_broker_url,
        "broker_transport_options": {
            "visibility_timeout": settings.broker_visibility_timeout_s,
            # Restore a dead worker's unacknowledged tasks within seconds rather than
            # the default ~100 s (PLATFORM.md §2c measured both).
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
        },
        "result_backend": settings.jobs_result_backend or settings.jobs_broker_url,
    }


def configure(app: Celery, settings: Settings) -> None:
    if settings.is_embedded_broker:
        (settings.var_dir / "results").mkdir(parents=True, exist_ok=True)
    app.conf.update(
        **broker_options(settings),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone=settings.timezone,
        enable_utc=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        result_expires=timedelta(days=1),
        broker_connection_retry_on_startup=True,
        task_default_queue="default",
        task_queues=[Queue(name) for name in QUEUES],
        task_routes={"routing.*": {"queue": "routing"}, "notify.*": {"queue": "notify"}},
        beat_schedule={
            "purge-expired-tokens": {"task": "system.purge_expired_tokens", "schedule": timedelta(hours=1)},
            "sweep-sms-outbox": {"task": "notify.sweep_outbox", "schedule": timedelta(minutes=1)},
            "requeue-stale-day-files": {"task": "routing.requeue_stale_day_files", "schedule": timedelta(minutes=1)},
            "sweep-webhook-outbox": {"task": "webhooks.sweep", "schedule": timedelta(minutes=1)},
            "delete-orphan-proofs": {"task": "system.delete_orphan_proofs", "schedule": timedelta(hours=6)},
            "expire-proofs": {"task": "system.expire_proofs", "schedule": timedelta(hours=24)},
        },
    )


@signals.worker_init.connect
def _send_jobs_at_once(**_: Any) -> None:
    # A pool child may exit without its exit hooks: nothing waits in it (logistics.jobs).
    jobs.set_merge_linger(0)


def create_celery(settings: Settings | None = None) -> Celery:
    app = Celery("logistics", include=list(TASK_MODULES))
    configure(app, settings or get_settings())
    return app


celery_app = create_celery()
