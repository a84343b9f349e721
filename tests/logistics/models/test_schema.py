"""The migrations create exactly the tables the models declare, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

import logistics.models  # noqa: F401
from logistics import audit
from logistics.models import AuditLog


def test_migrations_match_models(engine):
    """After `upgrade head`, autogenerate finds nothing to add, drop or change."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_audit_log_is_append_only(session):
    """Rows can be added to the audit log, never changed or deleted (database triggers)."""
    row = audit.record(session, actor_user_id=None, action="test", entity="thing", entity_id=1, n=1)
    session.flush()
    assert session.get(AuditLog, row.id) is not None
    with pytest.raises(DatabaseError, match="append-only"):
        with session.begin_nested():
            session.execute(text("UPDATE audit_log SET action = 'changed'"))
    with pytest.raises(DatabaseError, match="append-only"):
        with session.begin_nested():
            session.execute(text("DELETE FROM audit_log"))
