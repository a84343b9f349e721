"""A real Celery worker process runs the product's tasks: on the embedded file-system
broker with SQLite (a fresh machine) and on Redis with PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from logistics import worker
from logistics.config import Settings
from logistics.db import make_engine
from logistics.models import ApiToken, User
from logistics.models.enums import Role, TokenKind
from logistics.models.types import utcnow
from support.servers import redis_server
from support.workers import running_worker

pytestmark = pytest.mark.slow


def _seed_tokens(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        user = User(username="u1", full_name="Test", role=Role.ADMIN, secret_hash="x")
        session.add(user)
        session.flush()
        old = utcnow() - timedelta(days=3)
        session.add(ApiToken(token_sha256="a" * 64, kind=TokenKind.ACCESS, user_id=user.id, expires_at=old))
        session.add(ApiToken(token_sha256="b" * 64, kind=TokenKind.ACCESS, user_id=user.id,
                             expires_at=utcnow() + timedelta(hours=1)))
        session.commit()
    engine.dispose()


def _run_purge_through_worker(url: str, settings: Settings, env: dict[str, str], tmp_path: Path) -> None:
    _seed_tokens(url)
    engine = make_engine(url)
    # A client app configured like the worker (the global one in tests talks to memory://);
    # jobs.enqueue -> broker is covered by test_jobs.py.
    client = worker.create_celery(settings)
    with running_worker(env, tmp_path / "worker.log"):
        result = client.send_task("system.purge_expired_tokens")
        try:
            deleted = result.get(timeout=60)
        except Exception:
            print((tmp_path / "worker.log").read_text()[-4000:])
            raise
    assert deleted == 1
    with Session(engine) as session:
        assert [t.token_sha256[0] for t in session.exec(select(ApiToken))] == ["b"]
    engine.dispose()


@pytest.fixture()
def sqlite_file_url(tmp_path: Path) -> str:
    from logistics.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    return url


def test_embedded_broker_worker_runs_task(sqlite_file_url, tmp_path):
    """With no server at all, a worker on the file-system broker runs a job sent after commit."""
    var = tmp_path / "var"
    env = {"VAR_DIR": str(var), "DATABASE_URL": sqlite_file_url, "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": ""}
    settings = Settings(var_dir=var, database_url=sqlite_file_url, jobs_broker_url="embedded", jobs_result_backend="")
    _run_purge_through_worker(sqlite_file_url, settings, env, tmp_path)


@pytest.fixture()
def redis_url() -> Iterator[str]:
    import redis

    with redis_server() as url:
        redis.Redis.from_url(url).flushdb()
        yield url


@pytest.mark.redis
def test_redis_worker_runs_task_on_postgresql(redis_url, pg_server_url, tmp_path):
    """In production shape (Redis broker, PostgreSQL), a worker runs a job sent after commit."""
    from support.servers import fresh_database

    from logistics.migrate import upgrade

    with fresh_database(pg_server_url) as url:
        upgrade(url)
        env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": url, "JOBS_BROKER_URL": redis_url, "JOBS_RESULT_BACKEND": redis_url}
        settings = Settings(var_dir=tmp_path, database_url=url, jobs_broker_url=redis_url, jobs_result_backend=redis_url)
        _run_purge_through_worker(url, settings, env, tmp_path)
