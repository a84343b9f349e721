"""The catalogue: any signed-in user reads units, offices, counters, agencies, procedures."""

from __future__ import annotations

from logistics.models.enums import Role


def test_catalogue_lists(client, world):
    """Each catalogue list answers a page with the rows of the test province."""
    headers = world.headers(world.a.users[Role.POSTMAN])
    expectations = {
        "/api/v1/post-offices?province=52": {"PO-A", "PO-B"},
        "/api/v1/counters?province=52": {"CT-A", "CT-B"},
        "/api/v1/counters?commune=21583": {"CT-B"},
        "/api/v1/agencies": {"000.00.22.H21", "000.00.23.H21"},
        "/api/v1/procedures": {"1.001234", "1.009999"},
        "/api/v1/admin-units?level=commune&province=52": {"21553", "21583"},
        "/api/v1/admin-units?level=province": {"52"},
    }
    for path, codes in expectations.items():
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        assert {row["code"] for row in response.json()["items"]} >= codes, path


def test_admin_units_before_the_reform_are_not_listed(client, world):
    """Units are listed as in force on a day: none of ours existed before 2025-07-01."""
    response = client.get("/api/v1/admin-units?on=2025-06-30&province=52", headers=world.headers(world.admin))
    assert response.json()["total"] == 0


def test_catalogue_needs_a_token(client):
    """The catalogue is for signed-in users only."""
    assert client.get("/api/v1/procedures").status_code == 401


def test_me_never_shows_the_secret_hash(client, world):
    """GET /me returns the user without their secret hash."""
    response = client.get("/api/v1/me", headers=world.headers(world.admin))
    assert response.json()["username"] == "admin"
    assert "secret_hash" not in response.json()


def test_openapi_documents_the_error_shape(client):
    """The OpenAPI document lists ErrorBody for the error responses of the routes."""
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "bcci-logistics"
    post = spec["paths"]["/api/v1/dossiers"]["post"]["responses"]
    assert post["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert client.get("/docs").status_code == 200
