"""Phones sign in with a PIN; tokens are bound to the device and revocable at once."""

from __future__ import annotations

from logistics.accounts import tokens
from tests.mobile_api.conftest import sign_in
from tests.web.factories import PASSWORD


def test_sign_in_gives_device_bound_tokens(client, sw):
    """Username + PIN + device id give a pair of tokens naming the device."""
    response = client.post("/mobile/v1/auth/sign-in", json={"username": "postman_a", "pin": PASSWORD, "device_id": "phone-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["device_id"] == "phone-1" and body["user"]["role"] == "postman"
    assert "secret_hash" not in response.text


def test_wrong_pin_is_refused(client, sw):
    """A wrong PIN answers 401 invalid_credentials in the one error shape."""
    response = client.post("/mobile/v1/auth/sign-in", json={"username": "postman_a", "pin": "0000", "device_id": "phone-1"})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_credentials")


def test_sign_in_refuses_unknown_fields(client, sw):
    """The body is strict: an unknown field is a 422."""
    response = client.post("/mobile/v1/auth/sign-in",
                           json={"username": "postman_a", "pin": PASSWORD, "device_id": "phone-1", "admin": True})
    assert response.status_code == 422


def test_refresh_from_another_device_is_refused(client, sw):
    """A refresh token works only from the phone it was issued to."""
    body = client.post("/mobile/v1/auth/sign-in", json={"username": "postman_a", "pin": PASSWORD, "device_id": "phone-1"}).json()
    stolen = client.post("/mobile/v1/auth/refresh", json={"refresh_token": body["refresh_token"], "device_id": "phone-2"})
    assert (stolen.status_code, stolen.json()["error"]) == (401, "device_mismatch")
    ok = client.post("/mobile/v1/auth/refresh", json={"refresh_token": body["refresh_token"], "device_id": "phone-1"})
    assert ok.status_code == 200 and ok.json()["device_id"] == "phone-1"


def test_revoked_phone_is_cut_off_at_once(client, session, sw):
    """After its device's tokens are revoked (as POST /api/v1/auth/revoke does), the next request is 401."""
    headers = sign_in(client, device_id="lost-phone")
    assert client.get("/mobile/v1/route?date=2026-11-20", headers=headers).status_code == 200
    tokens.revoke_device(session, user_id=sw.postman_user.id, device_id="lost-phone")
    response = client.get("/mobile/v1/route?date=2026-11-20", headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")


def test_web_token_without_device_is_refused(client, sw):
    """A token issued without a device id does not open the mobile API."""
    headers = sw.world.headers(sw.postman_user)
    response = client.get("/mobile/v1/route?date=2026-11-20", headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "device_token_required")
