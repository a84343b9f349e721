"""Dossier codes from the one-stop system: ``<agency code>-YYMMDD-XXXX``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.exceptions import InvalidInput
from logistics.identifiers.dossier_code import DossierCode, make_dossier_code, parse_dossier_code

agency_codes = (
    st.lists(st.from_regex(r"[A-Z0-9]{1,5}", fullmatch=True), min_size=1, max_size=5)
    .map(".".join)
    .filter(lambda code: 2 <= len(code) <= 40)
)


@pytest.mark.parametrize(
    ("code", "agency", "received_on", "sequence"),
    [
        ("000.00.22.H21-250704-0012", "000.00.22.H21", date(2025, 7, 4), 12),
        ("H21.22-260116-0001", "H21.22", date(2026, 1, 16), 1),
        ("G22.11.05-241231-9999", "G22.11.05", date(2024, 12, 31), 9999),
        ("H21.22-250101-123456", "H21.22", date(2025, 1, 1), 123456),
    ],
)
def test_parse_known_shapes(code: str, agency: str, received_on: date, sequence: int) -> None:
    """Agency codes of the national catalogue parse with their date and sequence."""
    parsed = parse_dossier_code(code)
    assert (parsed.agency_code, parsed.received_on, parsed.sequence) == (
        agency,
        received_on,
        sequence,
    )
    assert str(parsed) == code


def test_parse_forgives_surrounding_spaces_and_case() -> None:
    """Whitespace around the code and lowercase letters are normalised."""
    assert parse_dossier_code("  h21.22-260116-0001\n").agency_code == "H21.22"


def test_leap_day_is_a_real_date() -> None:
    """29 February exists in 2028 but not in 2026."""
    assert parse_dossier_code("H21.22-280229-0001").received_on == date(2028, 2, 29)
    with pytest.raises(InvalidInput) as err:
        parse_dossier_code("H21.22-260229-0001")
    assert err.value.code == "invalid_dossier_code_date"
    assert "260229 is not a real date" in err.value.detail


@pytest.mark.parametrize("yymmdd", ["251301", "250000", "250132", "250431", "000000"])
def test_impossible_dates_refused(yymmdd: str) -> None:
    """Month 13, day 0, 32 January, 31 April and the zero date are refused as dates."""
    with pytest.raises(InvalidInput) as err:
        parse_dossier_code(f"H21.22-{yymmdd}-0001")
    assert err.value.code == "invalid_dossier_code_date"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H21.22-250101-001",  # sequence under 4 digits
        "H21.22-25011-0001",  # 5-digit date
        "H21.22-250101",  # no sequence
        "H-250101-0001",  # agency code of 1 character
        ".H21-250101-0001",  # starts with a dot
        "H21.-250101-0001",  # ends with a dot
        "H21..22-250101-0001",  # empty segment
        "H21_22-250101-0001",  # underscore
        "H21 22-250101-0001",  # inner space
        "A" * 41 + "-250101-0001",  # agency code over 40 characters
        "H21.22-250101-00a1",
        "H21.22-٢٥٠١٠١-0001",  # non-ASCII digits
        "H21.22/250101/0001",
    ],
)
def test_bad_format_refused(code: str) -> None:
    """Anything not shaped <agency code>-YYMMDD-XXXX is refused as a format error."""
    with pytest.raises(InvalidInput) as err:
        parse_dossier_code(code)
    assert err.value.code == "invalid_dossier_code"
    assert err.value.status_code == 422


def test_make_pads_sequence_to_four_digits() -> None:
    """make_dossier_code writes YYMMDD and a zero-padded sequence."""
    assert make_dossier_code("000.00.22.H21", date(2026, 3, 5), 7) == "000.00.22.H21-260305-0007"
    assert make_dossier_code("H21.22", date(2026, 3, 5), 12345) == "H21.22-260305-12345"


@pytest.mark.parametrize(
    ("agency", "received_on", "sequence"),
    [
        ("H", date(2026, 1, 1), 1),
        ("h21.22", date(2026, 1, 1), 1),
        ("H21", date(2026, 1, 1), -1),
        ("H21", date(1999, 12, 31), 1),
        ("H21", date(2100, 1, 1), 1),
    ],
)
def test_make_refuses_bad_parts(agency: str, received_on: date, sequence: int) -> None:
    """Bad agency codes, negative sequences and years outside 2000-2099 are refused."""
    with pytest.raises(InvalidInput):
        make_dossier_code(agency, received_on, sequence)


@given(
    agency_codes,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=10**8),
)
def test_make_then_parse_round_trips(agency: str, received_on: date, sequence: int) -> None:
    """Every code made by make_dossier_code parses back to the same parts and text."""
    code = make_dossier_code(agency, received_on, sequence)
    parsed = parse_dossier_code(code)
    assert parsed == DossierCode(
        agency, received_on, sequence, sequence_width=max(4, len(str(sequence)))
    )
    assert str(parsed) == code


def test_wider_zero_padding_is_kept() -> None:
    """A system that pads to 5 digits gets its code back unchanged."""
    parsed = parse_dossier_code("H21.22-260116-00012")
    assert parsed.sequence == 12
    assert str(parsed) == "H21.22-260116-00012"
