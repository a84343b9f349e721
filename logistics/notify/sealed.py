"""Values an outbox row must carry to the provider but may not keep in clear.

A delivery code is stored by the tracking domain only as a keyed hash; its SMS waits in
the outbox until a worker sends it, so the outbox needs the code itself. The body
keeps a placeholder of the same length (the segment count stays exact, and whoever
reads the table or the dispatcher's screen sees ``######``); the code travels beside
it in ``Notification.sealed``: AES-256-GCM under a key derived from ``SECRET_KEY``,
bound to the row's (item, trigger, attempt) so it cannot be moved to another row, and
erased once the message is sent or given up.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime
from functools import lru_cache
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from logistics.config import get_settings

CODE_PLACEHOLDER: Final = "#" * 6  # '#' is in GSM-7's basic set; codes are 6 digits
_VERSION: Final = "v1."
_NONCE_BYTES: Final = 12


class SealBroken(Exception):
    """The sealed value cannot be opened (another SECRET_KEY, another row, tampering)."""


class CodeExpired(Exception):
    """The code's validity ended before it could be sent: sending it would only confuse."""


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"bcci-logistics notify sealed v1").derive(
        secret.encode()
    )


def _cipher() -> AESGCM:
    return AESGCM(_key(get_settings().secret_key.get_secret_value()))


def row_context(item_id: int, trigger: str, attempt: int) -> bytes:
    """The associated data a sealed value is bound to: the outbox row's unique key."""
    return f"{item_id}:{trigger}:{attempt}".encode()


def seal(values: dict[str, str], *, context: bytes) -> str:
    """``values`` encrypted and authenticated for the row ``context`` names (< 255 chars for a code)."""
    nonce = os.urandom(_NONCE_BYTES)
    data = _cipher().encrypt(nonce, json.dumps(values, separators=(",", ":")).encode(), context)
    return _VERSION + base64.urlsafe_b64encode(nonce + data).decode("ascii")


def unseal(token: str, *, context: bytes) -> dict[str, str]:
    if not token.startswith(_VERSION):
        raise SealBroken("unknown sealed format")
    try:
        raw = base64.urlsafe_b64decode(token[len(_VERSION):])
        clear = _cipher().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
    except (InvalidTag, ValueError):
        raise SealBroken("the sealed value does not open with this key for this row") from None
    return json.loads(clear)


def seal_code(code: str, *, expires_at: datetime, context: bytes) -> str:
    return seal({"code": code, "expires_at": expires_at.isoformat()}, context=context)


def fill_code(body: str, token: str, *, context: bytes, now: datetime) -> str:
    """``body`` with its code placeholder replaced by the sealed code; ``CodeExpired``
    when the code is no longer valid, ``SealBroken`` when it cannot be read."""
    values = unseal(token, context=context)
    if datetime.fromisoformat(values["expires_at"]) <= now:
        raise CodeExpired(values["expires_at"])
    return body.replace(CODE_PLACEHOLDER, values["code"], 1)
