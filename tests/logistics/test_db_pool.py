"""Pooled PostgreSQL connections: pinged before use only after idling, so a restarted
server gives fresh connections while a busy API saves a round trip per request."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine, make_url

from logistics import db


@pytest.fixture()
def pg_engine(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the idle ping is set up for PostgreSQL")
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("select pg_backend_pid()")).scalar_one()


def _kill(engine: Engine, pid: int) -> None:
    """What a server restart does to a pooled connection."""
    url = make_url(str(engine.url.render_as_string(hide_password=False))).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(%s)", (pid,))


def test_a_connection_that_died_while_idle_is_replaced(pg_engine, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every checkout counts as after idling
    first = _backend_pid(pg_engine)
    _kill(pg_engine, first)
    assert _backend_pid(pg_engine) != first  # pinged, found dead, reconnected: no error


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_engine, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)
    pings = []
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda dbapi_connection: pings.append(1) or True)
    first = _backend_pid(pg_engine)  # a new connection: pinged once
    assert _backend_pid(pg_engine) == first and _backend_pid(pg_engine) == first
    assert len(pings) == 1
    # The price: one that died in that moment fails its request (a 503 in the API), and
    # the pool replaces its connections at once.
    _kill(pg_engine, first)
    with pytest.raises(exc.OperationalError):
        _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) != first
