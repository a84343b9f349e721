"""Fixtures for the HTTP tests: the app on the rolled-back test session, a client, and
a small province (``factories.build_world``).

The overridden ``get_session`` behaves as the real one does, one level down: each
request runs in a savepoint, released when the route succeeds and rolled back when it
raises, so a refused request leaves nothing behind and the test can count rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.web.factories import World, build_world
from web.app import create_app
from support.sessions import serve_from


@pytest.fixture()
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture()
def app(session: Session) -> FastAPI:
    app = create_app()

    serve_from(app, session)
    return app


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
