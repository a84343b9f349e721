"""Every failure of the API has one shape: {"error": code, "detail": sentence}."""

from __future__ import annotations

from logistics.models.enums import Role
from tests.web.factories import intake_body


def _assert_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"error", "detail", "fields"}
    return body


def test_unknown_route_is_404_not_found(client):
    """An address with no route answers 404 not_found."""
    _assert_shape(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    """A known address with the wrong method answers 405 and says which methods are allowed."""
    response = client.delete("/health")
    _assert_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_junk_json_is_422_invalid_json(client, world):
    """A body that is not JSON answers 422 invalid_json."""
    response = client.post(
        "/api/v1/dossiers",
        content=b"{not json",
        headers={**world.headers(world.admin), "Content-Type": "application/json"},
    )
    _assert_shape(response, 422, "invalid_json")


def test_missing_field_is_422_validation_error_with_fields(client, world):
    """A body missing required fields answers 422 validation_error listing each field."""
    response = client.post("/api/v1/dossiers", json={}, headers=world.headers(world.admin))
    body = _assert_shape(response, 422, "validation_error")
    assert {"loc": ["body", "dossier_code"], "code": "missing", "message": "Field required"} in body["fields"]


def test_no_token_is_401_missing_token_with_challenge(client):
    """A protected route without a token answers 401 missing_token and WWW-Authenticate."""
    response = client.get("/api/v1/me")
    _assert_shape(response, 401, "missing_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_bad_token_is_401_invalid_token(client, world):
    """An unknown token answers 401 invalid_token."""
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    _assert_shape(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_wrong_role_is_403_forbidden(client, world):
    """A signed-in user without the needed role answers 403 forbidden."""
    response = client.post("/api/v1/dossiers", json=intake_body(), headers=world.headers(world.a.users[Role.POSTMAN]))
    _assert_shape(response, 403, "forbidden")


def test_unknown_dossier_is_404_in_the_shape(client, world):
    """A domain NotFound answers 404 with its own code."""
    response = client.get("/api/v1/dossiers/000.00.22.H21-261120-9999", headers=world.headers(world.admin))
    _assert_shape(response, 404, "dossier_not_found")


def test_every_response_carries_a_request_id(client):
    """Responses echo a sane X-Request-ID and make one up otherwise."""
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    made_up = client.get("/nope", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert made_up and " " not in made_up
