"""A status change as the scan ingestion makes it: the scan row, the item's new status
and the published ``ItemStatusChanged`` (its subscribers run at once)."""

from __future__ import annotations

from logistics import events
from logistics.events import ItemStatusChanged
from logistics.models.enums import ItemStatus, ScanCode
from logistics.models.types import utcnow
from tests.logistics.notify.notify_factories import add_scan


def status_change(session, item, status=ItemStatus.OUT_FOR_DELIVERY, code=ScanCode.OUT_FOR_DELIVERY):
    previous, at = item.status, utcnow()
    scan = add_scan(session, item, code, at=at, status_after=status)
    item.status = status
    event = ItemStatusChanged(item_id=item.id, scan_event_id=scan.id, scan_code=code.value, status=status.value,
                              previous_status=previous.value, at=at)
    events.publish(session, event)
    return event
