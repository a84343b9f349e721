"""The Twilio status webhook: signed reports update the message by sid, idempotently and
never backwards; forged ones get 403 in the error shape and change nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api_core.errors import install_error_handlers
from logistics.config import Settings
from logistics.models import Notification, ProviderStatusReport
from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.notify import delivery_status, sender, service
from logistics.notify.settings import NotifySettings
from logistics.notify.sms import STATUS_CALLBACK_PATH, ProviderReceipt
from support.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.logistics.notify.notify_factories import make_item, make_place
from web.routers import twilio_webhook
from support.sessions import savepoint, serve_from

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


def test_unknown_sid_is_acknowledged_and_kept(client, session):
    """A report that overtook our commit of the sid is acknowledged, not an error, and kept."""
    response = _post(client, _params("SM" + "f" * 32, "delivered"))
    assert response.status_code == 200 and response.json()["matched"] is False
    (kept,) = session.exec(select(ProviderStatusReport)).all()
    assert (kept.provider_sid, kept.provider_status) == ("SM" + "f" * 32, "delivered")


class CallsBackBeforeAnswering:
    """A provider whose delivery report reaches the webhook before the send returns,
    so before the worker can commit the sid: the race Twilio can win."""

    name = "twilio"

    def __init__(self, client: TestClient, statuses: tuple[str, ...]) -> None:
        self.client, self.statuses, self.sids = client, statuses, []

    def send(self, to_e164: str, body: str, *, status_callback: str | None = None) -> ProviderReceipt:
        sid = "SM" + uuid.uuid4().hex
        for status in self.statuses:
            answer = _post(self.client, _params(sid, status)).json()
            assert answer["matched"] is False
        self.sids.append(sid)
        return ProviderReceipt(sid=sid, status="queued")


def test_report_before_the_sid_is_kept_and_applied_once_known(client, session):
    """'sent' then 'delivered' arrive before the sid is committed: both are kept and,
    when the sender records the sid, applied in order; a late 'sent' changes nothing."""
    item = make_item(session, make_place(session))
    row = service.result_ready(session, item_id=item.id, now=datetime(2026, 11, 23, 5, tzinfo=UTC))  # noon: not held
    provider = CallsBackBeforeAnswering(client, ("sent", "delivered"))
    assert session.exec(select(ProviderStatusReport)).all() == []
    result = sender.deliver_batch([row.id], provider=provider, session_factory=lambda: savepoint(session),
                                  settings=NotifySettings(quiet_start="00:00", quiet_end="00:00"))
    assert result.outcomes["sent"] == 1, (result, row.status, row.to_e164, row.not_before)
    session.refresh(row)
    assert row.provider_sid == provider.sids[0] and row.status is N.DELIVERED
    assert session.exec(select(ProviderStatusReport)).all() == [], "applied reports are not kept"
    late = _post(client, _params(provider.sids[0], "sent")).json()
    assert late == {"matched": True, "changed": False, "status": "delivered"}


def test_report_crossing_the_sid_commit_is_applied_by_the_sweep(client, session, sent):
    """A report stored while the sid was being committed is applied by the next sweep;
    one whose sid never appears is forgotten after a week."""
    session.add(ProviderStatusReport(provider_sid=sent.provider_sid, provider_status="undelivered", error_code="30003"))
    session.add(ProviderStatusReport(provider_sid="SM" + "0" * 32, provider_status="delivered",
                                     received_at=datetime(2026, 1, 1, tzinfo=UTC)))
    session.flush()
    assert delivery_status.apply_early_reports(session) == 1
    session.refresh(sent)
    assert (sent.status, sent.error_code) == (N.UNDELIVERED, "30003")
    assert session.exec(select(ProviderStatusReport)).all() == []


def test_unknown_status_of_an_unknown_sid_is_not_kept(client, session):
    assert _post(client, _params("SM" + "e" * 32, "bogus")).json()["matched"] is False
    assert session.exec(select(ProviderStatusReport)).all() == []
