"""Status changes that cause a webhook delivery, written inside the transaction that
published them (``logistics.events``): the delivery row commits or rolls back with
the scan."""

from __future__ import annotations

from sqlalchemy.orm import Session

from logistics import events
from logistics.events import ItemStatusChanged
from logistics.webhooks import outbox


@events.subscribe(ItemStatusChanged)
def webhook_for_status_change(session: Session, event: ItemStatusChanged) -> None:
    outbox.queue_status_change(session, event)  # type: ignore[arg-type]
