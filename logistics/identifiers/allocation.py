"""Issuing S10 identifiers from the database: serials per prefix from a counter row,
every issued code recorded, and none reused within 24 months."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from logistics.exceptions import Conflict
from logistics.identifiers.s10 import make_s10, normalise_s10, parse_s10, reuse_allowed
from logistics.models import S10Allocation, S10Series
from logistics.models.types import utcnow

MAX_SERIAL = 99_999_999


def claim_s10(session: Session, code: str, *, now: datetime | None = None) -> str:
    """Record ``code`` as issued now; refuse it if it was issued in the last 24 months."""
    code = normalise_s10(code)
    parse_s10(code)  # raises InvalidInput for a bad format or check digit
    now = now or utcnow()
    existing = session.get(S10Allocation, code, with_for_update=True)
    if existing is not None:
        if not reuse_allowed(existing.allocated_at, now):
            raise Conflict(
                f"S10 identifier {code} was issued on {existing.allocated_at:%Y-%m-%d}; "
                "an identifier may not be reused within 24 months.",
                code="s10_reused",
            )
        existing.allocated_at = now
    else:
        session.add(S10Allocation(code=code, allocated_at=now))
    session.flush()
    return code


def _locked_series(session: Session, prefix: str) -> S10Series:
    series = session.exec(select(S10Series).where(S10Series.prefix == prefix).with_for_update()).first()
    if series is None:
        series = S10Series(prefix=prefix, next_serial=1)
        session.add(series)
        session.flush()
    return series


def allocate_s10_many(session: Session, *, prefix: str, count: int, now: datetime | None = None) -> list[str]:
    """The next ``count`` free identifiers of the series ``prefix``, issued at ``now``.

    Serials wrap around after 99,999,999 and skip any code issued in the last 24
    months; a block costs a few statements whatever its size.
    """
    now = now or utcnow()
    series = _locked_series(session, prefix)
    issued: list[str] = []
    scanned = 0
    while len(issued) < count:
        if scanned >= MAX_SERIAL:
            raise Conflict(f"The S10 series {prefix} has no free identifier left.", code="s10_series_exhausted")
        serials = []
        for _ in range(count - len(issued)):
            serials.append(series.next_serial)
            series.next_serial = 1 if series.next_serial >= MAX_SERIAL else series.next_serial + 1
        scanned += len(serials)
        candidates = [make_s10(prefix, serial) for serial in serials]
        previous = {
            row.code: row
            for row in session.exec(select(S10Allocation).where(S10Allocation.code.in_(candidates)).with_for_update())
        }
        for code in candidates:
            row = previous.get(code)
            if row is None:
                session.add(S10Allocation(code=code, allocated_at=now))
            elif reuse_allowed(row.allocated_at, now):
                row.allocated_at = now
            else:
                continue
            issued.append(code)
    session.flush()
    return issued


def allocate_s10(session: Session, *, prefix: str, now: datetime | None = None) -> str:
    """The next free identifier of the series ``prefix``."""
    return allocate_s10_many(session, prefix=prefix, count=1, now=now)[0]
