"""Import files for the tests: rows as dicts, written as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from logistics.imports.reading import COLUMNS
from tests.web.factories import AGENCY_A, AGENCY_B, COMMUNE_A, COMMUNE_B, PROCEDURE, s10


def row(number: int, leg: str = "counter_to_agency", *, agency: str = AGENCY_A, commune=COMMUNE_A,
        **overrides: Any) -> dict[str, Any]:
    code, _name, lat, lon = commune
    values: dict[str, Any] = {
        "dossier_code": f"{agency}-261120-{number:04d}", "procedure_code": PROCEDURE, "agency_code": agency,
        "counter_code": "CT-A", "received_at": "2026-11-20 09:30", "appointment_date": "27/11/2026",
        "result_delivery": "home", "applicant_name": "Trần Thị Bích", "applicant_phone": "0912 345 678",
        "applicant_address": "5 Lê Lợi", "applicant_commune_code": code, "applicant_lat": f"{lat + 0.004:.5f}",
        "applicant_lon": f"{lon + 0.003:.5f}", "leg": leg,
    }
    if leg == "counter_to_agency":
        values["s10"] = s10(20_000_000 + number)
    values.update(overrides)
    return values


def good_rows() -> list[dict[str, Any]]:
    """Two dossiers: the first with two legs, the second (agency B, commune B) with one."""
    return [
        row(1),
        row(1, "home_delivery"),
        row(2, agency=AGENCY_B, commune=COMMUNE_B, counter_code="CT-B"),
    ]


def as_csv(rows: list[dict[str, Any]], *, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for r in rows:
        # Spreadsheet users type codes and coordinates as numbers: the reader copes.
        cells = []
        for column in COLUMNS:
            value = r.get(column, "")
            if column in ("applicant_lat", "applicant_lon"):
                value = float(value)
            elif column == "applicant_commune_code":
                value = int(value)
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
