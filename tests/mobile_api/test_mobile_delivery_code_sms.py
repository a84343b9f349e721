"""The delivery code's SMS end to end: the postman's OTP request -> an outbox row that
keeps no code in clear -> the real Twilio SDK -> the loopback Twilio-compatible server
receives the code, which then proves the delivery. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, func, select

from logistics.config import Settings, reset_settings_cache
from logistics.models import DeliveryOtp, Notification, Person
from logistics.models.enums import NotificationStatus, NotificationTrigger
from logistics.models.types import utcnow
from logistics.notify import outbox, sealed, sender, sms
from logistics.notify.settings import NotifySettings
from logistics.tracking import otp
from logistics.workdays import LOCAL_TZ
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from support.sessions import savepoint
from tests.mobile_api.conftest import sign_in

N = NotificationStatus
CODE_RE = re.compile(r"\b(\d{6})\b")


@pytest.fixture()
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


@pytest.fixture()
def twilio(fake: FakeTwilio) -> Iterator[sms.SmsProvider]:
    settings = Settings(sms_backend="twilio", sms_sender="BUUDIEN", twilio_account_sid=ACCOUNT_SID,
                        twilio_auth_token=AUTH_TOKEN, twilio_base_url=fake.url)
    sms.reset_providers()
    yield sms.get_provider(settings)
    sms.reset_providers()


@pytest.fixture()
def nested(session: Session):
    return lambda: savepoint(session)


def _quiet_now(**changes: object) -> NotifySettings:
    """Quiet hours around the present moment, whatever the wall clock says."""
    hour = datetime.now(LOCAL_TZ).hour
    return NotifySettings(quiet_start=time((hour - 1) % 24), quiet_end=time((hour + 2) % 24), **changes)


def _code_rows(session: Session, item_id: int) -> list[Notification]:
    return list(session.exec(select(Notification).where(
        Notification.item_id == item_id, Notification.trigger == NotificationTrigger.DELIVERY_OTP).order_by(Notification.id)))


def _scan(s10: str, code: str, at: datetime, **kw: object) -> dict[str, object]:
    return {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at.isoformat(),
            "accuracy_m": 8.0, **kw}


def test_code_reaches_the_recipient_and_proves_the_delivery(client, sw_today, session, fake, twilio, nested, caplog):
    """Sent at once in quiet hours and past the phone's status-SMS allowance; the row and
    the logs never hold the code; the code the server received verifies the delivery."""
    sw = sw_today
    sw.procedure.proof_otp = True
    session.add(sw.procedure)
    session.flush()
    headers = sign_in(client)
    item = sw.items[0]
    with caplog.at_level(logging.DEBUG):
        response = client.post("/mobile/v1/otp", headers=headers, json={"s10": item.s10})
        assert response.status_code == 202, response.text
        (row,) = _code_rows(session, item.id)
        assert row.status is N.PENDING and row.attempt == 1 and row.id in outbox.awaiting_dispatch(session)
        assert sealed.CODE_PLACEHOLDER in row.body and not CODE_RE.search(row.body) and row.sealed
        assert row.encoding == "gsm7" and row.segments == 1 and "Ma nhan" in row.body
        settings = _quiet_now(max_per_phone_per_hour=0)
        result = sender.deliver_batch([row.id], provider=twilio, session_factory=nested, settings=settings)
    assert result.outcomes["sent"] == 1
    (request,) = fake.accepted()
    assert request.to == "+84912345678" and request.sender == "BUUDIEN"
    code = CODE_RE.search(request.body).group(1)
    assert otp.check_code(session, item_id=item.id, code=code, at=utcnow()) is not None
    session.refresh(row)
    assert row.status is N.SENT and row.sealed is None and code not in row.body
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert code not in logged

    home = {"lat": item.destination_lat, "lon": item.destination_lon}
    now = datetime.now(UTC)
    client.post("/mobile/v1/scans", headers=headers, json={"events": [_scan(item.s10, "out_for_delivery", now - timedelta(minutes=2))]})
    done = client.post("/mobile/v1/scans", headers=headers, json={"events": [
        _scan(item.s10, "delivered", now, proof={"otp_code": code}, **home)]}).json()
    assert done["results"][0]["outcome"] == "applied"


def test_each_request_is_its_own_message(session, sw):
    """Two codes for one item (a minute apart) are two rows: attempts 1 and 2."""
    item = sw.items[0]
    otp.request_otp(session, item=item, requested_by_user_id=None, now=utcnow() - timedelta(minutes=3))
    otp.request_otp(session, item=item, requested_by_user_id=None, now=utcnow() - timedelta(minutes=1))
    assert [r.attempt for r in _code_rows(session, item.id)] == [1, 2]


def test_expired_code_is_given_up_not_sent(session, sw, fake, twilio, nested):
    """A code whose validity ended before a worker could send it is failed, not sent dead."""
    item = sw.items[0]
    issued = otp.request_otp(session, item=item, requested_by_user_id=None)
    (row,) = _code_rows(session, item.id)
    later = issued.expires_at + timedelta(minutes=1)
    result = sender.deliver_batch([row.id], provider=twilio, session_factory=nested,
                                  settings=NotifySettings(quiet_start=time(0), quiet_end=time(0)), now=lambda: later)
    assert result.outcomes["failed"] == 1 and fake.requests == []
    session.refresh(row)
    assert (row.status, row.error_code, row.sealed) == (N.FAILED, "otp_expired", None)


def test_codes_per_phone_are_limited_and_a_refusal_issues_nothing(client, sw_today, session, fake, twilio, nested, monkeypatch):
    """Over the phone's hourly allowance of codes the request is 409 and no code exists."""
    sw = sw_today
    monkeypatch.setenv("NOTIFY_MAX_CODES_PER_PHONE_PER_HOUR", "1")
    reset_settings_cache()
    headers = sign_in(client)
    first = client.post("/mobile/v1/otp", headers=headers, json={"s10": sw.items[0].s10})
    assert first.status_code == 202
    (row,) = _code_rows(session, sw.items[0].id)
    sender.deliver_batch([row.id], provider=twilio, session_factory=nested)
    codes = session.exec(select(func.count()).select_from(DeliveryOtp)).one()
    second = client.post("/mobile/v1/otp", headers=headers, json={"s10": sw.items[1].s10})
    assert (second.status_code, second.json()["error"]) == (409, "otp_sms_rate_limited")
    assert session.exec(select(func.count()).select_from(DeliveryOtp)).one() == codes
    assert _code_rows(session, sw.items[1].id) == []
    reset_settings_cache()


