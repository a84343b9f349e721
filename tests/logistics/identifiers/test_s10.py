"""UPU S10 identifiers: check digit, parsing, opaque references and the reuse quarantine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.exceptions import InvalidInput
from logistics.identifiers.s10 import (
    REUSE_QUARANTINE,
    REUSE_QUARANTINE_MONTHS,
    S10,
    check_digit,
    is_opaque_reference,
    is_valid_s10,
    make_s10,
    normalise_s10,
    parse_s10,
    reuse_allowed,
)

prefixes = st.from_regex(r"[A-Z]{2}", fullmatch=True)
serials = st.integers(min_value=0, max_value=99_999_999)


@pytest.mark.parametrize("code", ["RR473124829VN", "EB123456785VN", "EC136431858VN"])
def test_known_valid_identifiers(code: str) -> None:
    """The examples from DOMAIN.md parse and validate."""
    assert is_valid_s10(code)
    assert str(parse_s10(code)) == code


def test_known_invalid_identifier() -> None:
    """EB123456789VN has the right shape but a wrong check digit (5 expected)."""
    assert not is_valid_s10("EB123456789VN")
    with pytest.raises(InvalidInput) as err:
        parse_s10("EB123456789VN")
    assert err.value.code == "invalid_s10_check_digit"
    assert err.value.status_code == 422
    assert err.value.detail == "S10 identifier EB123456789VN: check digit should be 5, got 9"


def test_check_digit_error_names_expected_and_actual_digit() -> None:
    """The error sentence says which digit was expected and which was found."""
    with pytest.raises(InvalidInput, match="RR473124820VN: check digit should be 9, got 0"):
        parse_s10("RR473124820VN")


def test_parse_returns_fields() -> None:
    """parse_s10 splits prefix, serial, check digit and country."""
    assert parse_s10("RR473124829VN") == S10(prefix="RR", serial=47312482, check=9, country="VN")


def test_check_digit_accepts_text_or_int() -> None:
    """The serial may be given as 8 digits of text or as an int (zero-padded)."""
    assert check_digit("47312482") == check_digit(47312482) == 9
    assert check_digit(123) == check_digit("00000123")


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        # S = 0 -> C = 11 - 0 = 11 -> 5
        ("00000000", 5),
        # S = 8*1 = 8 -> C = 3
        ("10000000", 3),
        # S = 4*1 + 7*1 = 11 -> S mod 11 = 0 -> C = 11 -> 5
        ("00100001", 5),
        # S = 6*2 = 12 -> 12 mod 11 = 1 -> C = 10 -> 0
        ("02000000", 0),
    ],
)
def test_check_digit_special_cases(serial: str, expected: int) -> None:
    """C = 10 maps to 0 and C = 11 maps to 5."""
    assert check_digit(serial) == expected


@pytest.mark.parametrize(
    "serial",
    ["1234567", "123456789", "1234567a", "１２３４５６７８", -1, 100_000_000, True],  # noqa: RUF001 (full-width digits on purpose)
)
def test_check_digit_refuses_bad_serials(serial: object) -> None:
    """A serial is exactly 8 ASCII digits or an int from 0 to 99,999,999."""
    with pytest.raises(InvalidInput) as err:
        check_digit(serial)  # type: ignore[arg-type]
    assert err.value.code == "invalid_s10_format"


def test_make_s10_builds_known_example() -> None:
    """make_s10 appends the check digit and the country, VN by default."""
    assert make_s10("RR", 47312482) == "RR473124829VN"
    assert make_s10("EB", 12345678, country="FR") == "EB123456785FR"


@pytest.mark.parametrize(
    ("prefix", "country"), [("R", "VN"), ("rr", "VN"), ("R1", "VN"), ("RR", "V")]
)
def test_make_s10_refuses_bad_prefix_or_country(prefix: str, country: str) -> None:
    """Service indicator and country are two uppercase letters each."""
    with pytest.raises(InvalidInput) as err:
        make_s10(prefix, 1, country=country)
    assert err.value.code == "invalid_s10_format"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "RR47312482VN",
        "RR4731248290VN",
        "R1473124829VN",
        "RR473124829V",
        "RR473124829V1",
        "RR-473124829-VN",
        "RR٤٧٣١٢٤٨٢٩VN",  # noqa: RUF001 (Arabic-Indic digits on purpose)
    ],
)
def test_parse_refuses_bad_format(code: str) -> None:
    """Anything but 2 letters, 9 ASCII digits, 2 letters is a format error."""
    with pytest.raises(InvalidInput) as err:
        parse_s10(code)
    assert err.value.code == "invalid_s10_format"


def test_parse_refuses_non_text() -> None:
    """A number or None is not an identifier."""
    with pytest.raises(InvalidInput):
        parse_s10(473124829)  # type: ignore[arg-type]
    assert not is_valid_s10(None)


def test_normalise_strips_spaces_and_uppercases() -> None:
    """Spaces as printed under barcodes and lowercase from hand typing are forgiven."""
    assert normalise_s10(" rr 473 124 829 vn\t") == "RR473124829VN"
    assert parse_s10("rr 473 124 829 vn").prefix == "RR"


def test_foreign_country_codes_parse() -> None:
    """Identifiers from other posts parse with their own country code."""
    code = make_s10("CP", 12345678, country="DE")
    assert parse_s10(code).country == "DE"


@given(prefixes, serials, st.from_regex(r"[A-Z]{2}", fullmatch=True))
def test_every_generated_identifier_validates(prefix: str, serial: int, country: str) -> None:
    """Every identifier made by make_s10 parses back to the same parts."""
    code = make_s10(prefix, serial, country=country)
    parsed = parse_s10(code)
    assert (parsed.prefix, parsed.serial, parsed.country) == (prefix, serial, country)
    assert str(parsed) == code


def _remainder(serial: str) -> int:
    return sum(w * int(d) for w, d in zip((8, 6, 4, 2, 3, 5, 9, 7), serial, strict=True)) % 11


@given(serials, st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=9))
def test_changing_one_serial_digit_breaks_the_check_digit(
    serial: int, position: int, shift: int
) -> None:
    """Any single-digit change is caught, except where S mod 11 moves between 0 and 6.

    The weights are all prime to 11, so one changed digit always changes S mod 11;
    but the rule maps both remainder 0 (C = 11) and remainder 6 (C = 5) to check
    digit 5, a known blind spot of the UPU S10 scheme.
    """
    code = make_s10("RR", serial)
    digits = list(code[2:10])
    digits[position] = str((int(digits[position]) + shift) % 10)
    altered_serial = "".join(digits)
    altered = code[:2] + altered_serial + code[10:]
    before, after = _remainder(code[2:10]), _remainder(altered_serial)
    assert before != after
    assert is_valid_s10(altered) == ({before, after} == {0, 6})


def test_check_digit_blind_spot_between_remainders_0_and_6() -> None:
    """00000000 (S = 0) and 90000000 (S = 72, 72 mod 11 = 6) share check digit 5."""
    assert check_digit("00000000") == check_digit("90000000") == 5
    assert is_valid_s10("RR000000005VN") and is_valid_s10("RR900000005VN")


@given(serials, st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_breaks_the_identifier(serial: int, shift: int) -> None:
    """Only one check digit matches a serial."""
    code = make_s10("EB", serial)
    altered = code[:10] + str((int(code[10]) + shift) % 10) + code[11:]
    assert not is_valid_s10(altered)


@pytest.mark.parametrize(
    "code", ["LP00123456789012", "CNXYZ-2026-0001", "VN2026ABCDEF", "ab-cdef", "A" * 40]
)
def test_opaque_references_accepted(code: str) -> None:
    """Longer Vietnam Post or foreign codes of 6-40 [A-Z0-9-] are opaque references."""
    assert is_opaque_reference(code)


@pytest.mark.parametrize(
    "code",
    [
        "ABCDE",
        "A" * 41,
        "AB_CDEF",
        "ABC/DEF",
        "-ABCDEF",
        "ABCDEF-",
        "RR473124829VN",
        "EB123456789VN",
        None,
    ],
)
def test_opaque_references_refused(code: object) -> None:
    """Too short, too long, odd characters, dangling dashes and S10-shaped codes are refused.

    A valid S10 is stored as S10; a wrong-check-digit S10 is a typo, not a reference.
    """
    assert not is_opaque_reference(code)


def test_reuse_quarantine_is_24_months() -> None:
    """The quarantine constant carries its unit in its name."""
    assert REUSE_QUARANTINE == REUSE_QUARANTINE_MONTHS == 24


def test_reuse_not_allowed_one_second_before_24_months() -> None:
    """An identifier allocated 2025-03-10 10:00 UTC is free again from 2027-03-10 10:00 UTC."""
    last = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    assert not reuse_allowed(last, datetime(2027, 3, 10, 9, 59, 59, tzinfo=UTC))
    assert reuse_allowed(last, datetime(2027, 3, 10, 10, 0, tzinfo=UTC))
    assert not reuse_allowed(last, last + timedelta(days=365 * 2 - 1))


def test_reuse_from_29_february_waits_until_1_march() -> None:
    """24 months after 29 Feb 2024 has no 29 Feb: the quarantine runs to 1 Mar 2026."""
    last = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    assert not reuse_allowed(last, datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    assert reuse_allowed(last, datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


def test_reuse_compares_instants_across_time_zones() -> None:
    """The same instant written in Vietnam time and in UTC gives the same answer."""
    vn = timezone(timedelta(hours=7))
    last = datetime(2025, 1, 1, 8, 0, tzinfo=vn)  # 01:00 UTC
    assert reuse_allowed(last, datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    assert not reuse_allowed(last, datetime(2027, 1, 1, 0, 59, tzinfo=UTC))


def test_reuse_refuses_naive_datetimes() -> None:
    """Naive datetimes are ambiguous and refused."""
    with pytest.raises(InvalidInput) as err:
        reuse_allowed(datetime(2025, 1, 1), datetime(2027, 6, 1, tzinfo=UTC))
    assert err.value.code == "naive_datetime"


def test_reuse_never_allowed_before_allocation() -> None:
    """A clock running backwards does not free an identifier."""
    last = datetime(2026, 5, 1, tzinfo=UTC)
    assert not reuse_allowed(last, datetime(2026, 4, 1, tzinfo=UTC))
