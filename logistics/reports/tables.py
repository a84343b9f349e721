"""Reports as sheets: a title, column headings (Vietnamese, English) and rows, written
as CSV (UTF-8 with a BOM, so that Excel shows the diacritics) or XLSX (openpyxl).

Text that a spreadsheet would run as a formula (starting with ``= + - @``, or a tab or
carriage return) is written with a leading apostrophe: names come from catalogues that
other people type, and openpyxl stores a string starting with ``=`` as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Sheet:
    name: str  # short: the XLSX tab and the file name
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = ()  # lines above the table (the apology of a published list)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Cell) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for note in sheet.notes:
        writer.writerow([_text(note)])
    writer.writerow([_text(c) for c in sheet.columns])
    writer.writerows([_text(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet.name[:31]
    ws.append([_text(sheet.title)])
    ws["A1"].font = Font(bold=True, size=13)
    for note in sheet.notes:
        ws.append([_text(note)])
    ws.append([_text(c) for c in sheet.columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    header_row = ws.max_row
    for row in sheet.rows:
        ws.append([_text(v) if isinstance(v, (date, str)) else v for v in row])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for i, heading in enumerate(sheet.columns, start=1):
        width = max([len(str(heading))] + [len(str(_text(r[i - 1]))) for r in sheet.rows[:200]])
        ws.column_dimensions[ws.cell(row=header_row, column=i).column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
