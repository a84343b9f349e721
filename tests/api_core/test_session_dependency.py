"""SessionDep commits before the response leaves, so a failed commit is never a 2xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from api_core.deps import SessionDep, get_session
from api_core.errors import install_error_handlers
from logistics.exceptions import Conflict


def test_a_failed_commit_is_reported_instead_of_success():
    """When the session's exit (the commit) fails, the client gets 503, not the route's 201."""
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things", status_code=201)
    def create(session: SessionDep) -> dict:
        return {"created": True}

    def session_whose_commit_fails() -> Iterator[object]:
        yield object()
        raise sa_exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    app.dependency_overrides[get_session] = session_whose_commit_fails
    response = TestClient(app).post("/things")
    assert (response.status_code, response.json()["error"]) == (503, "database_unavailable")


@pytest.fixture
def scratch(engine) -> Iterator[tuple[FastAPI, str]]:
    """An app on the real engine (no session override) and a scratch table ``(v INTEGER)``."""
    table = f"session_dep_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE {table} (v INTEGER)"))
    app = FastAPI()
    app.state.engine = engine
    install_error_handlers(app)
    try:
        yield app, table
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE {table}"))


def _values(engine, table: str) -> list[int]:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT v FROM {table}")).scalars().all()


def test_the_real_dependency_commits_a_success_and_rolls_back_a_refusal(engine, scratch):
    """The session opened on the event loop commits once the route returns, and a route
    that raises leaves nothing (a real database, no override)."""
    app, table = scratch

    @app.post("/ok")
    def ok(session: SessionDep) -> dict:
        session.execute(sa.text(f"INSERT INTO {table} (v) VALUES (1)"))
        return {}

    @app.post("/refused")
    def refused(session: SessionDep) -> dict:
        session.execute(sa.text(f"INSERT INTO {table} (v) VALUES (2)"))
        raise Conflict("refused after writing", code="refused")

    with TestClient(app) as client:
        assert client.post("/ok").status_code == 200
        assert client.post("/refused").status_code == 409
    assert _values(engine, table) == [1]


def test_run_and_commit_commits_in_the_route_and_rolls_back_a_refusal(engine, scratch):
    """An async route doing its work and the commit in one thread (``run_and_commit``):
    the work is committed, a refusal leaves nothing, and no connection stays checked out."""
    from api_core.deps import run_and_commit

    app, table = scratch

    def write(session, value: int, refuse: bool) -> dict:
        session.execute(sa.text(f"INSERT INTO {table} (v) VALUES (:v)"), {"v": value})
        if refuse:
            raise Conflict("refused after writing", code="refused")
        return {"wrote": value}

    @app.post("/ok")
    async def ok(session: SessionDep) -> dict:
        return await run_and_commit(session, write, 1, False)

    @app.post("/refused")
    async def refused(session: SessionDep) -> dict:
        return await run_and_commit(session, write, 2, True)

    with TestClient(app) as client:
        assert client.post("/ok").json() == {"wrote": 1}
        assert client.post("/refused").status_code == 409
    assert engine.pool.checkedout() == 0
    assert _values(engine, table) == [1]


def test_a_session_with_nothing_to_end_costs_no_thread_hop(engine, scratch, monkeypatch):
    """A session that never began a transaction, or whose route gave its connection back
    (the tracking page's autocommit read), is closed on the event loop; one with work
    in it is still committed in the thread pool."""
    from api_core import deps

    hops: list[bool] = []
    real = deps._end_in_thread

    async def counted(session, *, commit):  # noqa: ANN001, ANN202
        hops.append(commit)
        await real(session, commit=commit)

    monkeypatch.setattr(deps, "_end_in_thread", counted)
    app, table = scratch

    @app.get("/nothing")
    async def nothing(session: SessionDep) -> dict:
        return {}

    @app.get("/read")
    def read(session: SessionDep) -> dict:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        value = session.execute(sa.text("SELECT 1")).scalar_one()
        session.close()
        return {"value": value}

    @app.post("/write")
    def write(session: SessionDep) -> dict:
        session.execute(sa.text(f"INSERT INTO {table} (v) VALUES (3)"))
        return {}

    with TestClient(app) as client:
        assert client.get("/nothing").status_code == 200 and hops == []
        assert client.get("/read").json() == {"value": 1} and hops == []
        assert client.post("/write").status_code == 200 and hops == [True]
    assert _values(engine, table) == [3]
