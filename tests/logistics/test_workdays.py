"""Working-day calendar: shipped holiday data, deadline arithmetic and the 15:00 cut-off."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.exceptions import InvalidInput
from logistics.workdays import LOCAL_TZ, DayKind, Source, WorkCalendar, read_rows

CAL = WorkCalendar.default()
covered_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 10, 31))


def d(text: str) -> date:
    return date.fromisoformat(text)


def vn(text: str) -> datetime:
    """A Vietnam local time, as a counter clerk would read it on the wall clock."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


# --- Vietnamese lunar calendar, for checking the data only ------------------------
# Hồ Ngọc Đức's well-known algorithm (astronomical new moons after Jean Meeus,
# computed for UTC+7, which is what makes Vietnamese Tết differ from Chinese New
# Year in some years). Kept in the test: the product reads dates from data.


def _jd(day: date) -> int:
    return day.toordinal() + 1_721_425


def _new_moon_day(k: int, tz: float = 7.0) -> int:
    t = k / 1236.85
    t2, t3, dr = t * t, t * t * t, math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 += -0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 += -0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 += -0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 += -0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    deltat = -0.000278 + 0.000265 * t + 0.000262 * t2  # valid for years after 1900
    return math.floor(jd1 + c1 - deltat + 0.5 + tz / 24)


def _sun_sector(jdn: int, tz: float = 7.0) -> int:
    """Which of the 12 30-degree sectors of ecliptic longitude the sun is in."""
    t = (jdn - 2451545.5 - tz / 24) / 36525
    t2, dr = t * t, math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    lon -= 2 * math.pi * math.floor(lon / (2 * math.pi))
    return math.floor(lon / math.pi * 6)


def _month_11_start(year: int) -> int:
    k = math.floor((_jd(date(year, 12, 31)) - 2415021) / 29.530588853)
    start = _new_moon_day(k)
    return _new_moon_day(k - 1) if _sun_sector(start) >= 9 else start


def lunar_to_solar(day: int, month: int, year: int) -> date:
    """The solar date of a (non-leap) lunar day of the Vietnamese calendar."""
    a11, b11 = (
        (_month_11_start(year - 1), _month_11_start(year))
        if month < 11
        else (_month_11_start(year), _month_11_start(year + 1))
    )
    k = math.floor(0.5 + (a11 - 2415021.076998695) / 29.530588853)
    offset = (month - 11) % 12
    if b11 - a11 > 365:  # a leap year: 13 months between the two month-11 starts
        i, last, arc = 1, None, _sun_sector(_new_moon_day(k + 1))
        while arc != last and i < 14:
            last, i = arc, i + 1
            arc = _sun_sector(_new_moon_day(k + i))
        if offset >= i - 1:
            offset += 1
    return date.fromordinal(_new_moon_day(k + offset) + day - 1 - 1_721_425)


@pytest.mark.parametrize(
    ("year", "tet"),
    [(1985, "1985-01-21"), (2007, "2007-02-17"), (2021, "2021-02-12"), (2024, "2024-02-10")],
)
def test_lunar_algorithm_matches_known_vietnamese_tet(year: int, tet: str) -> None:
    """The checking algorithm knows Tết, including years it differs from China (1985, 2007)."""
    assert lunar_to_solar(1, 1, year) == d(tet)


def test_lunar_algorithm_handles_a_leap_month() -> None:
    """Mid-autumn 2025 (15/8, after the leap 6th month of Ất Tỵ) fell on 6 Oct 2025."""
    assert lunar_to_solar(15, 8, 2025) == d("2025-10-06")


@pytest.mark.parametrize(
    ("year", "tet", "hung"),
    [
        (2025, "2025-01-29", "2025-04-07"),
        (2026, "2026-02-17", "2026-04-26"),
        (2027, "2027-02-06", "2027-04-16"),
    ],
)
def test_lunar_dates_in_the_data_are_right(year: int, tet: str, hung: str) -> None:
    """Tết (1/1 lunar) and Hùng Kings' day (10/3 lunar) in the CSV match the lunar calendar."""
    assert lunar_to_solar(1, 1, year) == d(tet)
    assert lunar_to_solar(10, 3, year) == d(hung)
    tet_entry, hung_entry = CAL.entry(d(tet)), CAL.entry(d(hung))
    assert tet_entry is not None and "Tết" in tet_entry.name_vi
    assert hung_entry is not None and hung_entry.name_vi.startswith("Giỗ Tổ Hùng Vương")


