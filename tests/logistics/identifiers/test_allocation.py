"""Issuing S10 identifiers from the database: valid codes, never reused within 24 months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logistics.exceptions import Conflict, InvalidInput
from logistics.identifiers.allocation import allocate_s10, allocate_s10_many, claim_s10
from logistics.identifiers.s10 import is_valid_s10, make_s10
from logistics.models import S10Allocation, S10Series

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


def test_allocated_codes_are_valid_and_distinct(session):
    """A series hands out consecutive serials with correct check digits."""
    codes = [allocate_s10(session, prefix="EB", now=NOW) for _ in range(5)]
    assert len(set(codes)) == 5
    assert all(is_valid_s10(c) and c.startswith("EB") and c.endswith("VN") for c in codes)
    assert codes[0] == make_s10("EB", 1)


def test_claiming_a_code_twice_within_24_months_is_refused(session):
    """An identifier issued less than 24 months ago cannot be issued again."""
    claim_s10(session, "RR473124829VN", now=NOW)
    with pytest.raises(Conflict) as raised:
        claim_s10(session, "rr 473124829 vn", now=NOW + timedelta(days=700))
    assert raised.value.code == "s10_reused"


def test_reuse_after_24_months_is_allowed(session):
    """After 24 months the same identifier may be issued again, and the date moves on."""
    claim_s10(session, "EC136431858VN", now=NOW - timedelta(days=2 * 366))
    claim_s10(session, "EC136431858VN", now=NOW)
    assert session.get(S10Allocation, "EC136431858VN").allocated_at == NOW


def test_invalid_check_digit_is_refused_and_nothing_recorded(session):
    """A code with a wrong check digit is refused before anything is written."""
    with pytest.raises(InvalidInput) as raised:
        claim_s10(session, "EB123456789VN", now=NOW)
    assert raised.value.code == "invalid_s10_check_digit"
    assert session.get(S10Allocation, "EB123456789VN") is None


def test_series_skips_codes_issued_recently(session):
    """If a serial's code was claimed by hand recently, the series moves past it."""
    claim_s10(session, make_s10("RA", 1), now=NOW)
    assert allocate_s10(session, prefix="RA", now=NOW) == make_s10("RA", 2)


def test_series_wraps_after_the_last_serial(session):
    """After serial 99,999,999 a series starts again at 1."""
    session.add(S10Series(prefix="RZ", next_serial=99_999_999))
    session.flush()
    assert allocate_s10(session, prefix="RZ", now=NOW) == make_s10("RZ", 99_999_999)
    assert allocate_s10(session, prefix="RZ", now=NOW) == make_s10("RZ", 1)


def test_block_allocation_skips_recent_codes_and_matches_one_by_one(session):
    """A block of identifiers equals what single allocations would give, skipping quarantined codes."""
    claim_s10(session, make_s10("RB", 3), now=NOW)
    block = allocate_s10_many(session, prefix="RB", count=4, now=NOW)
    assert block == [make_s10("RB", n) for n in (1, 2, 4, 5)]
    assert allocate_s10(session, prefix="RB", now=NOW) == make_s10("RB", 6)
    assert session.get(S10Allocation, make_s10("RB", 5)).allocated_at == NOW
