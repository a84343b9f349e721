"""GET /metrics and the access log: the counters move after real requests, scans and
SMS; series are labelled by route template; the endpoint hides from the API docs and
answers only to its token when one is set; every access line names its request."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel import Session

from logistics.config import get_settings
from logistics.logs import configure_logging
from logistics.models import Notification
from logistics.models.enums import NotificationStatus, NotificationTrigger
from support.sessions import serve_from
from tests.logistics.tracking.scan_world import ScanWorld, build_scan_world
from tests.mobile_api.conftest import sign_in
from web.app import create_app


@pytest.fixture()
def sw(session: Session) -> ScanWorld:
    return build_scan_world(session, proof_signature=False)


@pytest.fixture()
def app(session: Session) -> FastAPI:
    return serve_from(create_app(), session)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def sample(client: TestClient, name: str, **labels: str) -> float:
    """The value of one series of GET /metrics (0 when it does not exist yet)."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_requests_counted_by_route_template(client, sw):
    headers = {"Authorization": f"Bearer {sw.world.tokens['admin']}"}
    series = {"method": "GET", "route": "/api/v1/items/{s10}"}
    before = sample(client, "logistics_http_requests_total", status="200", **series)
    missing = sample(client, "logistics_http_requests_total", status="404", **series)
    timed = sample(client, "logistics_http_request_duration_seconds_count", **series)
    for item in sw.items:
        assert client.get(f"/api/v1/items/{item.s10}", headers=headers).status_code == 200
    assert client.get("/api/v1/items/EB999999995VN", headers=headers).status_code == 404
    assert sample(client, "logistics_http_requests_total", status="200", **series) == before + len(sw.items)
    assert sample(client, "logistics_http_requests_total", status="404", **series) == missing + 1
    assert sample(client, "logistics_http_request_duration_seconds_count", **series) == timed + len(sw.items) + 1
    text = client.get("/metrics").text
    assert sw.items[0].s10 not in text  # raw paths never become labels
    unmatched = sample(client, "logistics_http_requests_total", route="<unmatched>", status="404")
    client.get("/no/such/page")
    assert sample(client, "logistics_http_requests_total", route="<unmatched>", status="404") == unmatched + 1


def test_scans_counted_by_outcome(client, sw):
    headers = sign_in(client)
    event = {"client_event_id": str(uuid.uuid4()), "s10": sw.items[0].s10, "code": "out_for_delivery",
             "device_time": "2026-11-20T08:05:00+07:00", "lat": 13.79, "lon": 109.17, "accuracy_m": 8.0}
    unknown = {**event, "client_event_id": str(uuid.uuid4()), "s10": "EB999999995VN"}
    before = {o: sample(client, "logistics_scans_ingested_total", outcome=o) for o in ("applied", "rejected", "duplicate")}
    assert client.post("/mobile/v1/scans", headers=headers, json={"events": [event, unknown]}).status_code == 200
    assert client.post("/mobile/v1/scans", headers=headers, json={"events": [event]}).status_code == 200
    after = {o: sample(client, "logistics_scans_ingested_total", outcome=o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {"applied": 1, "rejected": 1, "duplicate": 1}


def test_outbox_backlog_read_at_scrape(client, session, sw):
    before = sample(client, "logistics_outbox_backlog", status="pending")
    for n in range(3):
        session.add(Notification(item_id=sw.items[0].id, trigger=NotificationTrigger.DELIVERED, attempt=n + 1,
                                 body="x", to_e164="+84912345678", status=NotificationStatus.PENDING))
    session.flush()
    assert sample(client, "logistics_outbox_backlog", status="pending") == before + 3
    assert sample(client, "logistics_outbox_backlog", status="held") >= 0


def test_metrics_not_in_the_api_docs(client):
    assert not any(path.startswith("/metrics") for path in client.get("/openapi.json").json()["paths"])


def test_metrics_token(app, client):
    app.state.settings = get_settings().model_copy(update={"metrics_token": SecretStr("scrape-" + "m" * 30)})
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_metrics_token")
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-" + "m" * 30})
    assert ok.status_code == 200 and "logistics_http_requests_total" in ok.text


def test_access_line_names_the_request(client, sw):
    out = io.StringIO()
    handler = configure_logging(get_settings().model_copy(update={"log_format": "json"}), stream=out)
    root_level = logging.getLogger().level
    try:
        response = client.get(f"/api/v1/items/{sw.items[0].s10}", headers={"X-Request-ID": "trace-77", **sign_in(client)})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    (access,) = [line for line in lines if line["logger"] == "logistics.access" and line["route"] == "/api/v1/items/{s10}"]
    assert access["request_id"] == "trace-77" == response.headers["X-Request-ID"]
    assert access["status"] == response.status_code and access["method"] == "GET" and access["duration_ms"] >= 0
    assert all(line["request_id"] != "-" for line in lines if line["logger"] == "logistics.access")


def test_access_line_still_masked():
    """The access line is masked by its writer, once per value, not by the log filter:
    a route template that would be masked (none of ours would) still is."""
    from api_core.observability import RequestObservationMiddleware

    app = FastAPI()
    app.add_middleware(RequestObservationMiddleware)

    @app.get("/call/0912345678")
    def call() -> dict:
        return {}

    out = io.StringIO()
    handler = configure_logging(get_settings().model_copy(update={"log_format": "json"}), stream=out)
    root_level = logging.getLogger().level
    try:
        with TestClient(app) as client:
            assert client.get("/call/0912345678").status_code == 200
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
    (access,) = [json.loads(line) for line in out.getvalue().splitlines() if '"logistics.access"' in line]
    assert access["route"] == "/call/***678" and "0912345678" not in out.getvalue()


def test_no_phone_number_as_request_id(client):
    """A phone number is a sane id, but every log line of its request would carry it
    unmasked: it is replaced by a made-up one, on the response and in the access line."""
    out = io.StringIO()
    handler = configure_logging(get_settings().model_copy(update={"log_format": "json"}), stream=out)
    root_level = logging.getLogger().level
    try:
        response = client.get("/health", headers={"X-Request-ID": "0912345678"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
    assert response.status_code == 200 and response.headers["X-Request-ID"] != "0912345678"
    assert "0912345678" not in out.getvalue() and response.headers["X-Request-ID"] in out.getvalue()


def test_route_templates_are_indexed_at_start_up(app, client):
    """The index of route templates is built by the app's start-up, not by the first
    request (walking the nested routers takes a good part of a second)."""
    paths = app.state.route_paths
    assert "/t/{token}" in paths.values() and "/api/v1/items/{s10}" in paths.values()
    client.get("/health")
    assert app.state.route_paths is paths
