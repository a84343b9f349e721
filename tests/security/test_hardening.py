"""The security checks of issue 8 that are not a matrix or a fuzzer: body limits on every
endpoint, tracking-token guessing, Twilio reports without a configured token, and no
secret or personal data in the logs of the requests that carry them.

Checked elsewhere, on both databases: forged and replayed Twilio reports
(``tests/web/test_twilio_webhook.py``), tracking lookups over the limit
(``tests/web/test_tracking_page.py``), the photo, signature and scan-batch limits
(``tests/mobile_api``), the append-only audit log (``tests/logistics/models/test_schema.py``).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import Session

from logistics.config import get_settings
from logistics.logs import configure_logging
from logistics.models import AuditLog, Dossier
from logistics.notify.sms import STATUS_CALLBACK_PATH
from logistics.tracking import links
from support.fake_twilio import FakeTwilio
from support.sessions import serve_from
from tests.web.factories import PASSWORD, World, build_world, intake_body
from web.app import create_app

LIMIT = 8 * 1024


@pytest.fixture()
def world(session: Session) -> World:
    return build_world(session)


def _app(session: Session, **overrides) -> FastAPI:  # noqa: ANN003
    return serve_from(create_app(get_settings().model_copy(update=overrides)), session)


@pytest.fixture()
def small(session: Session) -> Iterator[TestClient]:
    """The application with an 8 KiB ceiling on request bodies."""
    with TestClient(_app(session, max_request_body_bytes=LIMIT)) as client:
        yield client


def _rows(session: Session) -> tuple[int, int]:
    return (session.execute(select(func.count()).select_from(Dossier)).scalar_one(),
            session.execute(select(func.count()).select_from(AuditLog)).scalar_one())


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("post", "/api/v1/dossiers", "json"),
    ("post", "/api/v1/auth/token", "json"),
    ("post", STATUS_CALLBACK_PATH, "form"),
    ("post", "/desk/login", "form"),
    ("post", "/t/" + "A" * 22 + "/reschedule", "json"),
])
def test_every_body_has_a_ceiling(small, session, world, method, path, kind):
    """Over the ceiling: 413 in the error shape, declared or streamed, and nothing written."""
    before = _rows(session)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    if kind == "json":
        body = json.dumps({**intake_body(), "padding": "x" * LIMIT}).encode()
        headers["Content-Type"] = "application/json"
    else:
        body = ("Body=" + "x" * LIMIT).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    declared = small.request(method, path, content=body, headers=headers)
    assert (declared.status_code, declared.json()["error"]) == (413, "payload_too_large")
    streamed = small.request(method, path, content=iter([body[:4096], body[4096:]]), headers=headers)  # chunked
    assert (streamed.status_code, streamed.json()["error"]) == (413, "payload_too_large")
    assert _rows(session) == before


def test_a_body_under_the_ceiling_goes_through(small, session, world):
    response = small.post("/api/v1/dossiers", json=intake_body(), headers=world.headers(world.admin))
    assert response.status_code == 201, response.text


def test_tracking_tokens_cannot_be_guessed(session):
    """128 random bits per token, and one client's guesses run dry without touching another's."""
    assert links.TOKEN_LENGTH * 6 >= 128
    app = _app(session)
    app.state.tracking_limiter = links.LookupLimiter(rate_per_s=0.01, burst=5)
    guesser = TestClient(app, client=("203.0.113.7", 40000))
    codes = [guesser.get(f"/t/{'G' * 21}{c}.json").status_code for c in "ABCDEFGH"]
    assert codes[:5] == [404] * 5 and set(codes[5:]) == {429}
    refused = guesser.get(f"/t/{'H' * 22}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    neighbour = TestClient(app, client=("198.51.100.9", 40000))
    assert neighbour.get(f"/t/{'G' * 22}.json").status_code == 404


def test_twilio_reports_refused_without_a_configured_token(session):
    """With no TWILIO_AUTH_TOKEN nothing can sign a report: every one is refused."""
    app = _app(session, twilio_auth_token=SecretStr(""), public_base_url="https://bcci.example.vn")
    params = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered"}
    for key in ("", "guessed-token"):
        signature = FakeTwilio(auth_token=key).sign("https://bcci.example.vn" + STATUS_CALLBACK_PATH, params)
        with TestClient(app) as client:
            response = client.post(STATUS_CALLBACK_PATH, data=params, headers={"X-Twilio-Signature": signature})
        assert (response.status_code, response.json()["error"]) == (403, "invalid_signature")


@pytest.fixture()
def logs() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, through the production handler (JSON)."""
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(get_settings().model_copy(update={"log_format": "json", "log_level": "DEBUG"}), stream=out)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def test_requests_carrying_secrets_log_none(session, world, logs):
    """Sign-ins with a password and a PIN (right and wrong), an intake with a phone number
    (accepted and refused), a bearer token, a tracking token: none of it in any log line."""
    app = _app(session)
    phone, name = "0912 345 678", "Nguyễn Văn An"
    with TestClient(app) as client:
        ok = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong " + PASSWORD})
        client.post("/mobile/v1/auth/sign-in", json={"username": "postman_a", "pin": "493817", "device_id": "phone-1"})
        client.post("/mobile/v1/auth/sign-in", json={"username": "postman_a", "pin": PASSWORD, "device_id": "phone-1"})
        token = ok.json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        accepted = client.post("/api/v1/dossiers", json=intake_body(), headers=auth)
        refused = client.post("/api/v1/dossiers", json=intake_body(sequence=2, applicant={"phone": "x" + phone}),
                              headers=auth)
        client.get("/t/Secr3tTrackingToken123.json")
    assert accepted.status_code == 201 and refused.status_code == 422
    text = logs.getvalue()
    assert "logistics.access" in text and "/api/v1/auth/token" in text  # the requests were logged
    for leak in (PASSWORD, "493817", token, phone, phone.replace(" ", ""), "84912345678", name,
                 "Secr3tTrackingToken123", get_settings().secret_key.get_secret_value()):
        assert leak not in text, leak


@pytest.mark.parametrize("text", ["nul\u0000byte", "lone \udbce surrogate", "x" * 5000])
def test_text_the_database_cannot_hold_is_a_client_error(session, world, text):
    """Found by the fuzzer: such text reached PostgreSQL and came back as a 500."""
    json_headers = {"Content-Type": "application/json"}
    with TestClient(_app(session)) as client:  # json.dumps escapes a lone surrogate as \\udbce
        signin = client.post("/mobile/v1/auth/sign-in", headers=json_headers,
                             content=json.dumps({"username": text, "pin": text, "device_id": "phone-1"}))
        revoke = client.post("/api/v1/auth/revoke", headers={**json_headers, **world.headers(world.admin)},
                             content=json.dumps({"username": text}))
    assert signin.status_code in (401, 422) and revoke.status_code in (404, 422), (signin.text, revoke.text)


def test_offsets_beyond_any_table_are_refused(session, world):
    with TestClient(_app(session)) as client:
        response = client.get("/api/v1/post-offices", params={"offset": 10**22}, headers=world.headers(world.admin))
    assert (response.status_code, response.json()["error"]) == (422, "validation_error")
