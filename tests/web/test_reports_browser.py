"""Debian's Chromium driven by Playwright against a server on a seeded PostgreSQL
database (real commits): the reports page signs in, draws its charts from the data, the
CSV and XLSX exports download with the right rows, the published late list has no
personal data; the import page shows a broken file's errors row by row and writes
nothing. Screenshots go to test-artifacts/ (PLATFORM.md §4)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlmodel import Session

from logistics.config import Settings
from logistics.models.enums import LegKind
from logistics.db import make_engine
from logistics.models import Dossier
from support.browser import chromium, serving
from tests.logistics.imports.import_files import as_csv, row
from tests.logistics.reports.report_factories import APPLICANT, TODAY, build_report_world
from tests.web.factories import PASSWORD
from web.app import create_app
from web.routers import reports

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture()
def served(pg_server_url, monkeypatch) -> Iterator[tuple[str, object, object]]:
    from logistics.migrate import upgrade
    from support.servers import fresh_database

    monkeypatch.setattr(reports, "_today", lambda: TODAY)
    ARTIFACTS.mkdir(exist_ok=True)
    with fresh_database(pg_server_url) as url:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            rw = build_report_world(session)
            session.commit()
        try:
            with serving(create_app(Settings(database_url=url))) as base:
                yield base, rw, engine
        finally:
            engine.dispose()


def _sign_in(page) -> None:
    page.fill("#sign-in-form input[name=username]", "admin")
    page.fill("#sign-in-form input[name=password]", PASSWORD)
    page.click("#sign-in-form button")


def test_reports_page_charts_and_exports(served, tmp_path):
    base, rw, _engine = served
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page.goto(f"{base}/reports?date_from=2026-11-16&date_to=2026-11-30")
        _sign_in(page)
        page.wait_for_function("window.reportsReady === true", timeout=20_000)
        # The charts are drawn from the data: on time per agency (B first, the worse one).
        on_time = page.evaluate("Chart.getChart('chart-on-time').data.datasets.map(d => d.data)")
        assert on_time == [[0, 2], [1, 1], [0, 1]]
        assert page.evaluate("Chart.getChart('chart-volumes').data.datasets.length") == len(LegKind)  # one per leg
        assert page.evaluate("Chart.getChart('chart-productivity').data.labels") == ["Nhân viên postman a"]
        assert page.locator("#table-late tbody tr").count() == 3
        page.screenshot(path=str(ARTIFACTS / "reports-page-vi.png"), full_page=True)

        with page.expect_download() as download:
            page.click("#on-time [data-export='on-time'][data-format='csv']")
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == "dung-hen-agency.csv"
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        assert rows[1][:6] == [rw.world.b.agency.code, "Cơ quan B", "0", "1", "0", "0"]
        assert rows[2][:6] == [rw.world.a.agency.code, "Cơ quan A", "2", "1", "1", "0"]  # D5 is due after the range

        page.select_option("#late-agency", rw.world.a.agency.code)
        page.check("#late-published")
        page.wait_for_selector("#late-apology:not([hidden])")
        assert "xin lỗi" in page.locator("#late-apology").inner_text()
        page.screenshot(path=str(ARTIFACTS / "reports-late-published.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#late [data-export='late-dossiers'][data-format='xlsx']")
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        values = list(load_workbook(path).active.iter_rows(values_only=True))
        codes = [r[1] for r in values if r and isinstance(r[0], int)]
        assert codes == [rw.codes["D4"], rw.codes["D2"]]
        text = " ".join(str(v) for r in values for v in r if v is not None)
        assert "xin lỗi" in text and APPLICANT not in text and rw.items["D4"].s10 not in text

        page.click("#lang-switch")
        page.wait_for_function("window.reportsReady === true", timeout=20_000)
        assert page.locator("header h1").inner_text() == "Service reports"
        assert page.input_value("#filters input[name=date_from]") == "2026-11-16"  # the switch keeps the filters
        assert page.locator("#table-on-time tbody tr").count() == 2
        page.screenshot(path=str(ARTIFACTS / "reports-page-en.png"), full_page=True)


def test_import_page_shows_row_errors_and_writes_nothing(served, tmp_path):
    base, _rw, engine = served
    with Session(engine) as session:
        before = session.execute(select(func.count()).select_from(Dossier)).scalar_one()
    broken = tmp_path / "ho-so.csv"
    broken.write_bytes(as_csv([row(31), row(32, applicant_commune_code="99999"), row(33, applicant_phone="12345"),
                               row(31)]))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(f"{base}/imports")
        _sign_in(page)
        page.set_input_files("#import-form input[name=file]", str(broken))
        page.click("#import-form button[value=import]")
        page.wait_for_function("window.importDone === true", timeout=20_000)
        assert "chưa ghi gì" in page.locator("#import-msg").inner_text()
        statuses = page.locator("#table-import tbody tr").evaluate_all("rows => rows.map(r => r.dataset.status)")
        assert statuses == ["valid", "error", "error", "error"]
        errors = page.locator("#table-import tbody tr td:nth-child(5)").all_inner_texts()
        assert errors[1].startswith("unknown_commune") and errors[2].startswith("invalid_phone")
        assert errors[3].startswith("duplicate_row")
        page.screenshot(path=str(ARTIFACTS / "imports-refused.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#download-report")
        report = download.value.path().read_text("utf-8-sig")
        assert "unknown_commune" in report and "Trần Thị Bích" not in report
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Dossier)).scalar_one() == before
