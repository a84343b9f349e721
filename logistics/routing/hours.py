"""Weekly opening hours ({"mon": [["07:30", "11:30"], ["13:30", "17:00"]], ...}) turned
into the day's service windows in seconds since local midnight."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _seconds(hhmm: str) -> int:
    parsed = time.fromisoformat(hhmm)
    return parsed.hour * 3600 + parsed.minute * 60 + parsed.second


def windows_on(hours: Mapping[str, Any] | None, day: date, *, service_s: int = 0) -> tuple[tuple[int, int], ...]:
    """The windows in which a service of ``service_s`` may START at a place on ``day``
    (it must end by closing time). Empty when the place is closed that day."""
    if not hours:
        return ()
    out = []
    for opening, closing in hours.get(WEEKDAYS[day.weekday()], ()):
        start, end = _seconds(opening), _seconds(closing) - service_s
        if end >= start:
            out.append((start, end))
    return tuple(sorted(out))


def seconds_of(moment_local_time: time) -> int:
    return moment_local_time.hour * 3600 + moment_local_time.minute * 60 + moment_local_time.second
