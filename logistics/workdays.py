"""Working days in Vietnam: deadlines in working days and the forwarding cut-off.

Agencies work Monday to Friday except public holidays; a Saturday may be a
make-up working day when the Government swaps a weekday off to join a holiday
to a weekend. Tết moves every year and the swaps are announced year by year, so
holidays are data, not a formula (DOMAIN.md section 5): ``data/holidays_vn.csv``
ships the civil-service calendar, and :meth:`WorkCalendar.from_rows` accepts the
same rows from anywhere else (a database table later).

CSV columns: ``calendar, day, kind, name_vi, name_en, source`` where ``kind`` is
``holiday`` (no work that day, whatever the weekday) or ``working_day`` (a
make-up working Saturday or Sunday), and ``source`` is ``announced`` (published
by the Government for that year, or fixed outright by Labour Code 2019 art. 112:
1 Jan, 30 Apr, 1 May, 2 Sep and the lunar 10/3) or ``estimate`` (our guess: to
check when the Ministry of Home Affairs publishes the year's schedule). Rows
list every day of an announced break, weekends included, so the data can be
read against the notice line by line.

A calendar only answers for the years its rows cover; any other year raises
``InvalidInput(code="calendar_out_of_range")`` rather than quietly assuming a
year without holidays.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from logistics.exceptions import InvalidInput

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_CUTOFF_HOUR",
    "LOCAL_TZ",
    "CalendarDay",
    "DayKind",
    "Source",
    "WorkCalendar",
    "read_rows",
]

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
#: The calendar of the agencies we carry for: civil servants, Monday to Friday.
DEFAULT_CALENDAR: Final = "vn_civil_service"
#: A dossier received at or after 15:00 local time is forwarded the next working
#: day [news, DOMAIN.md section 5]; a parameter of forward_date, per agency later.
DEFAULT_CUTOFF_HOUR: Final = 15
COLUMNS: Final = ("calendar", "day", "kind", "name_vi", "name_en", "source")
_SATURDAY: Final = 5


class DayKind(StrEnum):
    HOLIDAY = "holiday"
    WORKING_DAY = "working_day"


class Source(StrEnum):
    ANNOUNCED = "announced"
    ESTIMATE = "estimate"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One row of the calendar: a day off, or a make-up working day."""

    day: date
    kind: DayKind
    name_vi: str
    name_en: str
    source: Source