def test_tet_2026_break_runs_from_27_of_the_last_month_to_6_of_the_first() -> None:
    """The announced Tết 2026 break is 27 Chạp Ất Tỵ to mùng 6 Bính Ngọ: 14 to 22 Feb."""
    assert lunar_to_solar(27, 12, 2025) == d("2026-02-14")
    assert lunar_to_solar(6, 1, 2026) == d("2026-02-22")


# --- The shipped data ---------------------------------------------------------------


def test_default_calendar_covers_2025_to_2027_and_is_cached() -> None:
    """The shipped CSV covers 2025, 2026 and 2027, read once."""
    assert CAL.years == {2025, 2026, 2027}
    assert WorkCalendar.default() is CAL


def test_every_row_says_whether_it_is_announced_or_an_estimate() -> None:
    """Every row has a source, and 2027's Tết is still an estimate."""
    assert {entry.source for entry in CAL.days} <= set(Source)
    tet_2027 = [e for e in CAL.days if e.day.year == 2027 and e.day.month == 2]
    assert tet_2027 and all(e.source is Source.ESTIMATE for e in tet_2027)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_each_year_gives_the_statutory_days_off(year: int) -> None:
    """Weekdays off minus make-up days equal the 11 days of Labour Code art. 112 (+1 for 24 Nov)."""
    entries = [e for e in CAL.days if e.day.year == year]
    weekdays_off = sum(e.kind is DayKind.HOLIDAY and e.day.weekday() < 5 for e in entries)
    make_up = sum(e.kind is DayKind.WORKING_DAY for e in entries)
    culture_day = any(e.day == date(year, 11, 24) for e in entries)
    assert weekdays_off - make_up == 11 + culture_day


@pytest.mark.parametrize(
    "day",
    [
        "2025-01-01",
        "2025-01-27",
        "2025-01-31",
        "2025-04-07",
        "2025-04-30",
        "2025-05-01",
        "2025-05-02",
        "2025-09-01",
        "2025-09-02",
        "2026-01-01",
        "2026-01-02",
        "2026-02-16",
        "2026-02-20",
        "2026-04-27",
        "2026-04-30",
        "2026-05-01",
        "2026-08-31",
        "2026-09-01",
        "2026-09-02",
        "2027-01-01",
        "2027-02-08",
        "2027-04-16",
        "2027-04-30",
        "2027-05-03",
        "2027-09-02",
    ],
)
def test_public_holidays_are_not_working_days(day: str) -> None:
    """Each holiday of 2025-2027 is a day off even though it is a weekday."""
    assert d(day).weekday() < 5
    assert not CAL.is_working_day(d(day))


@pytest.mark.parametrize("day", ["2025-04-26", "2026-01-10", "2026-08-22"])
def test_make_up_saturdays_are_working_days(day: str) -> None:
    """A Saturday worked to compensate a swapped day off is a working day."""
    assert d(day).weekday() == 5
    assert CAL.is_working_day(d(day))
    entry = CAL.entry(d(day))
    assert entry is not None and entry.kind is DayKind.WORKING_DAY


def test_ordinary_weekends_and_weekdays() -> None:
    """An ordinary Saturday and Sunday are days off; an ordinary Tuesday is a working day."""
    assert not CAL.is_working_day(d("2025-04-19"))
    assert not CAL.is_working_day(d("2025-04-20"))
    assert CAL.is_working_day(d("2025-04-22"))
    assert CAL.entry(d("2025-04-22")) is None


def test_hung_kings_day_on_sunday_2026_gives_monday_off() -> None:
    """26 Apr 2026 is a Sunday, so Monday 27 Apr is the compensatory day off."""
    assert d("2026-04-26").weekday() == 6
    assert CAL.next_working_day(d("2026-04-24")) == d("2026-04-28")


def test_tet_2026_spans_a_whole_week() -> None:
    """From Friday 13 Feb 2026 the next working day is Monday 23 Feb, 9 days off later."""
    assert all(not CAL.is_working_day(d("2026-02-14") + timedelta(i)) for i in range(9))
    assert CAL.next_working_day(d("2026-02-13")) == d("2026-02-23")
    assert CAL.working_days_between(d("2026-02-13"), d("2026-02-23")) == 1


# --- Arithmetic -----------------------------------------------------------------------


