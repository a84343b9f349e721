"""An SMS through the real Twilio SDK against the loopback fake moves the sent and failed
counters, and the logs of the whole send (at DEBUG) hold no phone number, no name, no
message body or tracking token in it, and no Twilio credential."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlmodel import Session

from logistics.config import Settings
from logistics.logs import configure_logging
from logistics.models import Notification
from logistics.notify import sender, service, sms
from logistics.notify.settings import NotifySettings
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.logistics.notify.notify_factories import FULL_NAME, PHONE, make_item

SETTINGS = NotifySettings(quiet_start="00:00", quiet_end="00:00")


@pytest.fixture()
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture()
def twilio(fake: FakeTwilio) -> Iterator[sms.SmsProvider]:
    settings = Settings(sms_backend="twilio", twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN,
                        twilio_base_url=fake.url, public_base_url="https://bcci.example.vn")
    sms.reset_providers()
    yield sms.get_provider(settings)
    sms.reset_providers()


@pytest.fixture()
def logs() -> Iterator[io.StringIO]:
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    settings = Settings(log_format="json", log_level="DEBUG", twilio_auth_token=SecretStr(AUTH_TOKEN))
    handler = configure_logging(settings, stream=out)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _sms(session: Session, place) -> Notification:  # noqa: ANN001
    return service.result_ready(session, item_id=make_item(session, place).id)


def test_sent_and_failed_counted_and_nothing_personal_logged(session, place, fake, twilio, nested, logs):
    sent_before = _count("logistics_sms_sent_total", provider="twilio")
    transient_before = _count("logistics_sms_failed_total", provider="twilio", kind="transient")
    permanent_before = _count("logistics_sms_failed_total", provider="twilio", kind="permanent")

    row = _sms(session, place)
    fake.fail(PHONE, status=429, code=20429, times=1)
    with pytest.raises(sms.SmsTransientError):
        sender.deliver(row.id, provider=twilio, session_factory=nested, settings=SETTINGS)
    assert sender.deliver(row.id, provider=twilio, session_factory=nested, settings=SETTINGS) == "sent"
    refused = _sms(session, place)
    fake.fail(PHONE, status=400, code=21211)
    assert sender.deliver(refused.id, provider=twilio, session_factory=nested, settings=SETTINGS) == "failed"

    assert _count("logistics_sms_sent_total", provider="twilio") == sent_before + 1
    assert _count("logistics_sms_failed_total", provider="twilio", kind="transient") == transient_before + 1
    assert _count("logistics_sms_failed_total", provider="twilio", kind="permanent") == permanent_before + 1

    text = logs.getvalue()
    assert "SMS" in text  # the send was logged...
    body = fake.accepted()[0].body
    token = body.split("/t/")[1].split()[0].rstrip(".")
    for leak in (PHONE, PHONE[3:], FULL_NAME, body, token, AUTH_TOKEN):  # ...but not to whom, nor what
        assert leak not in text, leak
