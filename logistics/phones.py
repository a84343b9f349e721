"""Vietnamese mobile numbers for SMS, and masking of phones and names for public display.

We store mobile numbers in E.164 (``+84912345678``) and send SMS only to valid
Vietnamese MOBILE numbers, as judged by Google's libphonenumber metadata
(``phonenumbers``), which follows the numbering plan as it changes. We never infer
the carrier from the prefix: numbers move between carriers (DOMAIN.md section 6).

Public tracking pages, SMS bodies and logs show neither a full phone number nor a
full name (Decision 45/2016, DOMAIN.md section 2): :func:`mask_phone` and
:func:`mask_name` produce the forms they may show.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from logistics.exceptions import InvalidInput

__all__ = ["mask_name", "mask_phone", "normalise_vn_mobile"]

_REGION: Final = "VN"
# What people type around the digits: spaces, dots, dashes, brackets and one
# leading plus, possibly bracketed as in "(+84)". Letters are refused up front:
# phonenumbers would read them as a vanity number ("1-800-FLOWERS") and could
# turn a typo into a valid number.
_TYPED_PHONE_RE: Final = re.compile(r"\(?\+?[0-9 .\-()]+")
_E164_RE: Final = re.compile(r"\+[1-9][0-9]{6,14}")
# Digits left visible by mask_phone: enough for a citizen to recognise their own
# number; with the country code they narrow nothing down to a person.
_VISIBLE_DIGITS: Final = 3


def normalise_vn_mobile(raw: str) -> str:
    """Return the E.164 form of a Vietnamese mobile number, or raise ``InvalidInput``.

    Accepts ``0912345678``, ``+84 912 345 678``, ``84912345678``, ``0084...``, the
    9 digits without the leading 0, and the same with spaces, dots, dashes or
    brackets. Refuses (code ``invalid_phone``) landlines, service numbers, other
    countries and anything that is not a valid Vietnamese mobile number. Error
    messages show only the last 3 digits, since they end up in logs.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Phone number is empty", code="invalid_phone")
    text = raw.strip()
    if not _TYPED_PHONE_RE.fullmatch(text):
        raise InvalidInput(
            "Phone number may contain only digits, spaces, dots, dashes, brackets "
            "and a leading +, e.g. 0912 345 678",
            code="invalid_phone",
        )
    digits = re.sub(r"[^0-9]", "", text)
    tail = digits[-_VISIBLE_DIGITS:]
    try:
        number = phonenumbers.parse(text, _REGION)
    except NumberParseException:
        raise InvalidInput(
            f"Phone number ending {tail} could not be read as a phone number",
            code="invalid_phone",
        ) from None
    if number.country_code != phonenumbers.country_code_for_region(_REGION):
        raise InvalidInput(
            f"Phone number ending {tail} is a +{number.country_code} number; "
            "SMS go to Vietnamese mobile numbers (+84) only",
            code="invalid_phone",
        )
    if not phonenumbers.is_valid_number_for_region(number, _REGION):
        raise InvalidInput(
            f"Phone number ending {tail} is not a valid Vietnamese number: "
            "a mobile number has 10 digits, e.g. 0912 345 678",
            code="invalid_phone",
        )
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise InvalidInput(
            f"Phone number ending {tail} is a Vietnamese landline or service number, "
            "not a mobile number that can receive SMS",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Mask a stored E.164 number for pages, SMS and logs: ``+84912345678`` -> ``+84 *** *** 678``.

    Format: the country code, then every digit of the national number except the
    last 3 replaced by ``*`` in groups of three, then the last 3 digits. The mobile
    prefix is hidden too: it would hint at the carrier and narrow the number down.
    Raises ``InvalidInput(code="invalid_phone")`` for text that is not E.164.
    """
    if not isinstance(e164, str) or not _E164_RE.fullmatch(e164):
        raise InvalidInput(
            "mask_phone expects a stored E.164 number such as +84912345678",
            code="invalid_phone",
        )
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        raise InvalidInput(
            "mask_phone expects a stored E.164 number such as +84912345678",
            code="invalid_phone",
        ) from None
    national = phonenumbers.national_significant_number(number)
    hidden = len(national) - _VISIBLE_DIGITS
    stars = "*" * hidden
    groups = [stars[i : i + 3] for i in range(0, hidden, 3)]
    return " ".join([f"+{number.country_code}", *groups, national[hidden:]])


def mask_name(full_name: str) -> str:
    """Mask a Vietnamese full name for public display: ``"Nguyễn Văn An"`` -> ``"Nguyễn V. A."``.

    Vietnamese names read family name, middle name(s), given name. We keep the
    family name and reduce every other word to its initial and a dot:

    * the family name identifies nobody: a handful of them (Nguyễn, Trần, Lê,
      Phạm...) are shared by most of the population;
    * the given name, which is what a person is called by, and the middle names
      never appear in full;
    * the citizen still recognises their own parcel ("Nguyễn V. A.").

    A single-word name becomes its initial (``"An"`` -> ``"A."``), so that nothing
    is shown in full. Whitespace is collapsed and the text is NFC-normalised first,
    so that the initial of a decomposed "Ánh" keeps its accent.
    Raises ``InvalidInput(code="invalid_name")`` for an empty name.
    """
    if not isinstance(full_name, str):
        raise InvalidInput("Name must be text", code="invalid_name")
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        raise InvalidInput("Name is empty", code="invalid_name")
    if len(words) == 1:
        return _initial(words[0])
    return " ".join([words[0], *(_initial(word) for word in words[1:])])


def _initial(word: str) -> str:
    return f"{word[0]}."
