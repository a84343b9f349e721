"""SMS text without diacritics, its encoding and its segment count.

Vietnamese letters with diacritics are outside the GSM 03.38 alphabet, and one of them
turns the whole message into UCS-2: 70 characters a part instead of 160 (DOMAIN.md §6),
and some local gateways refuse Unicode outright. We therefore send Vietnamese without
diacritics: ``đ/Đ`` map to ``d/D`` (they are letters of their own, not a ``d`` with a
combining mark, so NFD leaves them alone) and every combining mark is dropped.

Segments: GSM-7 holds 160 septets in one part, 153 per part when concatenated (the
user-data header takes 7); the extension characters ``^{}\\[~]|€`` and form feed take two
septets and are never split across parts. UCS-2 holds 70 UTF-16 units, 67 per part.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

Encoding = Literal["gsm7", "ucs2"]

# GSM 03.38 basic character set (without the escape 0x1B).
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: Final = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Typographic characters that sneak in from names and addresses, and their GSM-7 twins.
_PUNCTUATION: Final = str.maketrans({
    "đ": "d", "Đ": "D",
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2026": "...", "\u00a0": " ", "\u00b7": ".", "\t": " ",
})


def strip_diacritics(text: str) -> str:
    """Vietnamese (or any Latin text) without diacritics: ``"Đã nhận"`` -> ``"Da nhan"``.

    Characters with no Latin base that survive this (CJK, emoji) are left as they are;
    :func:`analyse` then reports UCS-2 honestly rather than hiding them.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_PUNCTUATION))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _gsm7_segments(text: str) -> int:
    septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    if septets <= GSM7_SINGLE:
        return 1
    parts, used = 1, 0
    for ch in text:
        width = 2 if ch in GSM7_EXTENSION else 1
        if used + width > GSM7_PART:  # an escape pair never straddles two parts
            parts, used = parts + 1, 0
        used += width
    return parts


def _ucs2_segments(text: str) -> int:
    units = len(text.encode("utf-16-le")) // 2
    if units <= UCS2_SINGLE:
        return 1
    # A surrogate pair is not split either; close enough to count units per part.
    return math.ceil(units / UCS2_PART)


@dataclass(frozen=True)
class SmsText:
    body: str
    encoding: Encoding
    segments: int


def analyse(body: str) -> SmsText:
    """The encoding a phone network would use for ``body`` and how many parts it takes."""
    if is_gsm7(body):
        return SmsText(body, "gsm7", _gsm7_segments(body))
    return SmsText(body, "ucs2", _ucs2_segments(body))
