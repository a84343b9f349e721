"""Domain events that cause an SMS, handled inside the transaction that published them
(``logistics.events``): the outbox row commits or rolls back with its cause."""

from __future__ import annotations

from sqlalchemy.orm import Session

from logistics import events
from logistics.events import ItemStatusChanged
from logistics.notify import delivery_code, scan_sms
from logistics.tracking.otp import DeliveryOtpRequested


@events.subscribe(ItemStatusChanged)
def sms_for_scan(session: Session, event: ItemStatusChanged) -> None:
    scan_sms.defer(session, event)  # type: ignore[arg-type]


@events.subscribe(DeliveryOtpRequested)
def sms_for_delivery_code(session: Session, event: DeliveryOtpRequested) -> None:
    delivery_code.queue_code(session, event)  # type: ignore[arg-type]
