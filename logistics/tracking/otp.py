"""One-time delivery codes: issued here, sent by SMS by the notify domain.

``request_otp`` stores a keyed hash of a fresh 6-digit code and publishes
``DeliveryOtpRequested`` carrying the code itself, so the SMS subscriber can send it
in the same transaction; the code is never stored nor logged. A scan of a delivery
that needs an OTP carries the code the recipient read out, checked with
``check_code`` against the item's unexpired codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from logistics.config import get_settings
from logistics.events import publish
from logistics.exceptions import Conflict
from logistics.models import DeliveryOtp, Item
from logistics.models.types import utcnow

OTP_TTL = timedelta(minutes=30)  # a recipient at the door reads it within minutes [guess]
OTP_MIN_INTERVAL = timedelta(seconds=60)  # one SMS a minute per item at most
OTP_MAX_PER_DAY = 5
OTP_MAX_ATTEMPTS = 5  # wrong codes before a code is dead (10^6 codes: 5 tries is 5e-6)


@dataclass(frozen=True)
class DeliveryOtpRequested:
    """A postman asked for a delivery code: notify sends ``code`` to the item's recipient."""

    item_id: int
    otp_id: int
    code: str
    expires_at: datetime


def _hash(item_id: int, code: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"{item_id}:{code}".encode(), hashlib.sha256).hexdigest()


def request_otp(session: Session, *, item: Item, requested_by_user_id: int | None, now: datetime | None = None) -> DeliveryOtp:
    """Issue a code for ``item`` and ask for its SMS; raises Conflict(otp_rate_limited)."""
    now = now or utcnow()
    recent = session.exec(
        select(func.count(), func.max(DeliveryOtp.created_at)).where(
            DeliveryOtp.item_id == item.id, DeliveryOtp.created_at > now - timedelta(days=1)
        )
    ).one()
    count, last = recent
    if count >= OTP_MAX_PER_DAY or (last is not None and now - last < OTP_MIN_INTERVAL):
        raise Conflict("A code was sent to this recipient moments ago; wait before asking again.", code="otp_rate_limited")
    code = f"{secrets.randbelow(1_000_000):06d}"
    otp = DeliveryOtp(
        item_id=item.id, code_hash=_hash(item.id, code), requested_by_user_id=requested_by_user_id,
        created_at=now, expires_at=now + OTP_TTL,
    )
    session.add(otp)
    session.flush()
    publish(session, DeliveryOtpRequested(item_id=item.id, otp_id=otp.id, code=code, expires_at=otp.expires_at))
    return otp


def check_code(session: Session, *, item_id: int, code: str, at: datetime, tolerance: timedelta = timedelta(0)) -> DeliveryOtp | None:
    """The item's code matching ``code`` that was valid at ``at`` (a scan's device time),
    marked verified; None (and one more attempt counted) otherwise."""
    candidates = session.exec(
        select(DeliveryOtp)
        .where(DeliveryOtp.item_id == item_id, DeliveryOtp.used_by_scan_event_id.is_(None))
        .order_by(DeliveryOtp.created_at.desc())
    ).all()
    wanted = _hash(item_id, code.strip())
    for otp in candidates:
        live = otp.created_at - tolerance <= at <= otp.expires_at + tolerance and otp.attempts < OTP_MAX_ATTEMPTS
        if live and hmac.compare_digest(otp.code_hash, wanted):
            otp.verified_at = otp.verified_at or utcnow()
            session.add(otp)
            return otp
    for otp in candidates:
        if otp.expires_at >= at:
            otp.attempts += 1
            session.add(otp)
            break
    return None
