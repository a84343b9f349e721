"""Working time for demo data: past working days, times within office hours, booked
windows. Local times are Asia/Ho_Chi_Minh; every datetime returned is aware."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final

import numpy as np

from logistics.workdays import DEFAULT_CUTOFF_HOUR, LOCAL_TZ, WorkCalendar

# Office hours in minutes after midnight: 07:30–11:30 and 13:30–17:00 (DOMAIN.md §5).
_MORNING: Final = (7 * 60 + 30, 11 * 60 + 30)
_AFTERNOON: Final = (13 * 60 + 30, 17 * 60)
# Booked home windows are two hours long and start at one of these local times.
WINDOW_STARTS: Final = (time(8, 0), time(9, 0), time(10, 0), time(13, 30), time(14, 30), time(15, 0))
WINDOW_LENGTH: Final = timedelta(hours=2)


def working_days_before(calendar: WorkCalendar, day: date, n: int) -> date:
    """The ``n``-th working day before ``day`` (``day`` itself never counted; n=0 → day)."""
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            n -= 1
    return current


def at(day: date, minutes: int) -> datetime:
    """``day`` at ``minutes`` after local midnight, as an aware local datetime."""
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LOCAL_TZ)


def office_time(
    rng: np.random.Generator, day: date, *, after_cutoff: bool = False, afternoon: bool = False
) -> datetime:
    """A minute within office hours on ``day``; only at or after the 15:00 forwarding
    cut-off when ``after_cutoff``; only in the afternoon session when ``afternoon``."""
    if after_cutoff:
        lo, hi = DEFAULT_CUTOFF_HOUR * 60, _AFTERNOON[1]
    elif afternoon:
        lo, hi = _AFTERNOON
    else:
        # Morning and afternoon sessions in proportion to their length (240 and 210 min).
        offset = int(rng.integers(0, (_MORNING[1] - _MORNING[0]) + (_AFTERNOON[1] - _AFTERNOON[0])))
        span = _MORNING[1] - _MORNING[0]
        return at(day, _MORNING[0] + offset if offset < span else _AFTERNOON[0] + offset - span)
    return at(day, int(rng.integers(lo, hi)))


def booked_window(rng: np.random.Generator, day: date) -> tuple[datetime, datetime]:
    """A two-hour window on ``day`` starting at one of :data:`WINDOW_STARTS`."""
    start = datetime.combine(day, WINDOW_STARTS[int(rng.integers(len(WINDOW_STARTS)))], tzinfo=LOCAL_TZ)
    return start, start + WINDOW_LENGTH
