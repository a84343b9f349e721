"""The Twilio provider through the real SDK against the loopback fake: the request Twilio
sees, transient errors retried, permanent errors recorded once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from logistics.config import Settings
from logistics.models.enums import NotificationStatus
from logistics.notify import sender, service, sms
from logistics.notify.settings import NotifySettings
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.logistics.notify.notify_factories import PHONE, make_item

N = NotificationStatus


@pytest.fixture()
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture()
def twilio(fake: FakeTwilio) -> sms.SmsProvider:
    settings = Settings(sms_backend="twilio", sms_sender="BUUDIEN", twilio_account_sid=ACCOUNT_SID,
                        twilio_auth_token=AUTH_TOKEN, twilio_base_url=fake.url, public_base_url="https://bcci.example.vn")
    sms.reset_providers()
    yield sms.get_provider(settings)
    sms.reset_providers()


def test_twilio_request_shape(fake, twilio):
    """The SDK posts To, the alphanumeric From, Body and StatusCallback with basic auth."""
    receipt = twilio.send(PHONE, "Xin chao", status_callback="https://bcci.example.vn/webhooks/twilio/status")
    (request,) = fake.requests
    assert receipt.sid == request.sid and receipt.sid.startswith("SM") and receipt.status == "queued"
    assert (request.to, request.sender, request.body) == (PHONE, "BUUDIEN", "Xin chao")
    assert request.status_callback == "https://bcci.example.vn/webhooks/twilio/status"
    assert request.authorization.startswith("Basic ")


@pytest.mark.parametrize(("status", "code", "error"), [
    (429, 20429, sms.SmsTransientError),
    (500, 20500, sms.SmsTransientError),
    (503, 20503, sms.SmsTransientError),
    (400, 21211, sms.SmsPermanentError),
    (400, 21610, sms.SmsPermanentError),
    (400, 21614, sms.SmsPermanentError),
    (400, 21408, sms.SmsPermanentError),
])
def test_errors_are_classified(fake, twilio, status, code, error):
    fake.fail(PHONE, status=status, code=code)
    with pytest.raises(error) as raised:
        twilio.send(PHONE, "x")
    assert raised.value.code == str(code)


def test_network_error_is_transient():
    """A server that does not answer is a transient error (the SDK's timeout)."""
    dead = sms.TwilioProvider(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender="BUUDIEN",
                              base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(sms.SmsTransientError):
        dead.send(PHONE, "x")


def test_transient_error_retried_until_sent(session: Session, place, fake, twilio, nested):
    """429 twice: the row goes back to pending with the error and is sent on the third try."""
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    fake.fail(PHONE, status=429, code=20429, times=2)
    settings = NotifySettings(quiet_start="00:00", quiet_end="00:00")
    for _ in range(2):
        with pytest.raises(sms.SmsTransientError):
            sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings)
        session.refresh(row)
        assert row.status is N.PENDING and row.error_code == "20429"
    assert sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings) == "sent"
    session.refresh(row)
    assert (row.status, row.tries, row.error_code) == (N.SENT, 3, None)
    assert row.provider == "twilio" and row.provider_sid == fake.accepted()[0].sid
    assert [r.answered for r in fake.requests] == [429, 429, 201]


def test_transient_error_gives_up_after_max_tries(session, place, fake, twilio, nested):
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    fake.fail(PHONE, status=500, code=20500)
    settings = NotifySettings(quiet_start="00:00", quiet_end="00:00", max_tries=2)
    with pytest.raises(sms.SmsTransientError):
        sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings)
    assert sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings) == "failed"
    session.refresh(row)
    assert row.status is N.FAILED and len(fake.requests) == 2


def test_permanent_error_recorded_not_retried(session, place, fake, twilio, nested):
    """21211 (invalid To): the row is failed with the code; another task changes nothing."""
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    fake.fail(PHONE, status=400, code=21211)
    settings = NotifySettings(quiet_start="00:00", quiet_end="00:00")
    assert sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings) == "failed"
    assert sender.deliver(row.id, provider=twilio, session_factory=nested, settings=settings) == "skipped"
    session.refresh(row)
    assert (row.status, row.error_code) == (N.FAILED, "21211") and len(fake.requests) == 1
