"""The three ways a receiving clerk confirms a record.

- **One-time code**: the postman's phone shows a 6-digit code (``issue_code``); the clerk
  types it (``confirm_with_code``). Only a keyed hash is stored; it lives 10 minutes,
  dies after 5 wrong tries, and any change to the list of items kills it.
- **QR**: the clerk's screen shows a QR code (``issue_qr_token``): a token signed with
  HMAC-SHA256 under ``settings.secret_key``, naming the record, the clerk, the fees the
  clerk counted and a digest of the lines as the clerk saw them, valid 5 minutes. The
  postman's phone scans it (``confirm_with_qr``): a changed list, another record or an
  old token is refused.
- **Signature**: the receiver signs on the phone's glass; the image is stored through
  ``tracking.proof_uploads`` (the file store) and cited by the record.

A wrong code is the one refusal that writes something (the attempt counter): callers
catch :class:`WrongCode` and answer without rolling back (see ``web.routers.handovers``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from logistics.config import get_settings
from logistics.exceptions import Conflict, InvalidInput
from logistics.handovers import places, records
from logistics.models import Handover, HandoverLine, ProofKind, User
from logistics.models.enums import ConfirmationMethod
from logistics.models.types import utcnow
from logistics.tracking import proof_uploads

OTP_TTL = timedelta(minutes=10)  # shown at the desk, typed within a minute or two [guess]
OTP_MAX_ATTEMPTS = 5  # 10^6 codes: 5 tries is a 5e-6 chance to guess
OTP_MAX_ISSUED = 10  # new codes per record: 50 tries at most in all
QR_TTL = timedelta(minutes=5)


class WrongCode(InvalidInput):
    """The typed code does not match; one attempt was counted (and must be kept)."""

    code = "wrong_code"


class CodeExpired(Conflict):
    code = "code_expired"


class TooManyAttempts(Conflict):
    code = "too_many_attempts"


def _key() -> bytes:
    return get_settings().secret_key.get_secret_value().encode()


def _otp_hash(handover: Handover, code: str) -> str:
    return hmac.new(_key(), f"handover-otp:{handover.id}:{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def issue_code(session: Session, *, actor: User, handover: Handover, now: datetime | None = None) -> IssuedCode:
    """A fresh code for the postman's phone; the previous one stops working."""
    now = now or utcnow()
    records.require_open(handover)
    places.require_postman_of(session, actor, handover)
    if not records.lines_of(session, handover):
        raise Conflict("Scan the items before showing the code.", code="handover_empty")
    if handover.otp_issued >= OTP_MAX_ISSUED:
        raise Conflict("Too many codes were issued for this record; use the QR code or a signature.",
                       code="otp_rate_limited")
    code = f"{secrets.randbelow(1_000_000):06d}"
    handover.otp_hash = _otp_hash(handover, code)
    handover.otp_expires_at = now + OTP_TTL
    handover.otp_attempts = 0
    handover.otp_issued += 1
    session.add(handover)
    session.flush()
    return IssuedCode(code=code, expires_at=handover.otp_expires_at)


def check_code(session: Session, *, handover: Handover, code: str, now: datetime) -> None:
    """Raise unless ``code`` is the live code of ``handover``; a wrong one counts an attempt."""
    if handover.otp_hash is None or handover.otp_expires_at is None:
        raise Conflict("No code is live for this record; ask the postman to show a new one.", code="no_code_issued")
    if handover.otp_attempts >= OTP_MAX_ATTEMPTS:
        raise TooManyAttempts("Too many wrong codes; ask the postman to show a new one.")
    if now > handover.otp_expires_at:
        raise CodeExpired("The code has expired; ask the postman to show a new one.")
    if not hmac.compare_digest(handover.otp_hash, _otp_hash(handover, "".join(code.split()))):
        handover.otp_attempts += 1
        session.add(handover)
        session.flush()
        left = OTP_MAX_ATTEMPTS - handover.otp_attempts
        raise WrongCode(f"The code does not match; {left} attempt{'s' if left != 1 else ''} left.", attempts_left=left)


def confirm_with_code(
    session: Session, *, actor: User, handover: Handover, code: str, fees_handed_vnd: int | None,
    fees_note: str | None = None, appointments: Mapping[str, date] | None = None, now: datetime | None = None,
) -> Handover:
    now = now or utcnow()
    records.require_open(handover)
    places.require_clerk_of(actor, handover)
    check_code(session, handover=handover, code=code, now=now)
    return records.confirm(session, handover=handover, method=ConfirmationMethod.OTP, confirmed_by=actor,
                           received_by_name=actor.full_name, fees_handed_vnd=fees_handed_vnd, fees_note=fees_note,
                           appointments=appointments, now=now)