def read_rows(text: str | None = None) -> list[dict[str, str]]:
    """Rows of a holidays CSV (the shipped ``holidays_vn.csv`` when ``text`` is None)."""
    if text is None:
        text = (resources.files("logistics") / "data" / "holidays_vn.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise InvalidInput(
            f"Holiday calendar CSV lacks columns {sorted(missing)}; expected {', '.join(COLUMNS)}",
            code="invalid_calendar_data",
        )
    return list(reader)


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable working-day calendar built from rows; see the module docstring."""

    name: str
    days: tuple[CalendarDay, ...]
    _by_day: Mapping[date, CalendarDay] = field(init=False, repr=False, compare=False, hash=False)
    years: frozenset[int] = field(init=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_day: dict[date, CalendarDay] = {}
        for entry in self.days:
            if entry.day in by_day:
                raise InvalidInput(
                    f"Holiday calendar {self.name}: {entry.day.isoformat()} appears twice",
                    code="invalid_calendar_data",
                )
            if entry.kind is DayKind.WORKING_DAY and entry.day.weekday() < _SATURDAY:
                raise InvalidInput(
                    f"Holiday calendar {self.name}: make-up working day {entry.day.isoformat()} "
                    "is a weekday, which is a working day anyway",
                    code="invalid_calendar_data",
                )
            by_day[entry.day] = entry
        # Frozen dataclass: derived lookups are set once, here, and never again.
        object.__setattr__(self, "_by_day", MappingProxyType(by_day))
        object.__setattr__(self, "years", frozenset(d.year for d in by_day))

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, object]], *, calendar: str = DEFAULT_CALENDAR
    ) -> WorkCalendar:
        """Build the calendar named ``calendar`` from rows shaped like the CSV.

        ``day`` may be a ``date`` or ISO text. Rows of other calendars are skipped.
        Bad rows raise ``InvalidInput(code="invalid_calendar_data")``.
        """
        days = tuple(
            sorted(
                (
                    _parse_row(i, row)
                    for i, row in enumerate(rows, start=1)
                    if row.get("calendar") == calendar
                ),
                key=lambda entry: entry.day,
            )
        )
        if not days:
            raise InvalidInput(
                f"Holiday calendar {calendar!r} has no rows", code="invalid_calendar_data"
            )
        return cls(name=calendar, days=days)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The calendar shipped in ``logistics/data/holidays_vn.csv`` (read once, cached)."""
        return _default_calendar()

    def entry(self, d: date) -> CalendarDay | None:
        """The holiday or make-up day row for ``d``, if any (e.g. to say why a day is off)."""
        self._require_covered(d)
        return self._by_day.get(d)

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday, except holidays; plus make-up working Saturdays and Sundays."""
        entry = self.entry(d)
        if entry is not None:
            return entry.kind is DayKind.WORKING_DAY
        return d.weekday() < _SATURDAY

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d``; ``d`` itself is never counted.

        This is the SLA reading of "within n working days of d": counting starts on
        the next working day. ``n == 0`` returns ``d`` unchanged.
        """
        self._require_covered(d)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(
                f"Number of working days must be a whole number >= 0, got {n!r}",
                code="invalid_working_days",
            )
        current = d
        while n:
            current += timedelta(days=1)
            if self.is_working_day(current):
                n -= 1
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``: ``a`` excluded, ``b`` included; negative when ``b < a``.

        The inverse of :meth:`add_working_days`:
        ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        self._require_covered(a)
        self._require_covered(b)
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))

    def forward_date(
        self, received_at: datetime, *, cutoff_hour: int = DEFAULT_CUTOFF_HOUR
    ) -> date:
        """The day a dossier received at ``received_at`` is forwarded to the agency.

        Received on a working day before ``cutoff_hour``:00 Vietnam time: that day.
        At or after the cut-off, or on a day off: the next working day. Naive
        datetimes are refused (``naive_datetime``): the server's clock zone is not
        the citizen's.
        """
        if not isinstance(received_at, datetime):
            raise InvalidInput(
                f"forward_date needs a datetime, got {type(received_at).__name__}",
                code="invalid_datetime",
            )
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise InvalidInput(
                f"Received time {received_at.isoformat()} has no time zone; "
                "give an aware datetime (UTC or Asia/Ho_Chi_Minh)",
                code="naive_datetime",
            )
        if (
            isinstance(cutoff_hour, bool)
            or not isinstance(cutoff_hour, int)
            or not 0 <= cutoff_hour <= 24
        ):
            raise InvalidInput(
                f"Cut-off hour must be a whole hour from 0 to 24, got {cutoff_hour!r}",
                code="invalid_cutoff_hour",
            )
        local = received_at.astimezone(LOCAL_TZ)
        day = local.date()
        before_cutoff = cutoff_hour == 24 or local.time() < time(cutoff_hour)
        if before_cutoff and self.is_working_day(day):
            return day
        return self.next_working_day(day)

    def _require_covered(self, d: date) -> None:
        # A datetime is a date too, but its .date() depends on its zone: refuse it
        # rather than count from the wrong day.
        if isinstance(d, datetime) or not isinstance(d, date):
            raise InvalidInput(
                f"Expected a calendar date, got {type(d).__name__}", code="invalid_date"
            )
        if d.year not in self.years:
            covered = ", ".join(str(y) for y in sorted(self.years))
            raise InvalidInput(
                f"Holiday calendar {self.name} covers {covered}, not {d.year}: "
                "add that year's holidays before counting working days in it",
                code="calendar_out_of_range",
            )


@functools.cache
def _default_calendar() -> WorkCalendar:
    return WorkCalendar.from_rows(read_rows())


def _parse_row(number: int, row: Mapping[str, object]) -> CalendarDay:
    where = f"Holiday calendar row {number}"
    raw_day = row.get("day")
    try:
        # A datetime is a date too; a row is about a whole day, so refuse it.
        if isinstance(raw_day, datetime):
            raise ValueError(f"{raw_day!r} is a datetime, not a date")
        day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        kind = DayKind(str(row.get("kind")))
        source = Source(str(row.get("source")))
    except ValueError as exc:
        raise InvalidInput(
            f"{where} ({raw_day!r}): {exc}; expected day YYYY-MM-DD, "
            f"kind in {[k.value for k in DayKind]}, source in {[s.value for s in Source]}",
            code="invalid_calendar_data",
        ) from None
    name_vi, name_en = str(row.get("name_vi") or "").strip(), str(row.get("name_en") or "").strip()
    if not name_vi or not name_en:
        raise InvalidInput(
            f"{where} ({day.isoformat()}): name_vi and name_en are required",
            code="invalid_calendar_data",
        )
    return CalendarDay(day=day, kind=kind, name_vi=name_vi, name_en=name_en, source=source)
