"""GET /health: 200 when the database and the broker answer, 503 naming what is down."""

from __future__ import annotations

import socket
from pathlib import Path

from fastapi.testclient import TestClient

from logistics.config import Settings
from web.app import create_app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once the socket is closed


def _health(settings: Settings):
    with TestClient(create_app(settings)) as client:
        return client.get("/health")


def test_health_ok(database_url):
    """With the database up and the in-memory broker, health is ok with a version."""
    response = _health(Settings(database_url=database_url, jobs_broker_url="memory://"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == body["database"] == body["broker"] == "ok"
    assert body["version"]


def test_health_503_when_the_database_is_down():
    """A database on a closed port gives 503 database_unavailable in the error shape."""
    url = f"postgresql://nobody:secret@127.0.0.1:{_closed_port()}/nothing"
    response = _health(Settings(database_url=url, jobs_broker_url="memory://"))
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "database_unavailable"
    assert (body["database"], body["broker"]) == ("down", "ok")
    assert "secret" not in response.text  # the URL (and its password) is never shown


def test_embedded_broker_needs_its_folders(database_url, tmp_path: Path):
    """The embedded broker is up when its folders exist and are writable, down otherwise."""
    settings = Settings(database_url=database_url, jobs_broker_url="embedded", var_dir=tmp_path)
    response = _health(settings)
    assert (response.status_code, response.json()["error"]) == (503, "broker_unavailable")
    for sub in ("queue", "processed"):
        (settings.broker_folder() / sub).mkdir(parents=True)
    assert _health(settings).status_code == 200


def test_unreachable_redis_broker_is_reported():
    """A Redis broker that does not answer gives 503 broker_unavailable, within seconds."""
    settings = Settings(database_url="sqlite://", jobs_broker_url=f"redis://:pw@127.0.0.1:{_closed_port()}/0")
    response = _health(settings)
    assert (response.status_code, response.json()["error"]) == (503, "broker_unavailable")
    assert "pw@" not in response.text
