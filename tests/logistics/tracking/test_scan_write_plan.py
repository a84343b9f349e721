"""A phone's single scan updates its item through the primary key, not by reading the
whole item table (``logistics.tracking.writes``): its cost must not grow with the
items the service has ever carried."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from logistics.db import make_engine
from logistics.models import Dossier, Item
from logistics.tracking import writes
from tests.logistics.notify.notify_factories import make_item, make_place

COPIES = 3000


def _copy(table, keep_out: set[str]) -> str:  # noqa: ANN001
    return ", ".join(c.name for c in table.columns if c.name not in keep_out)


def test_one_scans_item_update_uses_the_primary_key(fresh_database_url):
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("the statement and its plan are PostgreSQL's; SQLite updates by key")
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            item = make_item(session, make_place(session))
            session.commit()
            dossiers, items = Dossier.__table__, Item.__table__
            d_cols = _copy(dossiers, {"id", "code"})
            i_cols = _copy(items, {"id", "s10", "dossier_id"})
            # Many more items, each on a dossier of its own (one item per dossier and leg).
            session.connection().execute(text(
                f"WITH d AS (INSERT INTO dossier (code, {d_cols}) SELECT code || '-' || g, {d_cols} "
                f"FROM dossier, generate_series(1, {COPIES}) g WHERE id = :dossier RETURNING id) "
                f"INSERT INTO item (s10, dossier_id, {i_cols}) SELECT 'ZZ' || lpad(d.id::text, 9, '0') || 'VN', d.id, "
                f"{', '.join('item.' + c for c in i_cols.split(', '))} FROM d, item WHERE item.id = :item"),
                {"dossier": item.dossier_id, "item": item.id})
            session.connection().execute(text("ANALYZE item"))
            session.commit()
            record = writes._records([item], ("id", *writes.FOLDED_COLUMNS))
            plan = "\n".join(row[0] for row in session.connection().exec_driver_sql(
                f"EXPLAIN {writes._PG_UPDATE}", (record, [item.id])))
        assert "Index Scan" in plan and "Seq Scan on item" not in plan, plan
    finally:
        engine.dispose()
