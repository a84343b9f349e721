"""The SMS carrying a one-time delivery code (``tracking.otp`` issues the code).

The postman is at the door: the message is never held for quiet hours nor behind the
phone's allowance for status messages (``outbox.URGENT``). Delivery codes have an
allowance of their own per phone (``max_codes_per_phone_per_hour``): beyond it the
request is refused with 409 and nothing is issued, since a code that arrives an hour
later is useless. The tracking domain limits requests per item (one a minute, five a
day). A code that expires before a worker can send it (transient provider errors) is
given up (``otp_expired``) rather than sent dead.

The code never rests in clear: the body keeps a placeholder and the code is sealed
beside it (``notify.sealed``) until the moment of sending. Each request is its own
outbox row: the attempt is the code's rank among the item's codes.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from logistics.exceptions import Conflict, InvalidInput
from logistics.models import DeliveryOtp, Item, Notification
from logistics.models.enums import NotificationTrigger
from logistics.models.types import utcnow
from logistics.notify import messages, outbox, sealed, service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.phones import normalise_vn_mobile
from logistics.tracking.otp import DeliveryOtpRequested

T = NotificationTrigger


def _attempt(session: Session, event: DeliveryOtpRequested) -> int:
    count = session.exec(
        select(sa.func.count()).select_from(DeliveryOtp).where(
            DeliveryOtp.item_id == event.item_id, DeliveryOtp.id <= event.otp_id
        )
    ).one()
    return max(1, int(count))


def queue_code(
    session: Session, event: DeliveryOtpRequested, *, now: datetime | None = None, settings: NotifySettings | None = None
) -> Notification:
    """Write the code's SMS to the outbox in the request's transaction; Conflict (409)
    when it cannot reach the recipient, so that no code is issued in vain."""
    now = now or utcnow()
    settings = settings or get_notify_settings()
    item = session.get(Item, event.item_id)
    person = service.recipient_for(session, item) if item is not None else None
    if item is None or person is None:
        raise Conflict("This item has no recipient to send a delivery code to.", code="otp_no_recipient")
    try:
        phone = normalise_vn_mobile(person.phone_e164)
    except InvalidInput:
        raise Conflict("The recipient's phone number cannot receive SMS; use another proof of delivery.",
                       code="otp_phone_invalid") from None
    if outbox.urgent_allowance_left(session, phone=phone, now=now, settings=settings) <= 0:
        raise Conflict("This phone has received too many delivery codes in the last hour; use another proof.",
                       code="otp_sms_rate_limited")
    attempt = _attempt(session, event)
    language = person.language or "vi"
    text = messages.render(T.DELIVERY_OTP, language=language,
                           ctx=messages.MessageContext(ref=item.s10, valid_until=event.expires_at))
    token = sealed.seal_code(event.code, expires_at=event.expires_at,
                             context=sealed.row_context(item.id, T.DELIVERY_OTP, attempt))  # type: ignore[arg-type]
    return outbox.queue_sms(session, item_id=item.id, trigger=T.DELIVERY_OTP, phone=phone, language=language,  # type: ignore[arg-type]
                            text=text, attempt=attempt, now=now, settings=settings, sealed=token)
