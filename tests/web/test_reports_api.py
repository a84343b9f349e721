"""The reports API: JSON for the page, CSV and XLSX files with the same rows, the
published late list without personal data, and a dispatcher kept to their office."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from logistics.models.enums import Role
from web.routers import reports
from tests.logistics.reports.report_factories import APPLICANT, TODAY, build_report_world

RANGE = {"date_from": "2026-11-16", "date_to": "2026-11-30"}


@pytest.fixture()
def rw(session, monkeypatch):
    monkeypatch.setattr(reports, "_today", lambda: TODAY)
    return build_report_world(session)


def test_on_time_json_for_an_admin(client, rw):
    body = client.get("/api/v1/reports/on-time", params=RANGE, headers=rw.world.headers(rw.world.admin)).json()
    assert body["total"]["on_time"] == 2 and body["total"]["late"] == 2 and body["total"]["overdue"] == 1
    assert [r["code"] for r in body["rows"]] == ["000.00.23.H21", "000.00.22.H21"]
    by_office = client.get("/api/v1/reports/on-time", params={**RANGE, "group_by": "post_office"},
                           headers=rw.world.headers(rw.world.admin)).json()
    assert {r["code"]: r["rate"] for r in by_office["rows"]} == {"PO-A": 0.5, "PO-B": 0.0}


def test_dispatcher_sees_own_office_and_is_refused_another(client, rw):
    dispatcher = rw.world.a.users[Role.DISPATCHER]
    body = client.get("/api/v1/reports/on-time", params={**RANGE, "group_by": "post_office"},
                      headers=rw.world.headers(dispatcher)).json()
    assert [r["code"] for r in body["rows"]] == ["PO-A"] and body["post_office_id"] == rw.world.a.post_office.id
    refused = client.get("/api/v1/reports/volumes", params={**RANGE, "post_office_id": rw.world.b.post_office.id},
                         headers=rw.world.headers(dispatcher))
    assert refused.status_code == 403 and refused.json()["error"] == "other_post_office"
    offices = client.get("/api/v1/reports/post-offices", headers=rw.world.headers(dispatcher)).json()
    assert [o["code"] for o in offices] == ["PO-A"]
    clerk = client.get("/api/v1/reports/on-time", headers=rw.world.headers(rw.world.a.users[Role.AGENCY_CLERK]))
    assert clerk.status_code == 403
    backwards = client.get("/api/v1/reports/on-time", params={"date_from": "2026-11-30", "date_to": "2026-11-01"},
                           headers=rw.world.headers(dispatcher))
    assert backwards.status_code == 422 and backwards.json()["error"] == "invalid_date_range"


def test_csv_and_xlsx_exports(client, rw):
    headers = rw.world.headers(rw.world.admin)
    response = client.get("/api/v1/reports/productivity", params={**RANGE, "format": "csv"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="nang-suat-buu-ta.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Bưu tá / Postman" and rows[1][:4] == ["Nhân viên postman a", "1", "2", "2"]
    response = client.get("/api/v1/reports/volumes", params={**RANGE, "format": "xlsx"}, headers=headers)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert values["home_delivery"][2:4] == (6, 4)


def test_published_late_list(client, rw):
    headers = rw.world.headers(rw.world.admin)
    params = {**RANGE, "agency_code": rw.world.a.agency.code, "published": "true"}
    body = client.get("/api/v1/reports/late-dossiers", params=params, headers=headers).json()
    assert [r["dossier_code"] for r in body["rows"]] == [rw.codes["D4"], rw.codes["D2"]]
    assert "xin lỗi" in body["apology_vi"] and "apologises" in body["apology_en"]
    assert "s10" not in body["rows"][0]
    xlsx = client.get("/api/v1/reports/late-dossiers", params={**params, "format": "xlsx"}, headers=headers)
    text = " ".join(str(v) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
                    for v in row if v is not None)
    assert rw.codes["D4"] in text and "xin lỗi" in text
    for private in (APPLICANT, "+8491", "12 Nguyễn Huệ", rw.items["D4"].s10):
        assert private not in text and private not in str(body)
    internal = client.get("/api/v1/reports/late-dossiers", params=RANGE, headers=headers).json()
    assert internal["rows"][0]["s10"] == rw.items["D4"].s10 and len(internal["rows"]) == 3


def test_pages_render_in_both_languages(client):
    html = client.get("/reports").text
    assert 'lang="vi"' in html and "Tỷ lệ trả kết quả đúng hẹn" in html and "/static/vendor/chartjs/chart.umd.min.js" in html
    assert 'href="/imports"' in html
    assert "On-time rate" in client.get("/reports?lang=en").text
    assert "Nhập hồ sơ" in client.get("/imports").text
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200