def test_add_working_days_counts_from_the_next_working_day() -> None:
    """A 5-working-day complaint deadline from Thu 12 Feb 2026 skips Tết: Thu 26 Feb."""
    assert CAL.add_working_days(d("2026-02-12"), 5) == d("2026-02-26")
    assert CAL.add_working_days(d("2026-02-12"), 0) == d("2026-02-12")


def test_add_working_days_through_the_30_april_break_and_its_make_up_saturday() -> None:
    """Fri 25 Apr 2025 + 1 is the make-up Sat 26 Apr; + 2 jumps the break to Mon 5 May."""
    assert CAL.add_working_days(d("2025-04-25"), 1) == d("2025-04-26")
    assert CAL.add_working_days(d("2025-04-25"), 2) == d("2025-04-28")
    assert CAL.add_working_days(d("2025-04-29"), 1) == d("2025-05-05")


@pytest.mark.parametrize("n", [-1, 1.5, True])
def test_add_working_days_refuses_negative_or_fractional_counts(n: object) -> None:
    """n is a whole number of working days, zero or more."""
    with pytest.raises(InvalidInput) as err:
        CAL.add_working_days(d("2026-03-02"), n)  # type: ignore[arg-type]
    assert err.value.code == "invalid_working_days"


def test_working_days_between_is_signed() -> None:
    """Counting backwards gives the negative count."""
    assert CAL.working_days_between(d("2026-03-09"), d("2026-03-02")) == -5
    assert CAL.working_days_between(d("2026-03-02"), d("2026-03-02")) == 0


@pytest.mark.parametrize("day", ["2024-12-31", "2028-01-03"])
def test_years_without_data_are_refused(day: str) -> None:
    """Asking about a year the data does not cover raises instead of assuming no holidays."""
    with pytest.raises(InvalidInput) as err:
        CAL.is_working_day(d(day))
    assert err.value.code == "calendar_out_of_range"
    assert "2025, 2026, 2027" in err.value.detail


def test_counting_past_the_last_covered_year_is_refused() -> None:
    """A deadline that would land in 2028 is refused, not guessed."""
    with pytest.raises(InvalidInput) as err:
        CAL.add_working_days(d("2027-12-29"), 5)
    assert err.value.code == "calendar_out_of_range"


def test_datetimes_are_not_dates() -> None:
    """A datetime's day depends on its zone, so day arithmetic refuses it."""
    with pytest.raises(InvalidInput) as err:
        CAL.is_working_day(datetime(2026, 3, 2, 20, tzinfo=UTC))  # type: ignore[arg-type]
    assert err.value.code == "invalid_date"


@given(covered_days, st.integers(min_value=1, max_value=40))
def test_add_working_days_lands_on_a_working_day(start: date, n: int) -> None:
    """The n-th working day after any day is a working day, and n of them lie in between."""
    end = CAL.add_working_days(start, n)
    assert end > start
    assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n


@given(covered_days)
def test_next_working_day_skips_only_days_off(start: date) -> None:
    """Every day strictly between a day and its next working day is a day off."""
    nxt = CAL.next_working_day(start)
    assert CAL.is_working_day(nxt)
    assert all(not CAL.is_working_day(start + timedelta(i)) for i in range(1, (nxt - start).days))


# --- The 15:00 cut-off ----------------------------------------------------------------


def test_cut_off_on_the_friday_before_the_national_day_break() -> None:
    """Fri 29 Aug 2025: 14:59 goes that day; 15:00 waits for Wed 3 Sep, after the break."""
    assert CAL.forward_date(vn("2025-08-29T14:59:59")) == d("2025-08-29")
    assert CAL.forward_date(vn("2025-08-29T15:00:00")) == d("2025-09-03")


def test_cut_off_on_the_friday_before_tet_2026() -> None:
    """A dossier taken at 16:30 on Fri 13 Feb 2026 is forwarded on Mon 23 Feb."""
    assert CAL.forward_date(vn("2026-02-13T16:30")) == d("2026-02-23")


def test_cut_off_before_a_make_up_saturday() -> None:
    """After 15:00 on Fri 25 Apr 2025 the next working day is the make-up Sat 26 Apr."""
    assert CAL.forward_date(vn("2025-04-25T15:30")) == d("2025-04-26")
    assert CAL.forward_date(vn("2025-04-26T09:00")) == d("2025-04-26")


def test_received_on_a_day_off_goes_the_next_working_day() -> None:
    """A dossier taken on a Sunday morning is forwarded on Monday."""
    assert CAL.forward_date(vn("2026-03-01T08:00")) == d("2026-03-02")


