"""Database engine and sessions.

Entry points own the transaction: a request dependency or ``session_scope()`` in a
task or command commits once; services only flush.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from logistics.config import get_settings


def _prepare_sqlite(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI hook
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while the worker writes; busy_timeout waits instead of
    # failing when both write at once; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:  # noqa: ANN001 - engine event hook
    # pysqlite opens a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT sent
    # before any of them would start one of its own, and releasing it would commit for
    # real: a nested unit of work (a scan batch, a test's request) would escape the
    # transaction around it. Open that transaction first.
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the settings every caller of that backend needs."""
    if url.startswith("sqlite"):
        _prepare_sqlite(url)
        engine = create_engine(url, echo=echo, hide_parameters=True,
                               connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(
        url,
        echo=echo,
        # Statement parameters are citizens' names and phones: never in an error or a log.
        hide_parameters=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": 5},
    )
    _ping_when_idle(engine)
    return engine


# A pooled connection unused for this long is pinged before it is handed out, so that
# a restarted PostgreSQL gives fresh connections, not errors. A busy API hands its
# connections out again within milliseconds and so saves a round trip per request
# (pool_pre_ping pings every time); a connection that died within this time after
# its last use (the server restarted under load) fails its one request with a 503,
# and the pool then replaces every connection older than that failure.
PING_AFTER_IDLE_S = 2.0


def _ping_when_idle(engine: Engine) -> None:
    def checked_in(_dbapi_connection, record) -> None:  # noqa: ANN001 - pool event hook
        record.info["checked_in_at"] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001 - pool event hook
        last = record.info.get("checked_in_at")  # none yet: a new connection, pinged once
        if last is not None and time.monotonic() - last < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool reconnects (up to 3 tries)
            raise exc.DisconnectionError(f"ping failed ({type(error).__name__})") from error

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


@lru_cache(maxsize=4)
def _engine_for(url: str, echo: bool) -> Engine:
    return make_engine(url, echo=echo)


def get_engine() -> Engine:
    settings = get_settings()
    return _engine_for(settings.database_url, settings.database_echo)


def dispose_engines() -> None:
    """Close pooled connections (after a fork, or when settings change in tests)."""
    _engine_for.cache_clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def iter_session(engine: Engine | None = None) -> Iterator[Session]:
    """A generator form of ``session_scope`` for dependency injection."""
    with session_scope(engine) as session:
        yield session


def ping(engine: Engine | None = None) -> None:
    """Raise if the database does not answer."""
    with (engine or get_engine()).connect() as connection:
        connection.execute(text("select 1"))
