"""SMS templates: Vietnamese without diacritics, GSM-7 only, segments counted, nothing personal."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from logistics.models.enums import FailureAction, FailureReason, NotificationTrigger
from logistics.notify import gsm, messages
from logistics.notify.messages import MessageContext
from logistics.tracking import links

LINK = links.placeholder_url(base_url="https://bcci.vnpost.vn")
FULL_CTX = MessageContext(
    ref="RR473124829VN", link=LINK, at=datetime(2026, 11, 21, 7, 5, tzinfo=UTC),
    window_start=datetime(2026, 11, 21, 7, tzinfo=UTC), window_end=datetime(2026, 11, 21, 9, tzinfo=UTC),
    due=date(2026, 11, 25), failure_reason=FailureReason.NOT_HOME, failure_action=FailureAction.RETRY_ON_DATE,
    office="Bưu cục Phường Quy Nhơn Bắc – Đống Đa",
)


def _all_renderings():
    for language in messages.LANGUAGES:
        for trigger in NotificationTrigger:
            yield language, trigger, FULL_CTX
        for variant in ("post_office", "counter"):
            yield language, NotificationTrigger.RESULT_READY, MessageContext(ref="RR473124829VN", link=LINK, variant=variant)
        yield language, NotificationTrigger.RESCHEDULED, MessageContext(ref="RR473124829VN", link=LINK, variant="hold")
        yield language, NotificationTrigger.HANDED_TO_AGENCY, MessageContext(ref="RR473124829VN", link=LINK)
        yield language, NotificationTrigger.OUT_FOR_DELIVERY, MessageContext(ref="RR473124829VN", link=LINK)
        for reason in FailureReason:
            for action in FailureAction:
                yield language, NotificationTrigger.DELIVERY_FAILED, MessageContext(
                    ref="RR473124829VN", link=LINK, failure_reason=reason, failure_action=action, due=date(2026, 11, 24))


@pytest.mark.parametrize(("language", "trigger", "ctx"), list(_all_renderings()))
def test_every_template_is_gsm7_without_diacritics(language, trigger, ctx):
    """Every template, language and variant renders to GSM-7 text with no accent left,
    no full name, and a segment count of at most 2."""
    text = messages.render(trigger, language=language, ctx=ctx)
    assert text.encoding == "gsm7" and gsm.is_gsm7(text.body)
    assert all(not unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text.body))
    assert "đ" not in text.body.lower()
    assert "Nguyen" not in text.body and "Nhung" not in text.body
    assert text.segments == gsm.analyse(text.body).segments <= 2
    assert "{" not in text.body


def test_vietnamese_is_default_and_times_are_local():
    """Unknown languages fall back to Vietnamese; times are Asia/Ho_Chi_Minh, '14:00-16:00 21/11'."""
    text = messages.render(NotificationTrigger.OUT_FOR_DELIVERY, language="fr", ctx=FULL_CTX)
    assert text.body.startswith("Buu ta dang phat RR473124829VN")
    assert "14:00-16:00 21/11" in text.body


def test_failed_delivery_says_reason_next_step_and_link():
    text = messages.render(NotificationTrigger.DELIVERY_FAILED, language="vi", ctx=FULL_CTX)
    assert "khong co nguoi nhan" in text.body
    assert "phat lai ngay 25/11/2026" in text.body
    assert LINK in text.body


def test_missing_values_are_refused():
    """A template that needs a link or a reason does not go out without it."""
    with pytest.raises(Exception) as raised:
        messages.render(NotificationTrigger.PICKUP_BOOKED, language="vi", ctx=MessageContext(ref="RR473124829VN", link=LINK))
    assert getattr(raised.value, "code", "") == "sms_context_missing"
    with pytest.raises(Exception):
        messages.render(NotificationTrigger.DELIVERY_FAILED, language="vi", ctx=MessageContext(ref="X", link=LINK))


@pytest.mark.parametrize(("raw", "expected"), [
    ("Đường Nguyễn Huệ", "Duong Nguyen Hue"),
    ("Bưu điện đã phát thành công", "Buu dien da phat thanh cong"),
    ("ĐÃ NHẬN – “HỒ SƠ”…", "DA NHAN - \"HO SO\"..."),
    ("Quý khách ơi", "Quy khach oi"),
])
def test_strip_diacritics(raw, expected):
    assert gsm.strip_diacritics(raw) == expected
    assert gsm.is_gsm7(gsm.strip_diacritics(raw))


@pytest.mark.parametrize(("body", "encoding", "segments"), [
    ("a" * 160, "gsm7", 1),
    ("a" * 161, "gsm7", 2),
    ("a" * 306, "gsm7", 2),
    ("a" * 307, "gsm7", 3),
    ("{" * 80, "gsm7", 1),  # extension characters count double
    ("{" * 81, "gsm7", 2),
    ("a" * 152 + "€" + "a" * 153, "gsm7", 3),  # an escape pair does not straddle two parts
    ("ă" * 70, "ucs2", 1),
    ("ă" * 71, "ucs2", 2),
    ("ă" * 134, "ucs2", 2),
    ("ă" * 135, "ucs2", 3),
])
def test_segments(body, encoding, segments):
    assert (gsm.analyse(body).encoding, gsm.analyse(body).segments) == (encoding, segments)
