"""Reports on a small week of results: verdicts against the appointment date in working
days, the rate per agency, commune and office, the late list (published without personal
data), postmen's productivity, volumes per leg, and who may read what."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from logistics.exceptions import Forbidden, InvalidInput
from logistics.models.enums import LegKind, Role
from logistics.reports import late, ontime, productivity, scope, sheets, tables, volumes
from logistics.reports.outcomes import Responsible, Verdict, dossier_outcomes, working_days_after
from logistics.workdays import WorkCalendar
from tests.logistics.reports.report_factories import APPLICANT, RANGE, TODAY, build_report_world


@pytest.fixture()
def rw(session):
    return build_report_world(session)


def _admin_scope(rw, office=None):
    return scope.resolve(rw.world.admin, date_from=RANGE[0], date_to=date(2026, 12, 31), post_office_id=office)


def test_verdicts_count_working_days(session, rw):
    outcomes = {o.dossier_code: o for o in dossier_outcomes(session, _admin_scope(rw), today=TODAY)}
    verdict = {tag: (outcomes[code].verdict, outcomes[code].working_days_late) for tag, code in rw.codes.items()}
    assert verdict == {
        "D1": (Verdict.ON_TIME, 0), "D2": (Verdict.LATE, 1), "D3": (Verdict.ON_TIME, 0),
        "D4": (Verdict.OVERDUE, 3), "D5": (Verdict.OPEN, 0), "D6": (Verdict.LATE, 1),
    }
    assert outcomes[rw.codes["D2"]].responsible is Responsible.AGENCY
    assert outcomes[rw.codes["D4"]].responsible is Responsible.POST
    assert outcomes[rw.codes["D1"]].responsible is None


def test_working_days_skip_weekends_and_holidays():
    calendar = WorkCalendar.default()
    assert working_days_after(calendar, date(2026, 11, 20), date(2026, 11, 23)) == 1  # Fri -> Mon
    assert working_days_after(calendar, date(2026, 11, 20), date(2026, 11, 22)) == 0  # the weekend
    assert working_days_after(calendar, date(2026, 11, 23), date(2026, 11, 25)) == 1  # 24/11 Culture Day off
    assert working_days_after(calendar, date(2031, 1, 1), date(2031, 1, 8)) == 7  # uncovered year: calendar days


def test_rate_per_agency_commune_and_office(session, rw):
    outcomes = dossier_outcomes(session, _admin_scope(rw), today=TODAY)
    by_agency = {r.code: r for r in ontime.on_time_rate(outcomes, ontime.GroupBy.AGENCY)}
    a, b = by_agency[rw.world.a.agency.code], by_agency[rw.world.b.agency.code]
    assert (a.on_time, a.late, a.overdue, a.open, a.rate, a.working_days_late) == (2, 1, 1, 1, 0.5, 4)
    assert (b.on_time, b.late, b.rate) == (0, 1, 0.0)
    assert list(by_agency) == [rw.world.b.agency.code, rw.world.a.agency.code]  # worst first
    by_commune = {r.code: r for r in ontime.on_time_rate(outcomes, ontime.GroupBy.COMMUNE)}
    assert by_commune[rw.world.a.commune_code].name == "Phường Quy Nhơn Bắc"
    by_office = {r.code: r.rate for r in ontime.on_time_rate(outcomes, ontime.GroupBy.POST_OFFICE)}
    assert by_office == {"PO-A": 0.5, "PO-B": 0.0}
    assert ontime.total(by_agency.values()).rate == round(2 / 5, 4)


def test_office_filter(session, rw):
    only_b = dossier_outcomes(session, _admin_scope(rw, rw.world.b.post_office.id), today=TODAY)
    assert [o.dossier_code for o in only_b] == [rw.codes["D6"]]


def test_published_late_list_has_no_personal_data(session, rw):
    outcomes = dossier_outcomes(session, _admin_scope(rw), today=TODAY)
    rows = late.late_dossiers(outcomes, agency_code=rw.world.a.agency.code)
    assert [r.dossier_code for r in rows] == [rw.codes["D4"], rw.codes["D2"]]  # most days late first
    sheet = sheets.late_sheet(rows, _admin_scope(rw), published=True, unit_name=rw.world.a.agency.name)
    text = tables.to_csv(sheet).decode("utf-8-sig")
    assert "xin lỗi" in text and rw.codes["D4"] in text and "Chưa trả" in text and "Bưu điện" in text
    for private in (APPLICANT, "0912", "+8491", "12 Nguyễn Huệ", rw.items["D4"].s10):
        assert private not in text
    assert set(rows[0].published()) == {"dossier_code", "procedure", "agency", "appointment_date",
                                        "result_given_on", "working_days_late", "responsible"}
    assert rows[0].internal()["s10"] == rw.items["D4"].s10


def test_productivity(session, rw):
    [row] = productivity.productivity(session, _admin_scope(rw))
    assert (row.routes, row.stops_done, row.items, row.km, row.hours) == (1, 2, 2, 12.3, 2.5)
    assert (row.attempted, row.first_attempt_delivered, row.first_attempt_rate) == (2, 1, 0.5)
    assert productivity.productivity(session, _admin_scope(rw, rw.world.b.post_office.id)) == []


def test_volumes_per_leg(session, rw):
    days, legs = volumes.volumes(session, _admin_scope(rw))
    delivery = next(v for v in legs if v.leg is LegKind.HOME_DELIVERY)
    assert (delivery.items, delivery.done) == (6, 4)
    assert delivery.per_day[date(2026, 11, 19)] == 2 and sum(delivery.per_day.values()) == 6
    assert len(days) == (date(2026, 12, 31) - RANGE[0]).days + 1


def test_xlsx_and_csv_carry_the_rows(session, rw):
    outcomes = dossier_outcomes(session, _admin_scope(rw), today=TODAY)
    rows = ontime.on_time_rate(outcomes, ontime.GroupBy.AGENCY)
    sheet = sheets.on_time_sheet(rows, ontime.GroupBy.AGENCY, _admin_scope(rw))
    book = load_workbook(io.BytesIO(tables.to_xlsx(sheet)))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][0].startswith("Tỷ lệ trả kết quả đúng hẹn") and values[1][0] == "Mã / Code"
    assert values[2][:7] == (rw.world.b.agency.code, "Cơ quan B", 0, 1, 0, 0, 0.0)
    parsed = list(csv.reader(io.StringIO(tables.to_csv(sheet).decode("utf-8-sig"))))
    assert parsed[1][:4] == [rw.world.b.agency.code, "Cơ quan B", "0", "1"]


def test_who_may_read(rw):
    dispatcher_a = rw.world.a.users[Role.DISPATCHER]
    mine = scope.resolve(dispatcher_a, date_from=RANGE[0], date_to=RANGE[1], post_office_id=None)
    assert mine.post_office_id == rw.world.a.post_office.id
    with pytest.raises(Forbidden) as other:
        scope.resolve(dispatcher_a, date_from=RANGE[0], date_to=RANGE[1], post_office_id=rw.world.b.post_office.id)
    assert other.value.code == "other_post_office"
    with pytest.raises(Forbidden):
        scope.resolve(rw.world.a.users[Role.AGENCY_CLERK], date_from=RANGE[0], date_to=RANGE[1], post_office_id=None)
    with pytest.raises(InvalidInput) as backwards:
        scope.resolve(rw.world.admin, date_from=RANGE[1], date_to=RANGE[0], post_office_id=None)
    assert backwards.value.code == "invalid_date_range"


def test_formulas_are_written_as_text():
    sheet = tables.Sheet(name="x", title="t", columns=["a", "b"], rows=[["=HYPERLINK(\"http://x\")", 3]])
    assert load_workbook(io.BytesIO(tables.to_xlsx(sheet))).active["A3"].value == "'=HYPERLINK(\"http://x\")"
    assert "'=HYPERLINK" in tables.to_csv(sheet).decode("utf-8-sig")
