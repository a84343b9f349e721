"""UPU S10 item identifiers: the barcode on every envelope we carry.

An S10 identifier is 13 characters: a 2-letter service indicator, an 8-digit
serial, a check digit and the 2-letter ISO country code of the issuing post,
e.g. ``RR473124829VN`` (UPU standard S10). We issue ``VN`` identifiers but read
any country's. Vietnam Post also prints longer internal codes; those are kept
as opaque references (see :func:`is_opaque_reference`), never as S10.

An identifier must not be reused within 24 calendar months of its allocation
(:func:`reuse_allowed`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from logistics.exceptions import InvalidInput

__all__ = [
    "REUSE_QUARANTINE",
    "REUSE_QUARANTINE_MONTHS",
    "S10",
    "check_digit",
    "is_opaque_reference",
    "is_valid_s10",
    "make_s10",
    "normalise_s10",
    "parse_s10",
    "reuse_allowed",
]

# Weights of the UPU S10 check digit, applied to the 8 serial digits left to right.
_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)
_SERIAL_MAX: Final = 99_999_999

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_S10_RE: Final = re.compile(
    r"(?P<prefix>[A-Z]{2})(?P<serial>[0-9]{8})(?P<check>[0-9])(?P<country>[A-Z]{2})"
)
_PREFIX_RE: Final = re.compile(r"[A-Z]{2}")
# Opaque references start and end with a letter or digit so that stray dashes
# from a scanner or a copy-paste are not taken as part of a code.
_OPAQUE_RE: Final = re.compile(r"[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]")
_WHITESPACE_RE: Final = re.compile(r"\s+")

#: Never hand out an identifier again within this many calendar months of its
#: last allocation (UPU S10 rule, DOMAIN.md section 3).
REUSE_QUARANTINE_MONTHS: Final[int] = 24
#: Alias kept for readability at call sites: the quarantine, in calendar months.
REUSE_QUARANTINE: Final[int] = REUSE_QUARANTINE_MONTHS


@dataclass(frozen=True, slots=True)
class S10:
    """A parsed, valid S10 identifier."""

    prefix: str
    serial: int
    check: int
    country: str

    def __str__(self) -> str:
        return f"{self.prefix}{self.serial:08d}{self.check}{self.country}"


def normalise_s10(code: str) -> str:
    """Remove all whitespace and uppercase: ``"rr 473 124 829 vn"`` -> ``"RR473124829VN"``."""
    return _WHITESPACE_RE.sub("", code).upper()


def check_digit(serial: str | int) -> int:
    """The S10 check digit of an 8-digit serial (given as ``"47312482"`` or ``47312482``)."""
    digits = _serial_digits(serial)
    remainder = sum(w * int(d) for w, d in zip(_WEIGHTS, digits, strict=True)) % 11
    c = 11 - remainder
    if c == 10:
        return 0
    if c == 11:
        return 5
    return c


def make_s10(prefix: str, serial: int, country: str = "VN") -> str:
    """Build the identifier string for a service indicator, serial and country."""
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise InvalidInput(
            f"S10 service indicator {prefix!r}: expected 2 uppercase letters such as 'RR' or 'EB'",
            code="invalid_s10_format",
        )
    if not isinstance(country, str) or not _PREFIX_RE.fullmatch(country):
        raise InvalidInput(
            f"S10 country code {country!r}: expected 2 uppercase letters such as 'VN'",
            code="invalid_s10_format",
        )
    digits = _serial_digits(serial)
    return f"{prefix}{digits}{check_digit(digits)}{country}"


def parse_s10(code: str) -> S10:
    """Parse an identifier (whitespace and case are forgiven) or raise ``InvalidInput``.

    Codes: ``invalid_s10_format`` when the shape is wrong, ``invalid_s10_check_digit``
    when the shape is right but the check digit does not match the serial.
    """
    if not isinstance(code, str):
        raise InvalidInput(
            f"S10 identifier must be text, got {type(code).__name__}", code="invalid_s10_format"
        )
    text = normalise_s10(code)
    match = _S10_RE.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"S10 identifier {text or repr(code)}: expected 2 letters, 9 digits and 2 letters, "
            "e.g. RR473124829VN",
            code="invalid_s10_format",
        )
    serial = match["serial"]
    expected = check_digit(serial)
    got = int(match["check"])
    if got != expected:
        raise InvalidInput(
            f"S10 identifier {text}: check digit should be {expected}, got {got}",
            code="invalid_s10_check_digit",
        )
    return S10(prefix=match["prefix"], serial=int(serial), check=got, country=match["country"])


def is_valid_s10(code: object) -> bool:
    """True when ``code`` parses as an S10 identifier with a matching check digit."""
    if not isinstance(code, str):
        return False
    try:
        parse_s10(code)
    except InvalidInput:
        return False
    return True


def is_opaque_reference(code: object) -> bool:
    """True for a foreign or internal Vietnam Post reference we store as-is.

    After :func:`normalise_s10`, such a reference is 6 to 40 characters of
    ``A-Z``, ``0-9`` and ``-``, starting and ending with a letter or digit.
    Anything shaped like an S10 identifier is refused here, valid or not: a valid
    one must be stored as S10, and one with a wrong check digit is a misread or
    mistyped S10, which an opaque reference would silently accept.
    """
    if not isinstance(code, str):
        return False
    text = normalise_s10(code)
    if _S10_RE.fullmatch(text):
        return False
    return _OPAQUE_RE.fullmatch(text) is not None


def reuse_allowed(last_allocated_at: datetime, now: datetime) -> bool:
    """True once 24 calendar months have passed since the identifier was last allocated.

    Both datetimes must be timezone-aware; months are counted on the wall clock of
    ``last_allocated_at``'s zone (UTC as stored). When the anniversary day does not exist
    (29 February), the quarantine runs to the first day of the following month:
    ending early would break the "never within 24 months" rule.
    """
    if last_allocated_at.tzinfo is None or now.tzinfo is None:
        raise InvalidInput(
            "reuse_allowed needs timezone-aware datetimes, got a naive one",
            code="naive_datetime",
        )
    return now >= _add_months_rounding_up(last_allocated_at, REUSE_QUARANTINE_MONTHS)


def _add_months_rounding_up(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    if moment.day <= calendar.monthrange(year, month)[1]:
        return moment.replace(year=year, month=month)
    # The day does not exist in the target month: move to the 1st of the next one.
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return moment.replace(year=year, month=month, day=1)


def _serial_digits(serial: str | int) -> str:
    """The serial as exactly 8 digits, or ``InvalidInput(code="invalid_s10_format")``."""
    # bool is an int subclass; True is never a serial someone meant.
    if isinstance(serial, int) and not isinstance(serial, bool):
        if 0 <= serial <= _SERIAL_MAX:
            return f"{serial:08d}"
        raise InvalidInput(
            f"S10 serial {serial}: must be between 0 and {_SERIAL_MAX}", code="invalid_s10_format"
        )
    if isinstance(serial, str) and len(serial) == 8 and serial.isascii() and serial.isdigit():
        return serial
    raise InvalidInput(
        f"S10 serial {serial!r}: expected exactly 8 digits", code="invalid_s10_format"
    )
