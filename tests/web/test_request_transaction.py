"""The real session dependency: one commit per successful request, nothing on a refusal."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from logistics.config import Settings
from logistics.identifiers.allocation import claim_s10
from logistics.db import make_engine
from tests.web.factories import build_world, intake_body, row_counts, s10
from web.app import create_app


def test_requests_commit_on_success_and_roll_back_on_refusal(fresh_database_url):
    """Without overrides, an intake is committed (seen by another connection) and a
    refused intake, refused after its first flushes, leaves no row behind."""
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine, expire_on_commit=False) as setup:
            world = build_world(setup)
            claim_s10(setup, s10(60_000_000))  # issued, on no item yet
            setup.commit()
        app = create_app(Settings(database_url=fresh_database_url, jobs_broker_url="memory://"))
        with TestClient(app) as client:
            headers = world.headers(world.admin)
            assert client.post("/api/v1/dossiers", json=intake_body(sequence=1), headers=headers).status_code == 201
            with Session(engine) as other:
                committed = row_counts(other)
            assert committed["dossier"] == 1 and committed["item"] == 2
            # An issued label: refused only when claimed, after persons and dossier were flushed.
            body = intake_body(sequence=2)
            body["legs"][1]["s10"] = s10(60_000_000)
            response = client.post("/api/v1/dossiers", json=body, headers=headers)
            assert (response.status_code, response.json()["error"]) == (409, "s10_reused")
            with Session(engine) as other:
                assert row_counts(other) == committed
    finally:
        engine.dispose()
