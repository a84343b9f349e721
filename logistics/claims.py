"""Claiming a row of an outbox table in one statement, so that two workers holding the
same task message never both send it: ``UPDATE ... SET status = <sending>, tries =
tries + 1 WHERE id = :id AND <claimable> RETURNING *``. The outboxes (SMS, webhooks)
say what is claimable; the row comes back refreshed, or None when someone else has it
or it is not due."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

M = TypeVar("M", bound=SQLModel)


def claim_row(session: Session, model: type[M], row_id: int, *, claimable: ColumnElement[bool],
              status: Enum, now: datetime) -> M | None:
    """Mark row ``row_id`` of ``model`` ``status`` (one more try) if ``claimable``; the row, or None."""
    table: Any = model
    return session.execute(
        sa.update(model)
        .where(table.id == row_id, claimable)
        .values(status=status, updated_at=now, tries=table.tries + 1)
        .returning(model)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
