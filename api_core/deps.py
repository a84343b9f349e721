"""Request dependencies: the database session, the signed-in user, role checks.

``SessionDep`` opens one session per request and commits it once, after the route
returns and before the response leaves (``scope="function"``): a client never gets a
201 for a commit that then failed. Any exception rolls everything back, so a refused
request writes nothing. Tests override :func:`get_session` with their rolled-back
session.

An async route may instead do its work and the commit in one worker thread with
:func:`run_and_commit`: the dependency's exit then only closes the session, with no
thread hop of its own (a one-event scan made three hops before, 2026-11).

``ReadingSessionDep`` is for a route that only reads and ends its session itself
(:func:`get_reading_session`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from logistics.accounts import tokens
from logistics.config import get_settings
from logistics.db import get_engine
from logistics.exceptions import Forbidden, Unauthorized
from logistics.models import User
from logistics.models.enums import Role

T = TypeVar("T")


def request_engine(request: Request) -> Engine:
    """The engine of the app serving ``request`` (``create_app`` may be given its own)."""
    engine = getattr(request.app.state, "engine", None)
    return engine if engine is not None else get_engine()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """What ``logistics.db.session_scope`` does, shaped for the event loop: opening a
    session does no I/O (its connection is taken at the first query), so it opens here;
    only the commit or rollback runs in the thread pool, and shielded from cancellation
    as FastAPI shields a sync dependency's exit. A sync generator cost a thread hop to
    enter as well: one hop in four of a phone's scan (py-spy, 2026-11)."""
    engine = request_engine(request)
    async with _session_slots(request.app, engine):
        session = Session(engine, expire_on_commit=False)
        session.info[_REQUEST_SESSION] = True
        try:
            yield session
        except BaseException:
            await _end(session, commit=False)
            raise
        await _end(session, commit=True)


def _session_slots(app: Any, engine: Engine) -> anyio.Semaphore | contextlib.nullcontext:
    """The requests of this process that may hold a session of ``engine`` at once:
    ``Settings.api_db_sessions``, never more than the pool keeps connections. The others
    wait here, on the event loop, in their order of arrival, before any of their work.

    Without this, a burst of requests each took a worker thread and a connection: past
    the pool's size every connection was opened for one request and closed after it
    (~40 new PostgreSQL backends a second at 200 scans/s), and 30 threads a process
    fought for the interpreter's lock. Admitting a few whole requests at a time also
    finishes each sooner than interleaving many (bench/scan_ingest.py, 2026-12)."""
    slots = getattr(app.state, _SLOTS, None)
    if slots is None or slots[0] is not engine:
        # Made in the serving process, on first use: an app built before a fork (uvicorn's
        # workers) or given its own engine gets its own.
        size = engine.pool.size() if isinstance(engine.pool, QueuePool) else 0
        settings = getattr(app.state, "settings", None)
        size = min(size, (settings or get_settings()).api_db_sessions)
        slots = (engine, anyio.Semaphore(size, fast_acquire=True) if size > 0 else contextlib.nullcontext())
        setattr(app.state, _SLOTS, slots)
    return slots[1]


_SLOTS = "session_slots"


async def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close; in the thread pool unless the session holds
    nothing: no transaction begun, or one its route ended already (a read that gave its
    connection back, ``web.routers.tracking_page``), and no object waiting to be
    flushed. Closing that session does no I/O, so it costs no hop."""
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.close()
        return
    await _end_in_thread(session, commit=commit)


_REQUEST_SESSION = "api_core.request_session"


async def run_and_commit(session: Session, fn: Callable[..., T], /, *args: Any) -> T:
    """``fn(session, *args)`` and then the commit of the request's session, in one
    worker thread; ``fn``'s result. A failure of either raises here and rolls back
    everything, as a sync route's would. A session not opened by :func:`get_session`
    (a test's override) is left to its own dependency to end."""

    def work() -> T:
        result = fn(session, *args)
        if session.info.get(_REQUEST_SESSION):
            session.commit()
        return result

    return await anyio.to_thread.run_sync(work)


async def _end_in_thread(session: Session, *, commit: bool) -> None:
    # A limiter of its own, as FastAPI gives a sync dependency's exit: waiting for a
    # free worker thread while every worker waits for this session's pooled connection
    # would deadlock.
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(functools.partial(_finish, session, commit=commit), limiter=CapacityLimiter(1))


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_reading_session(request: Request) -> Session:
    """A session for a route that only reads and ends it itself, in the thread hop that
    reads (``web.routers.tracking_page``): no exit to run after the route. FastAPI's
    machinery for a generator dependency (:func:`get_session`: its context managers,
    cancel scope and exit) cost ~136,000 instructions of a tracking page's ~2.6 million
    (callgrind, 2026-12). A session
    that never took a connection holds nothing to release. Tests override it as they
    override :func:`get_session` (``support.sessions``)."""
    return Session(request_engine(request), expire_on_commit=False)


ReadingSessionDep = Annotated[Session, Depends(get_reading_session)]


async def run_reading(request: Request, fn: Callable[..., T], /, *args: Any) -> T:
    """``fn(*args)`` in a worker thread, once one of the process's session slots is free
    (:func:`_session_slots`): a ``ReadingSessionDep`` route's read takes its connection there,
    so a burst of tracking pages waits its turn as requests with a session do, instead of
    opening a connection each past the pool's size."""
    async with _session_slots(request.app, request_engine(request)):
        return await anyio.to_thread.run_sync(functools.partial(fn, *args))

# auto_error=False: a missing header is reported in our error shape, not FastAPI's.
_bearer = HTTPBearer(auto_error=False, description="The access token from POST /api/v1/auth/token.")


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.", code="missing_token")
    user, _token = tokens.authenticate(session, credentials.credentials)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency giving the signed-in user if their role is one of ``roles`` (else 403)."""
    allowed = frozenset(roles)

    def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"Only these roles may do this: {names}.", code="forbidden")
        return user

    return dependency
