"""SMS templates for citizens, in Vietnamese (default) and English.

Customer-care traffic from a registered brandname sender (DOMAIN.md §6): short, polite,
a link instead of "reply 1" (a brandname cannot receive replies). What a message may
carry (Decision 45/2016, DOMAIN.md §2): the item's S10 as reference, times, dates, the
post office's name, a tracking link. Never the dossier's contents, the procedure, a
name, an address or a phone number; :class:`MessageContext` has no field for them.

The templates are written with diacritics, so that they read right in review, and sent
without them (:func:`gsm.strip_diacritics`). Times are local (Asia/Ho_Chi_Minh) and
written the Vietnamese way: ``14:00-16:00 21/11``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from logistics.exceptions import InvalidInput
from logistics.models.enums import FailureAction, FailureReason, NotificationTrigger
from logistics.notify.gsm import SmsText, analyse, strip_diacritics
from logistics.notify.sealed import CODE_PLACEHOLDER
from logistics.workdays import LOCAL_TZ

T = NotificationTrigger
LANGUAGES: Final = ("vi", "en")

# key: trigger value, or "<trigger>.<variant>" for an alternative wording.
TEMPLATES: Final[dict[str, dict[str, str]]] = {
    "vi": {
        "pickup_booked": "Bưu điện sẽ đến nhận hồ sơ {ref} lúc {window}. Theo dõi, đổi lịch: {link}",
        "picked_up": "Bưu điện đã nhận hồ sơ {ref} của Quý khách lúc {time}. Theo dõi: {link}",
        "handed_to_agency": "Hồ sơ {ref} đã được chuyển đến cơ quan giải quyết, hẹn trả kết quả {date}. Theo dõi: {link}",
        "handed_to_agency.no_date": "Hồ sơ {ref} đã được chuyển đến cơ quan giải quyết. Theo dõi: {link}",
        "result_ready": "Đã có kết quả hồ sơ {ref}. Bưu điện sẽ phát tận nhà và nhắn lịch phát. Theo dõi: {link}",
        "result_ready.post_office": "Đã có kết quả hồ sơ {ref}. Mời Quý khách nhận tại {office}, mang theo CCCD. {link}",
        "result_ready.counter": "Đã có kết quả hồ sơ {ref}. Mời Quý khách nhận tại bộ phận một cửa, mang theo CCCD. {link}",
        "out_for_delivery": "Bưu tá đang phát {ref} đến Quý khách, dự kiến {window}. Vui lòng mang theo CCCD. {link}",
        "out_for_delivery.no_window": "Bưu tá đang phát {ref} đến Quý khách hôm nay. Vui lòng mang theo CCCD. {link}",
        "delivered": "Bưu điện đã phát thành công {ref} lúc {time}. Cảm ơn Quý khách!",
        "delivery_failed": "Bưu điện chưa phát được {ref} ({reason}). {next}. Đổi lịch: {link}",
        "deadline_at_risk": "Kết quả hồ sơ {ref} có thể trả chậm so với ngày hẹn {date}. Bưu điện sẽ nhắn khi có kết quả. {link}",
        "deadline_at_risk.no_date": "Kết quả hồ sơ {ref} có thể trả chậm so với ngày hẹn. Bưu điện sẽ nhắn khi có kết quả. {link}",
        "rescheduled": "Bưu điện đã ghi nhận lịch phát mới cho {ref}: {window}. Theo dõi: {link}",
        "rescheduled.hold": "Bưu điện sẽ giữ {ref} tại {office} để Quý khách đến nhận, mang theo CCCD. {link}",
        "delivery_otp": "Mã nhận {ref}: {code}. Chỉ đọc mã cho bưu tá khi Quý khách đã nhận được bưu gửi. Hiệu lực đến {time}.",
    },
    "en": {
        "pickup_booked": "The post office will collect your dossier {ref} at {window}. Track or change: {link}",
        "picked_up": "The post office collected your dossier {ref} at {time}. Track: {link}",
        "handed_to_agency": "Your dossier {ref} is with the agency; result due {date}. Track: {link}",
        "handed_to_agency.no_date": "Your dossier {ref} is with the agency. Track: {link}",
        "result_ready": "The result of your dossier {ref} is ready. We will deliver it and text you the time. {link}",
        "result_ready.post_office": "The result of your dossier {ref} is ready at {office}. Bring your ID. {link}",
        "result_ready.counter": "The result of your dossier {ref} is ready at the one-stop counter. Bring your ID. {link}",
        "out_for_delivery": "Your postman is bringing {ref}, expected {window}. Please have your ID ready. {link}",
        "out_for_delivery.no_window": "Your postman is bringing {ref} today. Please have your ID ready. {link}",
        "delivered": "{ref} was delivered at {time}. Thank you!",
        "delivery_failed": "We could not deliver {ref} ({reason}). {next}. Reschedule: {link}",
        "deadline_at_risk": "The result of {ref} may come later than {date}. We will text you when it is ready. {link}",
        "deadline_at_risk.no_date": "The result of {ref} may come later than promised. We will text you when it is ready. {link}",
        "rescheduled": "New delivery time for {ref}: {window}. Track: {link}",
        "rescheduled.hold": "We will keep {ref} at {office} for you to collect. Bring your ID. {link}",
        "delivery_otp": "Code to receive {ref}: {code}. Only tell it to the postman once you have the item. Valid until {time}.",
    },
}

REASONS: Final[dict[str, dict[FailureReason, str]]] = {
    "vi": {
        FailureReason.NOT_HOME: "không có người nhận",
        FailureReason.REFUSED: "người nhận từ chối",
        FailureReason.WRONG_ADDRESS: "địa chỉ chưa đúng",
        FailureReason.NO_ID_DOCUMENT: "thiếu giấy tờ tùy thân",
        FailureReason.ACCESS_RESTRICTED: "không vào được địa chỉ",
        FailureReason.RECIPIENT_DECEASED_OR_MOVED: "người nhận không còn ở địa chỉ",
        FailureReason.WEATHER: "thời tiết xấu",
        FailureReason.VEHICLE_BREAKDOWN: "sự cố phương tiện",
        FailureReason.OTHER: "lý do khác",
    },
    "en": {
        FailureReason.NOT_HOME: "nobody at home",
        FailureReason.REFUSED: "refused",
        FailureReason.WRONG_ADDRESS: "address not found",
        FailureReason.NO_ID_DOCUMENT: "no ID document",
        FailureReason.ACCESS_RESTRICTED: "no access to the address",
        FailureReason.RECIPIENT_DECEASED_OR_MOVED: "recipient no longer there",
        FailureReason.WEATHER: "bad weather",
        FailureReason.VEHICLE_BREAKDOWN: "vehicle breakdown",
        FailureReason.OTHER: "other reason",
    },
}

NEXT_STEPS: Final[dict[str, dict[FailureAction, str]]] = {
    "vi": {
        FailureAction.RETRY_NEXT_DAY: "Bưu tá sẽ phát lại vào ngày làm việc tiếp theo",
        FailureAction.RETRY_ON_DATE: "Bưu tá sẽ phát lại ngày {date}",
        FailureAction.HOLD_AT_POST_OFFICE: "Mời Quý khách nhận tại {office}",
        FailureAction.RETURN_TO_AGENCY: "Hồ sơ sẽ được chuyển trả cơ quan giải quyết",
    },
    "en": {
        FailureAction.RETRY_NEXT_DAY: "We will try again next working day",
        FailureAction.RETRY_ON_DATE: "We will try again on {date}",
        FailureAction.HOLD_AT_POST_OFFICE: "Please collect it at {office}",
        FailureAction.RETURN_TO_AGENCY: "It will go back to the agency",
    },
}

_OFFICE_FALLBACK: Final = {"vi": "bưu cục", "en": "the post office"}


@dataclass(frozen=True)
class MessageContext:
    """Everything a template may show; deliberately nothing personal."""

    ref: str  # the S10 or another short reference
    link: str | None = None
    at: datetime | None = None  # when it happened (picked up, delivered)
    window_start: datetime | None = None
    window_end: datetime | None = None
    due: date | None = None  # appointment date, retry date
    failure_reason: FailureReason | None = None
    failure_action: FailureAction | None = None
    office: str | None = None  # the post office's name
    variant: str | None = None  # "post_office", "counter", "hold"
    valid_until: datetime | None = None  # a delivery code's expiry


def format_time(at: datetime, tz: ZoneInfo = LOCAL_TZ) -> str:
    """``14:05 21/11`` in local time."""
    return at.astimezone(tz).strftime("%H:%M %d/%m")


def format_date(day: date) -> str:
    """``21/11/2026``: a date alone carries its year (appointments cross New Year)."""
    return day.strftime("%d/%m/%Y")


def format_window(start: datetime, end: datetime, tz: ZoneInfo = LOCAL_TZ) -> str:
    """``14:00-16:00 21/11``; a window across midnight names both days."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    if a.date() == b.date():
        return f"{a:%H:%M}-{b:%H:%M} {a:%d/%m}"
    return f"{a:%H:%M %d/%m}-{b:%H:%M %d/%m}"


