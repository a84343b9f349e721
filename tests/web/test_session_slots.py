"""A burst of requests never opens more connections than the pool keeps: the requests
past its size wait for a session on the event loop (``api_core.deps.get_session``)."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from fastapi import FastAPI
from sqlalchemy import event, text

from api_core.deps import SessionDep
from logistics.db import make_engine

REQUESTS = 30


def _app(engine) -> FastAPI:  # noqa: ANN001
    app = FastAPI()
    app.state.engine = engine

    @app.get("/slow")
    def slow(session: SessionDep) -> dict:  # a sync route: its own worker thread, holding the connection
        session.connection().execute(text("select 1"))
        time.sleep(0.05)
        return {"ok": True}

    return app


def test_a_burst_waits_for_the_pool_instead_of_opening_connections(fresh_database_url):
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
        transport = httpx.ASGITransport(app=_app(engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/slow") for _ in range(REQUESTS)))
        return [a.status_code for a in answers]

    try:
        assert asyncio.run(burst()) == [200] * REQUESTS
        size = engine.pool.size()
        assert 1 < counts["most"] <= size, counts  # concurrent, but never past the pool
        assert counts["opened"] <= size, counts  # no connection opened for one request and closed after it
        assert counts["out"] == 0
    finally:
        engine.dispose()