def test_unreachable_phone_is_409_and_issues_nothing(client, sw_today, session):
    sw = sw_today
    item = sw.items[0]
    person = session.get(Person, item.person_id)
    person.phone_e164 = "+842838221234"  # a landline: no SMS
    session.add(person)
    session.flush()
    response = client.post("/mobile/v1/otp", headers=sign_in(client), json={"s10": item.s10})
    assert (response.status_code, response.json()["error"]) == (409, "otp_phone_invalid")
    assert session.exec(select(func.count()).select_from(DeliveryOtp)).one() == 0


def test_sealed_code_opens_only_for_its_row():
    token = sealed.seal_code("123456", expires_at=utcnow() + timedelta(minutes=5), context=sealed.row_context(1, "delivery_otp", 1))
    assert "123456" not in token and len(token) < 255
    assert sealed.fill_code("Ma: ######", token, context=sealed.row_context(1, "delivery_otp", 1), now=utcnow()) == "Ma: 123456"
    with pytest.raises(sealed.SealBroken):
        sealed.unseal(token, context=sealed.row_context(2, "delivery_otp", 1))


def test_scan_batch_sms_carry_trackings_eta(client, sw_today, session):
    """A batch of out-for-delivery scans writes one SMS per item when the request's unit
    of work ends, a draft the sender renders (``scan_drafts``) with the window
    tracking.eta gives that item (the bulk lookup agrees with the one-item function)."""
    sw = sw_today
    from logistics.models.enums import ItemStatus
    from logistics.notify import messages, scan_drafts
    from logistics.tracking import eta

    now = datetime.now(UTC)
    headers = sign_in(client)
    batch = [_scan(item.s10, "out_for_delivery", now - timedelta(minutes=1)) for item in sw.items]
    answer = client.post("/mobile/v1/scans", headers=headers, json={"events": batch}).json()
    assert [r["outcome"] for r in answer["results"]] == ["applied"] * len(sw.items)
    for item in sw.items:
        session.refresh(item)
        assert item.status is ItemStatus.OUT_FOR_DELIVERY
        (row,) = session.exec(select(Notification).where(Notification.item_id == item.id)).all()
        assert row.body is None and row.to_e164 is None and row.scan_event_id is not None
        texts, failed = scan_drafts.render(session, [row], now=row.created_at)
        window = eta.eta_window(session, item_id=item.id, now=row.created_at)
        assert failed == [] and window is not None and messages.format_window(*window) in texts[row.id][1]
