"""A burst of requests holds at most ``api_db_sessions`` sessions at once, never more than
the pool keeps connections: the others wait on the event loop (``api_core.deps.get_session``,
and for reading routes ``run_reading``) instead of each opening a connection for itself."""

from __future__ import annotations

import asyncio
import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import event, text

from api_core.deps import ReadingSessionDep, SessionDep, run_reading
from logistics.db import make_engine

REQUESTS = 30


def _app(engine, sessions: int) -> FastAPI:  # noqa: ANN001
    app = FastAPI()
    app.state.engine = engine
    app.state.settings = SimpleNamespace(api_db_sessions=sessions)

    @app.get("/slow")
    def slow(session: SessionDep) -> dict:  # a sync route: its own worker thread, holding the connection
        session.connection().execute(text("select 1"))
        time.sleep(0.05)
        return {"ok": True}

    @app.get("/read")
    async def read(request: Request, session: ReadingSessionDep) -> dict:  # as the tracking page reads
        def work() -> dict:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
                time.sleep(0.05)
            session.close()
            return {"ok": True}

        return await run_reading(request, work)

    return app


@pytest.mark.parametrize(("sessions", "path"), [(4, "/slow"), (50, "/slow"), (4, "/read")])
def test_a_burst_waits_for_its_turn_instead_of_opening_connections(fresh_database_url, sessions, path):
    engine = make_engine(fresh_database_url)
    lock, counts = threading.Lock(), {"out": 0, "most": 0, "opened": 0}

    def checked_out(*_args) -> None:  # noqa: ANN002
        with lock:
            counts["out"] += 1
            counts["most"] = max(counts["most"], counts["out"])

    def checked_in(*_args) -> None:  # noqa: ANN002
        with lock:
            counts["out"] -= 1

    def connected(*_args) -> None:  # noqa: ANN002
        with lock:
            counts["opened"] += 1

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "connect", connected)

    async def burst() -> list[int]:
        transport = httpx.ASGITransport(app=_app(engine, sessions))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get(path) for _ in range(REQUESTS)))
        return [a.status_code for a in answers]

    try:
        assert asyncio.run(burst()) == [200] * REQUESTS
        size = min(sessions, engine.pool.size())  # 50: the pool's size bounds it
        assert counts["most"] == size, counts  # as many at once as allowed, never more
        assert counts["opened"] <= size, counts  # no connection opened for one request and closed after it
        assert counts["out"] == 0
    finally:
        engine.dispose()