def test_cut_off_is_read_in_vietnam_time() -> None:
    """08:00 UTC is 15:00 in Hà Nội; 20:00 UTC on Sunday is already Monday 03:00 there."""
    assert CAL.forward_date(datetime(2026, 3, 3, 7, 59, tzinfo=UTC)) == d("2026-03-03")
    assert CAL.forward_date(datetime(2026, 3, 3, 8, 0, tzinfo=UTC)) == d("2026-03-04")
    assert CAL.forward_date(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == d("2026-03-02")


def test_cut_off_hour_is_a_parameter() -> None:
    """An agency with a 17:00 cut-off forwards a 16:00 dossier the same day."""
    assert CAL.forward_date(vn("2026-03-03T16:00"), cutoff_hour=17) == d("2026-03-03")
    assert CAL.forward_date(vn("2026-03-03T16:00")) == d("2026-03-04")


@pytest.mark.parametrize("cutoff", [-1, 25, 15.5])
def test_cut_off_hour_must_be_a_whole_hour(cutoff: object) -> None:
    """The cut-off is a whole hour from 0 to 24."""
    with pytest.raises(InvalidInput) as err:
        CAL.forward_date(vn("2026-03-03T10:00"), cutoff_hour=cutoff)  # type: ignore[arg-type]
    assert err.value.code == "invalid_cutoff_hour"


def test_naive_datetimes_are_refused() -> None:
    """A received time without a zone is ambiguous by 7 hours and refused."""
    with pytest.raises(InvalidInput) as err:
        CAL.forward_date(datetime(2026, 3, 3, 10, 0))
    assert err.value.code == "naive_datetime"


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 10, 31), timezones=st.just(UTC)
    )
)
def test_forward_date_is_a_working_day_not_before_receipt(received_at: datetime) -> None:
    """The forwarding day is a working day on or after the local day of receipt."""
    day = CAL.forward_date(received_at)
    assert CAL.is_working_day(day)
    assert day >= received_at.astimezone(LOCAL_TZ).date()


# --- Building from rows -----------------------------------------------------------------


def _row(
    day: object,
    kind: str = "holiday",
    source: str = "announced",
    calendar: str = "vn_civil_service",
):
    return {
        "calendar": calendar,
        "day": day,
        "kind": kind,
        "name_vi": "Lễ",
        "name_en": "Holiday",
        "source": source,
    }


def test_from_rows_accepts_dates_and_skips_other_calendars() -> None:
    """Rows from a database may carry date objects; rows of another calendar are ignored."""
    cal = WorkCalendar.from_rows(
        [
            _row(date(2030, 1, 2)),
            _row("2030-01-05", kind="working_day"),
            _row("2031-01-01", calendar="private_sector"),
        ]
    )
    assert cal.years == {2030}
    assert not cal.is_working_day(date(2030, 1, 2))
    assert cal.is_working_day(date(2030, 1, 5))
    with pytest.raises(InvalidInput):
        cal.is_working_day(date(2031, 1, 2))


def test_calendar_is_frozen() -> None:
    """A calendar cannot be changed after it is built."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.name = "other"  # type: ignore[misc]


def test_shipped_csv_round_trips_through_read_rows() -> None:
    """read_rows gives the rows from_rows expects; building twice gives equal calendars."""
    assert WorkCalendar.from_rows(read_rows()) == CAL


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [_row("2030-01-02"), _row("2030-01-02")],
        [_row("2030-01-02", kind="working_day")],  # a Wednesday
        [_row("2030-01-02", kind="day_off")],
        [_row("2030-01-02", source="rumour")],
        [_row("02/01/2030")],
        [_row(datetime(2030, 1, 2, 0, 0))],
        [{**_row("2030-01-02"), "name_en": ""}],
    ],
)
def test_from_rows_refuses_bad_data(rows: list[dict[str, object]]) -> None:
    """Empty, duplicate, weekday make-up, bad kind, source, date or name: all refused."""
    with pytest.raises(InvalidInput) as err:
        WorkCalendar.from_rows(rows)
    assert err.value.code == "invalid_calendar_data"


def test_read_rows_refuses_a_csv_without_the_expected_columns() -> None:
    """A CSV missing a column is refused with the list of columns it lacks."""
    with pytest.raises(InvalidInput, match="source"):
        read_rows("calendar,day,kind,name_vi,name_en\nvn_civil_service,2030-01-01,holiday,a,b\n")
