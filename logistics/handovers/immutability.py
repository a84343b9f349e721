"""A confirmed handover record never changes: the session refuses, before any SQL, to
update or delete a confirmed ``Handover`` or to add, change or remove its lines.

A correction is a new record that supersedes it (``records.amend``). The guard is a
``before_flush`` listener on every session, so no code path (a service, a script, the
admin shell) can edit a signed record by mistake.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from logistics.exceptions import Conflict
from logistics.models import Handover, HandoverLine
from logistics.models.enums import HandoverStatus


class RecordImmutable(Conflict):
    code = "record_immutable"


def _committed_status(obj: Handover) -> Any:
    history = inspect(obj).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _refuse(code: str) -> None:
    raise RecordImmutable(
        f"Handover record {code} is confirmed and cannot change; record a correction that supersedes it."
    )


def _guard(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Handover) and _committed_status(obj) == HandoverStatus.CONFIRMED:
            if obj in session.deleted or session.is_modified(obj, include_collections=False):
                _refuse(obj.code)
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, HandoverLine):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        with session.no_autoflush:
            parent = session.get(Handover, obj.handover_id)
        if parent is not None and _committed_status(parent) == HandoverStatus.CONFIRMED:
            _refuse(parent.code)


if not event.contains(Session, "before_flush", _guard):
    event.listen(Session, "before_flush", _guard)
