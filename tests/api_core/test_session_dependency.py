"""SessionDep commits before the response leaves, so a failed commit is never a 2xx."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from api_core.deps import SessionDep, get_session
from api_core.errors import install_error_handlers


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
