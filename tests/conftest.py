"""Shared fixtures: every database test runs on SQLite and on real PostgreSQL, inside
one transaction rolled back at its end.

The environment is fixed before the product is imported, so a developer's `.env`
never leaks into the tests: a private var/ directory and an in-memory broker (tests
that need a real worker start one on Redis or on the embedded broker themselves).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_VAR = Path(tempfile.mkdtemp(prefix="bcci-var-"))
os.environ.update(
    {
        "APP_ENV": "test",
        "VAR_DIR": str(_VAR),
        "DATABASE_URL": f"sqlite:///{_VAR / 'unused.db'}",
        "JOBS_BROKER_URL": "memory://",
        "JOBS_RESULT_BACKEND": "cache+memory://",
        "SMS_BACKEND": "console",
        "PUBLIC_BASE_URL": "http://testserver",
        # Outside development a placeholder secret is refused, tests included.
        "SECRET_KEY": "test-" + "k" * 43,
    }
)

import pytest  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from logistics.db import make_engine  # noqa: E402
from logistics.migrate import upgrade  # noqa: E402
from support.servers import fresh_database, postgres_server  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _migrated(request: pytest.FixtureRequest, backend: str, tmp_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / 'test.db'}"
        upgrade(url)
        yield url
        return
    server = request.getfixturevalue("pg_server_url")
    with fresh_database(server) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database shared by the session's tests on one backend."""
    yield from _migrated(request, request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one rolled-back transaction."""
    connection = engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(params=BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of its own, for tests whose commits must be real
    (a worker in another process reads them)."""
    yield from _migrated(request, request.param, tmp_path)
