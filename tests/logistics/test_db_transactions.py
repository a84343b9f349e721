"""A nested unit of work stays inside the transaction around it, on SQLite too: pysqlite
would otherwise start a transaction at the SAVEPOINT and commit it at its release."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from logistics.db import make_engine
from logistics.migrate import upgrade
from logistics.models import Holiday


def test_a_released_savepoint_is_undone_by_the_outer_rollback(tmp_path):
    url = f"sqlite:///{tmp_path / 'tx.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.exec(select(func.count()).select_from(Holiday)).one()  # a read: no transaction yet in pysqlite
        before = session.exec(select(func.count()).select_from(Holiday)).one()
        with session.begin_nested():
            session.add(Holiday(calendar="t", day=date(2030, 1, 1), kind="holiday", name_vi="x", name_en="x"))
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Holiday)).one() == before
    engine.dispose()
