"""Position pings from phones: best effort, apart from scans (a lost ping is no loss)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from logistics import geo
from logistics.models import PositionPing
from logistics.models.types import utcnow

MAX_AGE = timedelta(days=2)  # older pings help no live map nor ETA
MAX_AHEAD = timedelta(minutes=10)


@dataclass(frozen=True)
class PingInput:
    device_time: datetime
    lat: float
    lon: float
    accuracy_m: float | None = None
    speed_mps: float | None = None


def record_pings(
    session: Session, *, user_id: int, device_id: str | None, pings: Sequence[PingInput], now: datetime | None = None
) -> int:
    """Store the plausible pings in one INSERT; returns how many were kept (the rest,
    outside Vietnam or at an impossible time, are dropped without complaint)."""
    now = now or utcnow()
    rows = [
        {"user_id": user_id, "device_id": device_id, "lat": p.lat, "lon": p.lon, "accuracy_m": p.accuracy_m,
         "speed_mps": p.speed_mps, "device_time": p.device_time, "received_at": now}
        for p in pings
        if now - MAX_AGE <= p.device_time <= now + MAX_AHEAD and geo.is_in_vietnam(p.lat, p.lon)
    ]
    if rows:
        session.execute(insert(PositionPing), rows)
    return len(rows)