def _template_key(trigger: NotificationTrigger, ctx: MessageContext) -> str:
    if trigger is T.HANDED_TO_AGENCY and ctx.due is None:
        return "handed_to_agency.no_date"
    if trigger is T.DEADLINE_AT_RISK and ctx.due is None:
        return "deadline_at_risk.no_date"
    if trigger is T.OUT_FOR_DELIVERY and ctx.window_start is None:
        return "out_for_delivery.no_window"
    if trigger in (T.RESULT_READY, T.RESCHEDULED) and ctx.variant:
        return f"{trigger.value}.{ctx.variant}"
    return trigger.value


def _fields(trigger: NotificationTrigger, language: str, ctx: MessageContext, tz: ZoneInfo) -> dict[str, str]:
    office = ctx.office or _OFFICE_FALLBACK[language]
    fields = {"ref": ctx.ref, "link": ctx.link or "", "office": office}
    if ctx.at is not None:
        fields["time"] = format_time(ctx.at, tz)
    if ctx.due is not None:
        fields["date"] = format_date(ctx.due)
    if ctx.window_start is not None and ctx.window_end is not None:
        fields["window"] = format_window(ctx.window_start, ctx.window_end, tz)
    if trigger is T.DELIVERY_OTP:
        # The code itself never reaches a template: the outbox fills it in when sending.
        fields["code"] = CODE_PLACEHOLDER
        if ctx.valid_until is not None:
            fields["time"] = format_time(ctx.valid_until, tz)
    if trigger is T.DELIVERY_FAILED:
        if ctx.failure_reason is None or ctx.failure_action is None:
            raise InvalidInput("A delivery-failed SMS needs the reason and the next action.", code="sms_context_missing")
        fields["reason"] = REASONS[language][ctx.failure_reason]
        step = NEXT_STEPS[language][ctx.failure_action]
        if ctx.failure_action is FailureAction.RETRY_ON_DATE and ctx.due is None:
            step = NEXT_STEPS[language][FailureAction.RETRY_NEXT_DAY]
        fields["next"] = step.format(date=fields.get("date", ""), office=office)
    return fields


def render(
    trigger: NotificationTrigger, *, language: str, ctx: MessageContext, tz: ZoneInfo = LOCAL_TZ
) -> SmsText:
    """The SMS for ``trigger`` in ``language`` ("vi" or "en"; anything else: "vi"),
    without diacritics, with its encoding and segment count.

    Raises ``InvalidInput(code="sms_context_missing")`` when the template needs a value
    that ``ctx`` lacks (a window, a time, a link).
    """
    language = language if language in LANGUAGES else "vi"
    template = TEMPLATES[language][_template_key(trigger, ctx)]
    fields = _fields(trigger, language, ctx, tz)
    try:
        text = template.format(**fields)
    except KeyError as missing:
        raise InvalidInput(
            f"The {trigger.value} SMS needs {missing.args[0]!r}, which was not given.", code="sms_context_missing"
        ) from None
    if "{link}" in template and not ctx.link:
        raise InvalidInput(f"The {trigger.value} SMS needs a tracking link.", code="sms_context_missing")
    return analyse(strip_diacritics(" ".join(text.split())))
