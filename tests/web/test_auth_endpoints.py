"""Signing in, refreshing and revoking tokens over HTTP."""

from __future__ import annotations

from sqlmodel import select

from logistics.models import AuditLog
from logistics.models.enums import Role
from tests.web.factories import PASSWORD


def _sign_in(client, username, password=PASSWORD, device_id=None):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, "device_id": device_id})


def test_sign_in_returns_a_pair_and_the_user(client, world):
    """Good credentials give a bearer access token, a refresh token and the user, no hash."""
    response = _sign_in(client, "dispatcher_a")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["user"]["username"] == "dispatcher_a"
    assert body["user"]["role"] == "dispatcher"
    assert "secret_hash" not in response.text and "argon2" not in response.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["post_office_id"] == world.a.post_office.id


def test_wrong_password_and_unknown_user_answer_alike(client, world):
    """A wrong password and an unknown username both give 401 invalid_credentials."""
    for response in (_sign_in(client, "dispatcher_a", "wrong"), _sign_in(client, "nobody")):
        assert (response.status_code, response.json()["error"]) == (401, "invalid_credentials")


def test_refresh_gives_a_new_pair_and_retires_the_old_refresh_token(client, world):
    """A refresh token works once: it yields a new pair, then is refused."""
    first = _sign_in(client, "postman_a", device_id="phone-1").json()
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["access_token"] != first["access_token"]
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert (again.status_code, again.json()["error"]) == (401, "invalid_token")


def test_a_revoked_token_is_refused_on_the_next_request(client, world, session):
    """A dispatcher revokes a postman of their office; the postman's token fails at once."""
    postman = _sign_in(client, "postman_a", device_id="phone-1").json()
    headers = {"Authorization": f"Bearer {postman['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/auth/revoke",
        json={"username": "postman_a", "device_id": "phone-1"},
        headers=world.headers(world.a.users[Role.DISPATCHER]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["revoked"] == 2  # the access and the refresh token
    refused = client.get("/api/v1/me", headers=headers)
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_token")
    audit = session.exec(select(AuditLog).where(AuditLog.action == "auth.tokens_revoked")).one()
    assert audit.actor_user_id == world.a.users[Role.DISPATCHER].id
    assert audit.detail == {"device_id": "phone-1", "count": 2}


def test_revoking_one_device_leaves_the_others(client, world):
    """Revoking one device's tokens keeps the user's other devices signed in."""
    one = _sign_in(client, "postman_a", device_id="phone-1").json()
    two = _sign_in(client, "postman_a", device_id="phone-2").json()
    client.post(
        "/api/v1/auth/revoke", json={"username": "postman_a", "device_id": "phone-1"}, headers=world.headers(world.admin)
    )
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {one['access_token']}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {two['access_token']}"}).status_code == 200


def test_a_dispatcher_may_not_revoke_another_offices_staff(client, world):
    """A dispatcher of office B may not revoke a postman of office A (403)."""
    response = client.post(
        "/api/v1/auth/revoke", json={"username": "postman_a"}, headers=world.headers(world.b.users[Role.DISPATCHER])
    )
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")


def test_a_clerk_may_sign_themselves_out(client, world):
    """Anyone may revoke their own tokens (sign out everywhere)."""
    clerk = world.a.users[Role.AGENCY_CLERK]
    response = client.post("/api/v1/auth/revoke", json={"username": clerk.username}, headers=world.headers(clerk))
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=world.headers(clerk)).status_code == 401
