"""Writing a batch of scans in a few statements: the new scan events, the items' folded
state.

On PostgreSQL a batch's events go in by ``COPY`` (ids drawn from the sequence first)
and its items are updated by one ``UPDATE ... FROM unnest(...)``: a statement of fixed
text whatever the batch size, where an ``executemany`` costs SQLAlchemy and psycopg
work per row and an ``INSERT ... VALUES`` of 100 rows is a long query string psycopg
parses again on every batch (bench/scan_ingest.py, cProfile, 2026-11). SQLite and
small batches use plain statements through SQLAlchemy.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from enum import Enum
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_dirty
from sqlmodel import Session

from logistics.models import Item, ScanEvent
from logistics.models.enums import FailureAction, FailureReason, HolderKind, ItemStatus, ScanCode, ScanOutcome

# Up to this many rows, one INSERT ... RETURNING (one round trip) beats drawing ids
# from the sequence first and copying.
SMALL_BATCH = 10


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


def _plain(value: Any) -> Any:
    """A value as the database driver should receive it outside SQLAlchemy's types."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.utcoffset() is None:  # as the UTCDateTime columns do
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        return value.astimezone(UTC)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _plain_getter(column: str) -> Callable[[NewScan], Any]:
    """How to read ``column`` of a row for COPY (the type is known: one test, not four)."""
    kind = NewScan.__annotations__[column].split(" | ")[0]
    if kind in {"ScanCode", "FailureReason", "FailureAction", "ScanOutcome", "ItemStatus", "HolderKind", "datetime", "dict", "list[str]"}:
        return lambda row: _plain(getattr(row, column))
    return attrgetter(column)


_COPY_GETTERS = tuple(_plain_getter(c) for c in SCAN_COLUMNS)


def insert_scans(session: Session, rows: Sequence[NewScan]) -> None:
    """Insert ``rows`` into ``scan_event`` and set their ``id``."""
    if not rows:
        return
    table = ScanEvent.__table__
    if len(rows) > SMALL_BATCH and _is_postgres(session):
        ids = session.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence('scan_event', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)},
        ).scalars().all()
        for row, row_id in zip(rows, ids, strict=True):
            row.id = row_id
        driver = session.connection().connection.driver_connection  # the session's transaction
        with driver.cursor() as cursor, cursor.copy(f"COPY scan_event (id, {', '.join(SCAN_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.id, *(get(row) for get in _COPY_GETTERS)])
        return
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = session.execute(statement, [{c: getattr(r, c) for c in SCAN_COLUMNS} for r in rows]).scalars().all()
    for row, row_id in zip(rows, ids, strict=True):
        row.id = row_id


# PostgreSQL types of the folded columns, for the arrays of the bulk UPDATE.
_PG_TYPES = {
    "status": "varchar", "status_at": "timestamptz", "holder_kind": "varchar", "holder_ref_id": "integer",
    "updated_at": "timestamptz", "last_scan_at": "timestamptz", "scan_base_status": "varchar",
    "scan_base_at": "timestamptz", "scan_base_holder_kind": "varchar", "scan_base_holder_ref_id": "integer",
}
_PG_UPDATE = (
    "UPDATE item SET " + ", ".join(f"{c} = v.{c}" for c in FOLDED_COLUMNS)
    + " FROM unnest(%s::integer[], " + ", ".join(f"%s::{_PG_TYPES[c]}[]" for c in FOLDED_COLUMNS) + ")"
    + f" AS v(id, {', '.join(FOLDED_COLUMNS)}) WHERE item.id = v.id"
)


def write_items(session: Session, items: Collection[Item]) -> None:
    """Write the folded state of ``items`` (set in memory by the fold as loaded state).

    The items are also flagged for the session's next flush, which writes nothing for
    them but records them as changed in the transaction: a rollback (of this savepoint
    or of an enclosing one) then expires them, as it would after an ORM update."""
    items = sorted(items, key=lambda i: i.id)
    if not items:
        return
    for item in items:
        flag_dirty(item)
    if len(items) > 1 and _is_postgres(session):
        driver = session.connection().connection.driver_connection
        arrays = [[i.id for i in items], *([_plain(getattr(i, c)) for i in items] for c in FOLDED_COLUMNS)]
        with driver.cursor() as cursor:
            cursor.execute(_PG_UPDATE, arrays)
        return
    table = Item.__table__
    statement = sa.update(table).where(table.c.id == sa.bindparam("item_id")).values(
        {c: sa.bindparam(f"new_{c}", type_=table.c[c].type) for c in FOLDED_COLUMNS}
    )
    session.execute(statement, [{"item_id": i.id, **{f"new_{c}": getattr(i, c) for c in FOLDED_COLUMNS}} for i in items])
