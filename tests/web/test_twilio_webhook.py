"""The Twilio status webhook: signed reports update the message by sid, idempotently and
never backwards; forged ones get 403 in the error shape and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api_core.errors import install_error_handlers
from logistics.config import Settings
from logistics.models import Notification
from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.notify.sms import STATUS_CALLBACK_PATH
from support.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.logistics.notify.notify_factories import make_item, make_place
from web.routers import twilio_webhook
from support.sessions import serve_from

N = NotificationStatus
PUBLIC = "https://bcci.example.vn"
URL = PUBLIC + STATUS_CALLBACK_PATH


@pytest.fixture()
def client(session: Session) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(twilio_webhook.router)
    app.state.settings = Settings(public_base_url=PUBLIC, twilio_auth_token=AUTH_TOKEN, sms_backend="twilio")

    serve_from(app, session)
    # The app sees http://testserver, as behind a TLS-terminating proxy.
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture()
def sent(session: Session) -> Notification:
    item = make_item(session, make_place(session))
    row = Notification(item_id=item.id, trigger=NotificationTrigger.DELIVERED, body="x", to_e164="+84912345678",
                       status=N.SENT, provider="twilio", provider_sid="SM" + "a" * 32,
                       sent_at=datetime(2026, 11, 23, 5, tzinfo=UTC))
    session.add(row)
    session.flush()
    return row


def _params(sid: str, status: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "MessageStatus": status,
            "SmsStatus": status, "To": "+84912345678", "From": "BUUDIEN", "ApiVersion": "2010-04-01", **extra}


def _post(client: TestClient, params: dict[str, str], *, signature: str | None = None):
    fake = FakeTwilio()
    headers = {"X-Twilio-Signature": signature if signature is not None else fake.sign(URL, params)}
    return client.post(STATUS_CALLBACK_PATH, data=params, headers=headers)


def test_signed_report_updates_by_sid(client, session, sent):
    """A signed 'delivered' against the public URL marks the message delivered."""
    response = _post(client, _params(sent.provider_sid, "delivered"))
    assert response.status_code == 200, response.text
    assert response.json() == {"matched": True, "changed": True, "status": "delivered"}
    session.refresh(sent)
    assert sent.status is N.DELIVERED


def test_late_sent_never_moves_back_and_replay_is_harmless(client, session, sent):
    assert _post(client, _params(sent.provider_sid, "delivered")).status_code == 200
    late = _post(client, _params(sent.provider_sid, "sent"))
    replay = _post(client, _params(sent.provider_sid, "delivered"))
    assert late.json()["changed"] is False and replay.json()["changed"] is False
    session.refresh(sent)
    assert sent.status is N.DELIVERED


def test_undelivered_records_the_error_code(client, session, sent):
    response = _post(client, _params(sent.provider_sid, "undelivered", ErrorCode="30003"))
    assert response.json()["status"] == "undelivered"
    session.refresh(sent)
    assert (sent.status, sent.error_code) == (N.UNDELIVERED, "30003")


@pytest.mark.parametrize("how", ["wrong_signature", "no_signature", "signed_for_another_url", "tampered"])
def test_forged_report_is_403_and_changes_nothing(client, session, sent, how):
    params = _params(sent.provider_sid, "delivered")
    fake = FakeTwilio()
    signature = {
        "wrong_signature": "bm90IGEgc2lnbmF0dXJl",
        "no_signature": "",
        "signed_for_another_url": fake.sign("http://testserver" + STATUS_CALLBACK_PATH, params),
        "tampered": fake.sign(URL, _params(sent.provider_sid, "failed")),
    }[how]
    response = _post(client, params, signature=signature)
    assert response.status_code == 403
    assert response.json() == {"error": "invalid_signature", "detail": response.json()["detail"]}
    session.refresh(sent)
    assert sent.status is N.SENT


def test_unknown_sid_is_acknowledged(client):
    """A report that overtook our commit of the sid is acknowledged, not an error."""
    response = _post(client, _params("SM" + "f" * 32, "delivered"))
    assert response.status_code == 200 and response.json()["matched"] is False