# ------------------------------------------------------------------ QR


def lines_digest(lines: list[HandoverLine]) -> str:
    """What the clerk saw: each line's item, outcome, listed and received counts, in a stable order."""
    parts = sorted(
        f"{line.item_id}:{line.outcome.value}:{line.originals}:{line.copies}:{line.received_originals}:"
        f"{line.received_copies}" for line in lines
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: bytes) -> str:
    return _b64(hmac.new(_key(), b"handover-qr\x00" + payload, hashlib.sha256).digest())


def issue_qr_token(session: Session, *, actor: User, handover: Handover, fees_handed_vnd: int | None,
                   fees_note: str | None = None, now: datetime | None = None) -> tuple[str, datetime]:
    """A signed token for the clerk's screen; the postman's phone sends it back to confirm."""
    now = now or utcnow()
    records.require_open(handover)
    places.require_clerk_of(actor, handover)
    lines = records.lines_of(session, handover)
    if not lines:
        raise Conflict("The record has no items yet.", code="handover_empty")
    if fees_handed_vnd is not None and not 0 <= fees_handed_vnd <= 10_000_000_000:
        raise InvalidInput("The fees handed over must be between 0 and 10 billion đồng.", code="invalid_fees")
    expires = now + QR_TTL
    payload = json.dumps({"h": handover.id, "u": actor.id, "e": int(expires.timestamp()), "l": lines_digest(lines),
                          "f": fees_handed_vnd, "n": (fees_note or "")[:255]}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_sign(payload)}", expires


def confirm_with_qr(session: Session, *, actor: User, handover: Handover, token: str,
                    now: datetime | None = None) -> Handover:
    """The postman scanned the clerk's QR: check it, then confirm in the clerk's name."""
    now = now or utcnow()
    records.require_open(handover)
    places.require_postman_of(session, actor, handover)
    try:
        body, signature = token.strip().split(".")
        payload = _unb64(body)
        good = hmac.compare_digest(signature, _sign(payload))
        data = json.loads(payload) if good else {}
    except (ValueError, json.JSONDecodeError):
        good, data = False, {}
    if not good:
        raise InvalidInput("This QR code was not issued by the system.", code="invalid_qr_token")
    if data.get("h") != handover.id:
        raise InvalidInput("This QR code is for another record.", code="qr_for_another_record")
    if now.timestamp() > data.get("e", 0):
        raise CodeExpired("The QR code has expired; ask the clerk to show a new one.")
    if data.get("l") != lines_digest(records.lines_of(session, handover)):
        raise Conflict("The record changed after the QR code was shown; ask the clerk for a new one.", code="qr_stale")
    clerk = session.get(User, data.get("u"))
    if clerk is None or not clerk.active:
        raise InvalidInput("The clerk who showed this QR code cannot confirm.", code="invalid_qr_token")
    places.require_clerk_of(clerk, handover)  # still the clerk of that place
    return records.confirm(session, handover=handover, method=ConfirmationMethod.QR, confirmed_by=clerk,
                           received_by_name=clerk.full_name, fees_handed_vnd=data.get("f"),
                           fees_note=data.get("n") or None, now=now)


# ------------------------------------------------------------------ signature


def confirm_with_signature(
    session: Session, *, actor: User, device_id: str | None, handover: Handover, signer_name: str,
    content_type: str, data: bytes, fees_handed_vnd: int | None, fees_note: str | None = None,
    now: datetime | None = None,
) -> Handover:
    """The receiver signed on the postman's phone: the image is the proof."""
    now = now or utcnow()
    records.require_open(handover)
    places.require_postman_of(session, actor, handover)
    if not signer_name.strip():
        raise InvalidInput("Write the name of the person who signed.", code="signer_name_missing")
    proof = proof_uploads.store_proof(session, actor=actor, device_id=device_id, kind=ProofKind.SIGNATURE,
                                      content_type=content_type, data=data)
    return records.confirm(session, handover=handover, method=ConfirmationMethod.SIGNATURE, confirmed_by=None,
                           received_by_name=signer_name, fees_handed_vnd=fees_handed_vnd, fees_note=fees_note,
                           signature_ref=proof.ref, now=now)
