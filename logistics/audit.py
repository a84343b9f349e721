"""Append to the audit log (never update it: the database refuses)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from logistics.models import AuditLog


def record(session: Session, *, actor_user_id: int | None, action: str, entity: str, entity_id: Any, **detail: Any) -> AuditLog:
    """Add one audit row; ``detail`` must hold no personal data (ids, codes, counts)."""
    row = AuditLog(actor_user_id=actor_user_id, action=action, entity=entity, entity_id=str(entity_id), detail=detail)
    session.add(row)
    return row
