"""Requests and units of work inside the rolled-back test transaction.

Each one runs in a savepoint, released when it succeeds and rolled back when it
raises — what ``session_scope`` and the request dependency do with a real commit —
so a refused request leaves nothing behind and a test can count rows afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from sqlmodel import Session

from api_core.deps import get_reading_session, get_session


@contextmanager
def savepoint(session: Session) -> Iterator[Session]:
    nested = session.begin_nested()
    try:
        yield session
    except BaseException:
        nested.rollback()
        raise
    nested.commit()


def serve_from(app: FastAPI, session: Session) -> FastAPI:
    """Make every request of ``app`` a savepoint of the test's ``session``."""

    def request_session() -> Iterator[Session]:
        with savepoint(session) as inner:
            yield inner

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_reading_session] = request_session
    return app
