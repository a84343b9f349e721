"""From file rows to intake requests (``DossierIntake``), with every error tied to its row.

Rows sharing a dossier code are one dossier, one row per leg; the dossier's columns
(everything but the leg's own: ``LEG_COLUMNS``) must be the same on each of its rows.
Times without a zone are Vietnam time (the one-stop systems export local time); dates
are ``YYYY-MM-DD`` or ``DD/MM/YYYY``. Messages name the column and the rule, never the
value: they end up in downloaded reports and logs, and a cell may hold a phone number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from logistics.imports.reading import RawRow
from logistics.intake.schemas import DossierIntake
from logistics.workdays import LOCAL_TZ

LEG_COLUMNS = frozenset({"leg", "s10", "window_start", "window_end", "to_counter_code", "parcel_count", "weight_g",
                         "fee_to_collect_vnd"})
PERSON_FIELDS = {"full_name": "name", "phone": "phone", "address": "address", "commune_code": "commune_code",
                 "lat": "lat", "lon": "lon", "id_last4": "id_last4"}
# The intake schema's whole-object rules (no location of their own) and their column.
COLUMN_OF_RULE = {
    "invalid_appointment_date": "appointment_date", "duplicate_leg": "leg", "result_delivery_mismatch": "result_delivery",
    "invalid_time_window": "window_end", "missing_to_counter": "to_counter_code",
    "unexpected_to_counter": "to_counter_code",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class RowError:
    column: str | None
    code: str
    message: str


@dataclass
class DossierRows:
    """The rows of one dossier and, once parsed, its intake request."""

    code: str
    rows: list[RawRow]
    errors: dict[int, list[RowError]] = field(default_factory=dict)  # by line
    intake: DossierIntake | None = None
    # A row repeating a leg given earlier: refused on its own, its dossier unharmed.
    repeat: bool = False

    def add_error(self, line: int | None, error: RowError) -> None:
        for row in self.rows:
            if line is None or row.line == line:
                self.errors.setdefault(row.line, []).append(error)

    @property
    def valid(self) -> bool:
        return not self.errors


class _CellError(Exception):
    def __init__(self, column: str, code: str, message: str) -> None:
        super().__init__(message)
        self.error = RowError(column, code, message)


def parse_date(column: str, text: str) -> date | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    raise _CellError(column, "invalid_date", f"{column}: not a date; write YYYY-MM-DD or DD/MM/YYYY.")


def parse_datetime(column: str, text: str) -> datetime | None:
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise _CellError(column, "invalid_datetime",
                         f"{column}: not a date and time; write YYYY-MM-DD HH:MM (Vietnam time) or ISO 8601.")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=LOCAL_TZ)


def _blank_to_none(value: str) -> str | None:
    return value or None


def _person(values: dict[str, str], prefix: str) -> dict[str, Any] | None:
    fields = {name: _blank_to_none(values.get(f"{prefix}_{column}", "")) for name, column in PERSON_FIELDS.items()}
    if prefix == "recipient" and not any(fields.values()):
        return None
    return {k: v for k, v in fields.items() if v is not None}


def _leg(row: RawRow) -> dict[str, Any]:
    v = row.values
    leg: dict[str, Any] = {"leg": v.get("leg", "").strip().lower()}
    for name in ("s10", "to_counter_code", "parcel_count", "weight_g", "fee_to_collect_vnd"):
        if v.get(name):
            leg[name] = v[name]
    for name in ("window_start", "window_end"):
        if v.get(name):
            leg[name] = parse_datetime(name, v[name])
    return leg


def _dossier_payload(first: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "dossier_code": first["dossier_code"],
        "procedure_code": first["procedure_code"],
        "agency_code": first["agency_code"],
        "received_at": parse_datetime("received_at", first["received_at"]),
        "applicant": _person(first, "applicant"),
        "legs": [],
    }
    for name in ("counter_code", "result_delivery", "document_count"):
        if first.get(name):
            payload[name] = first[name].lower() if name == "result_delivery" else first[name]
    if first.get("appointment_date"):
        payload["appointment_date"] = parse_date("appointment_date", first["appointment_date"])
    recipient = _person(first, "recipient")
    if recipient is not None:
        payload["recipient"] = recipient
    return payload


def _column_of(loc: tuple[Any, ...]) -> str | None:
    """The file column a pydantic error location points to."""
    if not loc:
        return None
    head = loc[0]
    if head in ("applicant", "recipient") and len(loc) > 1:
        return f"{head}_{PERSON_FIELDS.get(str(loc[1]), loc[1])}"
    if head == "legs" and len(loc) > 2:
        return str(loc[2])
    if head == "legs" and len(loc) == 2:
        return "leg"
    return str(head)


def parse_group(group: DossierRows) -> None:
    """Fill ``group.intake`` or its errors (cell formats, then the intake schema's rules).

    Rows already refused (a duplicate leg, conflicting columns) are left out of the
    request, so that their neighbours' own errors are still reported."""
    rows = [row for row in group.rows if row.line not in group.errors]
    if not rows:
        return
    try:
        payload = _dossier_payload(rows[0].values)
    except _CellError as bad:
        group.add_error(None, bad.error)
        return
    for row in rows:
        try:
            payload["legs"].append(_leg(row))
        except _CellError as bad:
            group.add_error(row.line, bad.error)
    if not group.valid:
        return
    try:
        group.intake = DossierIntake.model_validate(payload)
    except ValidationError as invalid:
        for error in invalid.errors(include_input=False, include_url=False):
            loc = tuple(error["loc"])
            line = rows[loc[1]].line if len(loc) > 1 and loc[0] == "legs" and isinstance(loc[1], int) else None
            column = COLUMN_OF_RULE.get(error["type"]) or _column_of(loc)
            message = f"{column}: {error['msg']}" if column else error["msg"]
            group.add_error(line, RowError(column, error["type"], message))


def group_rows(rows: Iterable[RawRow]) -> list[DossierRows]:
    """Rows grouped by dossier code. A leg given twice is refused on the later row, kept
    apart (its dossier stays valid); dossier columns that differ between the rows of one
    dossier are refused on the later row and make the dossier invalid: which one is right
    cannot be guessed."""
    groups: dict[str, DossierRows] = {}
    orphans: list[DossierRows] = []
    seen_legs: dict[tuple[str, str], int] = {}
    for row in rows:
        code = row.values.get("dossier_code", "").strip().upper()
        if not code:
            orphan = DossierRows(code="", rows=[row])
            orphan.add_error(row.line, RowError("dossier_code", "missing", "dossier_code: the dossier code is empty."))
            orphans.append(orphan)
            continue
        key = (code, row.values.get("leg", "").strip().lower())
        group = groups.setdefault(code, DossierRows(code=code, rows=[]))
        if key in seen_legs:
            repeat = DossierRows(code=code, rows=[row], repeat=True)
            repeat.add_error(row.line, RowError("leg", "duplicate_row",
                                                f"leg: dossier {code} already has this leg on line {seen_legs[key]}."))
            orphans.append(repeat)
            continue
        seen_legs[key] = row.line
        if group.rows:
            first = group.rows[0]
            differs = sorted(c for c in row.values if c not in LEG_COLUMNS
                             and row.values[c].strip() != first.values.get(c, "").strip())
            if differs:
                group.rows.append(row)
                group.add_error(row.line, RowError(differs[0], "conflicting_dossier_fields",
                                                   f"{', '.join(differs)}: differ from line {first.line} of the same dossier."))
                continue
        group.rows.append(row)
    return list(groups.values()) + orphans
