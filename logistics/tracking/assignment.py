"""Whether a user may scan (or ask a delivery code for) one item, outside a batch."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from logistics.exceptions import Forbidden, NotFound
from logistics.models import Item, User
from logistics.models.enums import ScanCode
from logistics.models.types import utcnow
from logistics.tracking.checks import is_assigned
from logistics.tracking.context import load_context, lock_items, stop_for
from logistics.tracking.inputs import ScanInput
from logistics.tracking.policy import ScanPolicy
from logistics.workdays import LOCAL_TZ


def require_assigned(session: Session, *, actor: User, s10: str, code: ScanCode, at: datetime | None = None) -> Item:
    """The item ``s10`` if ``actor`` may make a ``code`` scan of it now; else NotFound
    (unknown, or not visible: the same answer) or Forbidden (not assigned)."""
    at = at or utcnow()
    items = lock_items(session, {s10})
    item = items.get(s10)
    if item is None:
        raise NotFound("No item with this identifier.", code="unknown_item")
    probe = ScanInput(client_event_id=uuid.uuid4(), s10=s10, code=code, device_time=at)
    ctx = load_context(session, actor=actor, items=items, events=[probe])
    stop = stop_for(ctx, item.id, at.astimezone(LOCAL_TZ).date(), ScanPolicy.from_settings().route_day_slack_days)
    if not is_assigned(ctx, item, code, stop):
        raise Forbidden("This item is not on your route.", code="not_assigned")
    return item
