"""How a webhook body is signed, and how a receiver checks it.

Every POST carries::

    X-BCCI-Event: item.status_changed
    X-BCCI-Delivery: <delivery id>          (the same on every retry: deduplicate on it)
    X-BCCI-Timestamp: <unix seconds when this attempt was sent>
    X-BCCI-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>

The receiver recomputes the HMAC over the timestamp, a dot and the raw body exactly as
received, compares in constant time, and refuses a timestamp more than
``TOLERANCE_S`` away from its clock (a replayed request). The secret is the one shown
when the endpoint was registered. :func:`verify` is that check, for receivers in Python
and for the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from typing import Final

EVENT_HEADER: Final = "X-BCCI-Event"
DELIVERY_HEADER: Final = "X-BCCI-Delivery"
TIMESTAMP_HEADER: Final = "X-BCCI-Timestamp"
SIGNATURE_HEADER: Final = "X-BCCI-Signature"
SCHEME: Final = "v1"
TOLERANCE_S: Final = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={mac}"


def headers(*, secret: str, body: bytes, event: str, delivery_id: int, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(secret: str, received: Mapping[str, str], body: bytes, *, now: float | None = None) -> bool:
    """Whether ``body`` with ``received`` headers was signed with ``secret`` recently."""
    lowered = {k.lower(): v for k, v in received.items()}
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        return False
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    return hmac.compare_digest(given, signature(secret, timestamp, body))
