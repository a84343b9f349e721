"""Masking personal data and secrets out of text bound for logs.

Log lines end up in files, terminals, log shippers and bug reports: they may say that
something happened to item 42, never to whom (DOMAIN.md section 2). The code already
logs ids rather than people (``sms.redact``, ``errors``); this is the net under it,
applied to every record by ``logistics.logs``:

- phone numbers (``+84912345678``, ``0912 345 678``, ``84-912-345-678``) keep their
  last 3 digits: ``***678``;
- the value of a personal field (``full_name``, ``address``, ``recipient_name``...)
  written as ``key=value``, ``key: value`` or JSON is masked to ``***``;
- the value of a secret field (``password``, ``pin``, ``token``, ``otp_code``,
  ``auth_token``, ``Authorization``...) likewise, and ``Bearer <token>`` anywhere;
- the password in a URL (``postgresql://user:secret@host``), the token of a tracking
  link (``/t/<token>``), the statement parameters and key values databases quote
  back in their errors;
- any literal secret the caller names (the configured secret key, Twilio token...).

Nothing here can know that a bare "Nguyễn Văn An" in the middle of a sentence is a
name: names are masked where a key names them, and code must not log them otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

MASK: Final = "***"
_VISIBLE_PHONE_DIGITS: Final = 3

# Keys whose values are personal data or secrets, matched whole and case-insensitively
# (``x_pin`` and ``pin_code`` match too; ``pinned`` does not).
PERSONAL_KEYS: Final = (
    "full_name", "recipient_name", "applicant_name", "signer_name", "sender_name", "address",
    "phone", "phone_e164", "to_e164", "to", "id_last4", "id_number", "email", "body",
)
SECRET_KEYS: Final = (
    "password", "passwd", "pwd", "pin", "secret", "secret_key", "token", "access_token", "refresh_token",
    "auth_token", "api_key", "apikey", "authorization", "cookie", "set-cookie", "desk_session", "otp", "otp_code",
    "code_plain", "signature", "x-twilio-signature", "csrf",
)
_KEY_ALTERNATIVES = "|".join(sorted({re.escape(k) for k in (*PERSONAL_KEYS, *SECRET_KEYS)}, key=len, reverse=True))
_KEY = rf"[A-Za-z0-9_\-]*?(?<![A-Za-z0-9])(?:{_KEY_ALTERNATIVES})(?:_[A-Za-z0-9_]+)?"

# key = 'value' / key: "value" / "key": "value" / key=value (up to a separator).
_QUOTED_PAIR: Final = re.compile(
    rf"""(?P<key>["']?(?<![A-Za-z0-9_\-]){_KEY}["']?\s*[:=]\s*)(?P<q>["'])(?P<value>(?:\\.|(?!(?P=q)).)*)(?P=q)""",
    re.IGNORECASE,
)
_BARE_PAIR: Final = re.compile(
    rf"""(?P<key>(?<![A-Za-z0-9_\-"']){_KEY}\s*[:=]\s*)(?P<value>(?!["'\s\[{{(])[^\s,;&)\]}}]+)""",
    re.IGNORECASE,
)
_BEARER: Final = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=\-]{6,}", re.IGNORECASE)
_URL_PASSWORD: Final = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)(?=@)", re.IGNORECASE)
# What databases quote back: SQLAlchemy's "[parameters: (...)]" (hidden at the source
# by the engines' hide_parameters) and PostgreSQL's "Key (phone)=(+84...)".
_SQL_PARAMETERS: Final = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)
_PG_KEY_DETAIL: Final = re.compile(r"(?P<head>Key \([^)]*\)=\()(?P<value>.*?)(?=\)(?: already exists| is not present|\.|$))")
_TRACKING_PATH: Final = re.compile(r"(?P<head>/t/)(?P<token>[A-Za-z0-9_\-]{8,})")
# A phone: +84, 84 or the 0 trunk prefix, then 8 to 11 digits possibly grouped by
# spaces, dots or dashes (not right after the prefix: "0.123456789" is a number), not
# glued to other letters or digits (S10 codes, uuids, ids); or any other E.164 number.
_PHONE: Final = re.compile(
    r"(?<![\w+])(?<!\d\.)(?:\+\s?84|\(\+84\)\s?|84|0)\d{2,3}(?:[\s.\-]?\d){6,8}(?!\w|\.\d)"
    r"|(?<![\w+])(?<!\d\.)\+[1-9](?:[\s.\-]?\d){7,13}(?!\w|\.\d)"
)


def mask_phone_text(phone: str) -> str:
    """``0912 345 678`` -> ``***678``: the last digits a person recognises, nothing more."""
    digits = re.sub(r"\D", "", phone)
    return MASK + digits[-_VISIBLE_PHONE_DIGITS:]


def _mask_pair(match: re.Match[str]) -> str:
    quote = match.groupdict().get("q") or ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


class Redactor:
    """Masks text and structured values; ``secrets`` are literal values always masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Short literals would mask half of every line ("dev"): only real secrets count.
        literal = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)
        self._secrets = re.compile("|".join(re.escape(s) for s in literal)) if literal else None

    def text(self, text: str) -> str:
        # Each pattern runs only when the text has what any match of it must contain (a
        # substring test is ~50 times cheaper than the key = value patterns): every log
        # line goes through here, the access line of every request included.
        if not text:
            return text
        if self._secrets is not None:
            text = self._secrets.sub(MASK, text)
        lowered = text.lower()
        if "bearer" in lowered or "basic" in lowered or "token" in lowered:
            text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        if "://" in text:
            text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
        if "/t/" in text:
            text = _TRACKING_PATH.sub(lambda m: m.group("head") + MASK, text)
        if "[parameters: " in text:
            text = _SQL_PARAMETERS.sub(f"[parameters: {MASK}]", text)
        if "Key (" in text:
            text = _PG_KEY_DETAIL.sub(lambda m: m.group("head") + MASK, text)
        text = _PHONE.sub(lambda m: mask_phone_text(m.group(0)), text)
        if ":" in text or "=" in text:
            text = _QUOTED_PAIR.sub(_mask_pair, text)
            text = _BARE_PAIR.sub(_mask_pair, text)
        return text

    def value(self, value: Any, key: str | None = None) -> Any:
        """A copy of ``value`` (str, number, list, mapping...) safe to log under ``key``."""
        if key is not None and is_sensitive_key(key) and value not in (None, "", [], {}):
            return MASK
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.value(v) for v in value]
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        return self.text(str(value))


_SENSITIVE_KEY: Final = re.compile(rf"^{_KEY}$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_sensitive_key(key: str) -> bool:
    """Whether a field called ``key`` holds personal data or a secret.

    Remembered: every log record asks it of each of its extra fields (the access line
    of every request: four), and field names are few; the pattern costs ~4 us."""
    return bool(_SENSITIVE_KEY.match(key))
