"""Reading an import file: CSV (UTF-8, with or without BOM, comma or semicolon) or XLSX
(the first sheet), a header row, then one row per leg of a dossier.

Cells come back as text: XLSX dates become ISO dates, whole numbers lose their ``.0``
(a commune code typed as a number), so that ``rows`` parses one kind of input. The
header names are the ``COLUMNS`` below, in any order and case; unknown columns are
refused rather than silently ignored (a typo would drop data).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from logistics.exceptions import InvalidInput

REQUIRED: Final = (
    "dossier_code", "procedure_code", "agency_code", "received_at", "leg",
    "applicant_name", "applicant_phone", "applicant_address", "applicant_commune_code", "applicant_lat", "applicant_lon",
)
OPTIONAL: Final = (
    "counter_code", "appointment_date", "result_delivery", "document_count",
    "recipient_name", "recipient_phone", "recipient_address", "recipient_commune_code", "recipient_lat", "recipient_lon",
    "s10", "window_start", "window_end", "to_counter_code", "parcel_count", "weight_g", "fee_to_collect_vnd",
)
COLUMNS: Final = REQUIRED + OPTIONAL
MAX_ROWS: Final = 5000
MAX_BYTES: Final = 10 * 1024 * 1024


@dataclass(frozen=True)
class RawRow:
    line: int  # as a spreadsheet numbers it: the header is line 1
    values: dict[str, str]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The CSV file is not UTF-8; save it as 'CSV UTF-8'.", code="import_bad_encoding") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput("The file is not a readable XLSX workbook.", code="import_unreadable_file") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(filename: str, content: bytes) -> tuple[list[str], list[RawRow]]:
    """The header and the non-empty rows of ``content`` (a ``.csv`` or ``.xlsx`` file)."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", code="import_too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif name.endswith(".csv"):
        table = _csv_rows(content)
    else:
        raise InvalidInput("Upload a .csv or .xlsx file.", code="import_unsupported_file")
    if not table:
        raise InvalidInput("The file is empty.", code="import_empty")
    header = [h.strip().lower() for h in table[0]]
    while header and not header[-1]:
        header.pop()
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if unknown or missing or duplicated:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(unknown)}")
        if duplicated:
            parts.append(f"columns given twice: {', '.join(duplicated)}")
        raise InvalidInput(f"The header row is wrong ({'; '.join(parts)}).", code="import_bad_header")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: (cells[i].strip() if i < len(cells) and cells[i] is not None else "") for i, h in enumerate(header)}
        if any(values.values()):
            rows.append(RawRow(line=number, values=values))
    if not rows:
        raise InvalidInput("The file has a header but no rows.", code="import_empty")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"At most {MAX_ROWS} rows per file; split it.", code="import_too_many_rows")
    return header, rows
