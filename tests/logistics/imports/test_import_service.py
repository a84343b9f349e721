"""Bulk import: every row checked (formats, intake rules, duplicates), nothing written
when a row is refused unless the valid dossiers only are asked for, idempotent by
dossier code and leg, CSV and XLSX alike."""

from __future__ import annotations

import pytest
from sqlmodel import select

from logistics.exceptions import Forbidden, InvalidInput
from logistics.imports import reading, service
from logistics.models import Dossier, Item
from logistics.models.enums import LegKind, Role
from tests.logistics.imports.import_files import as_csv, as_xlsx, good_rows, row
from tests.web.factories import build_world, row_counts, s10


@pytest.fixture()
def world(session):
    return build_world(session)


def _run(session, world, content: bytes, name: str = "hs.csv", **kw):
    _header, rows = reading.read_table(name, content)
    return service.import_rows(session, actor=world.admin, rows=rows, **kw)


def _statuses(report):
    return [(r.line, r.status.value) for r in report.rows]


def test_csv_imports_then_reimport_changes_nothing(session, world):
    report = _run(session, world, as_csv(good_rows()))
    assert report.written and _statuses(report) == [(2, "created"), (3, "created"), (4, "created")]
    dossier = session.exec(select(Dossier).where(Dossier.code == "000.00.22.H21-261120-0001")).one()
    legs = {i.leg for i in session.exec(select(Item).where(Item.dossier_id == dossier.id))}
    assert legs == {LegKind.COUNTER_TO_AGENCY, LegKind.HOME_DELIVERY}
    assert str(dossier.appointment_date) == "2026-11-27"
    before = row_counts(session)
    again = _run(session, world, as_csv(good_rows()))
    assert not again.written and _statuses(again) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    assert row_counts(session) == before


def test_xlsx_with_numeric_cells_and_semicolon_csv(session, world):
    report = _run(session, world, as_xlsx(good_rows()), "hs.xlsx")
    assert report.written and report.counts["created"] == 3
    again = _run(session, world, as_csv(good_rows(), delimiter=";"))
    assert again.counts["unchanged"] == 3


def test_broken_rows_are_reported_one_by_one_and_nothing_is_written(session, world):
    before = row_counts(session)
    rows = [
        row(1),                                             # line 2: fine
        row(2, applicant_commune_code="99999"),             # 3: unknown commune
        row(3, applicant_phone="0243 825 1234"),            # 4: a landline
        row(4, received_at="31/02/2026 09:00"),             # 5: no such day
        row(1),                                             # 6: line 2 again
        row(5, procedure_code="9.999999"),                  # 7: unknown procedure
        row(6, agency_code="000.00.99.H99",                 # 8: unknown agency
            dossier_code="000.00.99.H99-261120-0006"),
        row(7, leg="teleport"),                             # 9: not a leg
        row(8, appointment_date="2026-11-01"),              # 10: before it was received
    ]
    report = _run(session, world, as_csv(rows))
    assert not report.written and not report.ok
    errors = {r.line: [(e.column, e.code) for e in r.errors] for r in report.rows}
    assert errors[2] == [] and report.rows[0].status.value == "valid"
    assert errors[3] == [("applicant_commune_code", "unknown_commune")]
    assert errors[4] == [("applicant_phone", "invalid_phone")]
    assert errors[5] == [("received_at", "invalid_datetime")]
    assert errors[6] == [("leg", "duplicate_row")]
    assert errors[7] == [("procedure_code", "unknown_procedure")]
    assert errors[8] == [("agency_code", "unknown_agency")]
    assert errors[9][0][0] == "leg"
    assert errors[10] == [("appointment_date", "invalid_appointment_date")]
    messages = " ".join(e.message for r in report.rows for e in r.errors)
    assert "Trần Thị Bích" not in messages and "825 1234" not in messages and "5 Lê Lợi" not in messages
    assert row_counts(session) == before


def test_valid_only_writes_the_valid_dossiers(session, world):
    rows = [row(1), row(1, "home_delivery"), row(2, applicant_commune_code="99999"), row(3)]
    report = _run(session, world, as_csv(rows), mode=service.Mode.VALID_ONLY)
    assert report.written and _statuses(report) == [(2, "created"), (3, "created"), (4, "error"), (5, "created")]
    codes = set(session.exec(select(Dossier.code)))
    assert "000.00.22.H21-261120-0001" in codes and "000.00.22.H21-261120-0003" in codes
    assert "000.00.22.H21-261120-0002" not in codes


def test_a_dossier_with_one_bad_leg_is_left_out_whole(session, world):
    rows = [row(1), row(1, "home_delivery", s10="EB123456789VN")]  # wrong check digit
    report = _run(session, world, as_csv(rows), mode=service.Mode.VALID_ONLY)
    assert not report.written and _statuses(report) == [(2, "valid"), (3, "error")]
    assert report.rows[1].errors[0].column == "s10"
    assert session.exec(select(Dossier)).all() == []


def test_dry_run_writes_nothing(session, world):
    before = row_counts(session)
    report = _run(session, world, as_csv(good_rows()), dry_run=True)
    assert report.ok and not report.written and report.counts["valid"] == 3
    assert row_counts(session) == before


def test_new_leg_of_an_existing_dossier_is_refused(session, world):
    _run(session, world, as_csv([row(1)]))
    report = _run(session, world, as_csv([row(1), row(1, "home_delivery")]))
    assert _statuses(report) == [(2, "unchanged"), (3, "error")]
    assert report.rows[1].errors[0].code == "leg_not_in_dossier"


def test_conflicting_dossier_columns(session, world):
    report = _run(session, world, as_csv([row(1), row(1, "home_delivery", appointment_date="28/11/2026")]))
    assert report.rows[1].errors[0].code == "conflicting_dossier_fields"
    assert report.rows[1].errors[0].column == "appointment_date"


@pytest.mark.parametrize(("name", "content", "code"), [
    ("hs.csv", b"dossier_code,leg\n", "import_bad_header"),
    ("hs.csv", ",".join(reading.COLUMNS).encode() + b",colour\n", "import_bad_header"),
    ("hs.txt", b"x", "import_unsupported_file"),
    ("hs.xlsx", b"not a zip", "import_unreadable_file"),
    ("hs.csv", ",".join(reading.COLUMNS).encode() + b"\n", "import_empty"),
    ("hs.csv", "dossier_code\n".encode("utf-16"), "import_bad_encoding"),
])
def test_unreadable_files(name, content, code):
    with pytest.raises(InvalidInput) as refused:
        reading.read_table(name, content)
    assert refused.value.code == code


def test_only_dispatchers_and_admins(session, world):
    _header, rows = reading.read_table("hs.csv", as_csv(good_rows()))
    with pytest.raises(Forbidden):
        service.import_rows(session, actor=world.a.users[Role.COUNTER_CLERK], rows=rows)


def test_one_s10_on_two_dossiers_and_an_unknown_receiving_counter(session, world):
    label = s10(30_000_001)
    rows = [row(1, s10=label), row(2, s10=label),
            row(3, "commune_transfer", to_counter_code="CT-NOWHERE", s10=s10(30_000_003))]
    report = _run(session, world, as_csv(rows))
    errors = {r.line: [(e.column, e.code) for e in r.errors] for r in report.rows}
    assert errors == {2: [], 3: [("s10", "s10_reused")], 4: [("to_counter_code", "unknown_counter")]}
    assert session.exec(select(Dossier)).all() == []
