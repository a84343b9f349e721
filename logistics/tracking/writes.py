"""Writing a batch of scans in one statement: the items' folded state and the new scan
events.

On PostgreSQL a batch's rows travel as JSON documents, unpacked by the server
(``jsonb_to_recordset``): the items by an ``UPDATE ... FROM`` run as a CTE of the events'
``INSERT ... SELECT ... RETURNING``, one statement of fixed text whatever the batch
size (one round trip for a phone's single scan, where two Core statements cost 4 % more
of its request, callgrind 2026-12). An ``executemany`` costs SQLAlchemy and psycopg
work per row, an ``INSERT ... VALUES`` of 100 rows is a long query string psycopg
parses again on every batch, and arrays or ``COPY`` rows are dumped value by value in
Python; ``json.dumps`` writes the whole batch in C (bench/scan_ingest.py, cProfile,
2026-11). SQLite uses plain statements through SQLAlchemy Core.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_dirty
from sqlmodel import Session

from logistics.models import Item, ScanEvent
from logistics.models.enums import FailureAction, FailureReason, HolderKind, ItemStatus, ScanCode, ScanOutcome
from logistics.once import built_once

@dataclass(slots=True)
class NewScan:
    """A scan event about to be inserted: the columns of ``scan_event``, without the
    ORM's per-object cost."""

    client_event_id: uuid.UUID
    code: ScanCode
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    failure_reason: FailureReason | None
    failure_action: FailureAction | None
    retry_on: date | None
    device_id: str | None
    item_id: int | None
    s10: str
    actor_user_id: int
    handover_id: int | None
    device_time: datetime
    received_at: datetime
    outcome: ScanOutcome = ScanOutcome.REJECTED
    status_after: ItemStatus | None = None
    reject_code: str | None = None
    proof: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    holder_kind: HolderKind | None = None
    holder_ref_id: int | None = None
    id: int | None = None


SCAN_COLUMNS = tuple(f.name for f in fields(NewScan) if f.name != "id")
# What a fold changes on an item (``fold.fold_item`` and ``fold.ensure_base``).
FOLDED_COLUMNS = (
    "status", "status_at", "holder_kind", "holder_ref_id", "updated_at", "last_scan_at",
    "scan_base_status", "scan_base_at", "scan_base_holder_kind", "scan_base_holder_ref_id",
)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _json_value(value: Any) -> Any:
    """``json.dumps``'s fallback for the column values JSON has no type for (enums are
    ``str`` already; dicts and lists nest as they are)."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:  # as the UTCDateTime columns do
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        return value.isoformat()
    if isinstance(value, (date, uuid.UUID)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not a column value")


def _records(rows: Sequence[Any], columns: Sequence[str]) -> str:
    """``rows`` as a JSON array of objects of ``columns``, for ``jsonb_to_recordset``."""
    return json.dumps([{c: getattr(r, c) for c in columns} for r in rows], default=_json_value, ensure_ascii=False)


@functools.cache
def _pg_insert() -> str:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    table = ScanEvent.__table__
    types = ", ".join(f"{c} {table.c[c].type.compile(dialect=dialect)}" for c in SCAN_COLUMNS)
    columns = ", ".join(SCAN_COLUMNS)
    return (f"INSERT INTO scan_event ({columns}) SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS v({types})"
            " RETURNING id, client_event_id")


@built_once
def _insert_one() -> sa.Insert:
    return sa.insert(ScanEvent.__table__).returning(ScanEvent.__table__.c.id)


# PostgreSQL types of the folded columns, for the records of the bulk UPDATE.
_PG_TYPES = {
    "status": "varchar", "status_at": "timestamptz", "holder_kind": "varchar", "holder_ref_id": "integer",
    "updated_at": "timestamptz", "last_scan_at": "timestamptz", "scan_base_status": "varchar",
    "scan_base_at": "timestamptz", "scan_base_holder_kind": "varchar", "scan_base_holder_ref_id": "integer",
}
_PG_UPDATE = (
    "UPDATE item SET " + ", ".join(f"{c} = v.{c}" for c in FOLDED_COLUMNS)
    + " FROM jsonb_to_recordset(%s::jsonb) AS v(id integer, " + ", ".join(f"{c} {_PG_TYPES[c]}" for c in FOLDED_COLUMNS) + ")"
    + " WHERE item.id = v.id AND item.id = ANY(%s::integer[])"
)
# The ids' array is the same condition said again, for the planner: it cannot see how many
# records a JSON document holds (it guesses 100), so it hashed them against a scan of the
# whole item table, ~1.2 ms for one event on 5,000 items and growing with the table; the
# array gives it the primary key's index (0.07 ms). pg_stat_statements, 2026-12.


def write_scans(session: Session, items: Collection[Item], rows: Sequence[NewScan]) -> None:
    """Write the folded state of ``items`` (set in memory by the fold as loaded state)
    and insert ``rows`` (distinct client ids) into ``scan_event``, setting their ``id``.

    The items are also flagged for the session's next flush, which writes nothing for
    them but records them as changed in the transaction: a rollback (of this savepoint
    or of an enclosing one) then expires them, as it would after an ORM update."""
    items = sorted(items, key=lambda i: i.id)
    for item in items:
        flag_dirty(item)
    if _is_postgres(session):
        if not rows and not items:
            return
        statement, params = (_pg_insert(), [_records(rows, SCAN_COLUMNS)]) if rows else (_PG_UPDATE, [])
        if items and rows:
            statement = f"WITH item_update AS ({_PG_UPDATE}) {statement}"
        params = [_records(items, ("id", *FOLDED_COLUMNS)), [i.id for i in items]] + params if items else params
        # Through SQLAlchemy, not the driver's cursor: a refusal raises its IntegrityError
        # (the caller tells a copy sent twice by it) and a lost connection is marked so.
        result = session.connection().exec_driver_sql(statement, tuple(params))
        ids = {cid: row_id for row_id, cid in result} if rows else {}
        for row in rows:
            row.id = ids[row.client_event_id]
        return
    connection = session.connection()
    if items:
        params = [{"item_id": i.id, **{f"new_{c}": getattr(i, c) for c in FOLDED_COLUMNS}} for i in items]
        connection.execute(_update_items(), params[0] if len(params) == 1 else params)
    if len(rows) == 1:
        rows[0].id = connection.execute(_insert_one(), {c: getattr(rows[0], c) for c in SCAN_COLUMNS}).scalar_one()
    elif rows:
        table = ScanEvent.__table__
        statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = connection.execute(statement, [{c: getattr(r, c) for c in SCAN_COLUMNS} for r in rows]).scalars().all()
        for row, row_id in zip(rows, ids, strict=True):
            row.id = row_id


@built_once
def _update_items() -> sa.Update:
    table = Item.__table__
    return sa.update(table).where(table.c.id == sa.bindparam("item_id")).values(
        {c: sa.bindparam(f"new_{c}", type_=table.c[c].type) for c in FOLDED_COLUMNS}
    )
