"""``logistics serve`` (API, embedded worker and beat), ``worker`` and ``beat``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import typer

from logistics import metrics
from logistics.cli.output import console
from logistics.config import Settings, get_settings
from logistics.logs import logging_config

CELERY_APP = "logistics.worker:celery_app"
QUEUES = "default,routing,notify"


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", CELERY_APP, *args]


def worker_command(*, concurrency: int = 2, queues: str = QUEUES, extra: list[str] | None = None) -> list[str]:
    # Gossip, mingle and heartbeat only matter between many workers; off, the worker is
    # ready sooner (PLATFORM.md §2).
    return _celery("worker", "-P", "prefork", "-c", str(concurrency), "-Q", queues,
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info", *(extra or []))


def beat_command(settings: Settings, extra: list[str] | None = None) -> list[str]:
    schedule = (settings.var_dir / "celerybeat-schedule").resolve()
    return _celery("beat", "-s", str(schedule), "-l", "info", *(extra or []))


def _spawn(stack: ExitStack, name: str, command: list[str], log_dir: Path) -> subprocess.Popen:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed by the stack
    stack.callback(log_file.close)
    process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=os.environ.copy())

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    stack.callback(stop)
    console.print(f"started {name} (pid {process.pid}), log in {log_dir / (name + '.log')}")
    return process


def prepare_database(settings: Settings, *, seed_if_empty: bool) -> None:
    """Migrate, then seed the demo province when the database has no post office."""
    from sqlmodel import select

    from logistics import migrate
    from logistics.cli.seed import seed_demo
    from logistics.db import session_scope
    from logistics.models import PostOffice

    migrate.upgrade(settings.database_url)
    if not seed_if_empty:
        return
    with session_scope() as session:
        empty = session.exec(select(PostOffice.id).limit(1)).first() is None
    if empty:
        console.print(f"empty database: seeding the demo province {settings.demo_province}")
        seed_demo(province=settings.demo_province, seed=settings.demo_seed, day=None, volume=600)


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    workers: int = typer.Option(1, min=1, help="API worker processes"),
    embedded_worker: bool = typer.Option(None, help="start a Celery worker and beat too (default: with the embedded broker)"),
    seed_demo_province: bool = typer.Option(True, "--seed/--no-seed", help="seed a demo province into an empty database"),
) -> None:
    """Migrate, seed an empty database, and serve the API (with a worker and beat on the embedded broker)."""
    import uvicorn

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    start_workers = settings.is_embedded_broker if embedded_worker is None else embedded_worker
    if (workers > 1 or start_workers) and not metrics.multiprocess_dir():
        # Several processes count: they share files that GET /metrics adds up. Before
        # anything records a metric (seeding does): prometheus_client picks memory or
        # files once per process.
        metrics.prepare_multiprocess_dir(settings.var_dir / "prometheus")
    prepare_database(settings, seed_if_empty=seed_demo_province)
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler the
    # process would die there and orphan the worker and beat. Exiting normally lets the
    # ExitStack below stop them.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with ExitStack() as stack:
        if start_workers:
            log_dir = settings.var_dir / "log"
            _spawn(stack, "worker", worker_command(), log_dir)
            _spawn(stack, "beat", beat_command(settings), log_dir)
        console.print(f"[bold green]serving on http://{host}:{port}[/]  (API docs: http://{host}:{port}/docs)")
        # An import string, not an import: the domain package never imports the web layer.
        uvicorn.run("web.app:create_app", factory=True, host=host, port=port, workers=workers,
                    proxy_headers=True, log_config=logging_config(settings), access_log=False)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def worker(ctx: typer.Context, concurrency: int = typer.Option(2, "-c", "--concurrency"),
           queues: str = typer.Option(QUEUES, "-Q", "--queues")) -> None:
    """Run a Celery worker (extra arguments go to celery)."""
    raise typer.Exit(subprocess.call(worker_command(concurrency=concurrency, queues=queues, extra=list(ctx.args))))


def beat(ctx: typer.Context) -> None:
    """Run Celery beat, the scheduler (run exactly one)."""
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    raise typer.Exit(subprocess.call(beat_command(settings, list(ctx.args))))
