"""Delivery reports from the provider (Twilio's status callback), applied idempotently.

Callbacks repeat and arrive out of order: a late ``sent`` after ``delivered`` must not
move the message back. Each status has a rank and a report only ever raises it;
``delivered``, ``undelivered`` and ``failed`` are final and never replaced by each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session, select

from logistics import metrics
from logistics.models import Notification
from logistics.models.enums import NotificationStatus
from logistics.models.types import utcnow

log = logging.getLogger(__name__)

N = NotificationStatus

# Twilio's MessageStatus values -> ours. "read" is WhatsApp's, after delivered.
PROVIDER_STATUS: Final[dict[str, NotificationStatus]] = {
    "accepted": N.SENT, "scheduled": N.SENT, "queued": N.SENT, "sending": N.SENT, "sent": N.SENT,
    "delivered": N.DELIVERED, "read": N.DELIVERED,
    "undelivered": N.UNDELIVERED, "failed": N.FAILED, "canceled": N.FAILED,
}
RANK: Final[dict[NotificationStatus, int]] = {
    N.PENDING: 0, N.HELD: 0, N.SENDING: 1, N.SENT: 2, N.DELIVERED: 3, N.UNDELIVERED: 3, N.FAILED: 3,
}


@dataclass(frozen=True)
class StatusUpdate:
    matched: bool  # a message with this sid exists
    changed: bool  # its status moved
    status: NotificationStatus | None


def record_status(
    session: Session,
    *,
    sid: str,
    provider_status: str,
    error_code: str | None = None,
    now: datetime | None = None,
) -> StatusUpdate:
    """Apply one delivery report to the message with ``sid``; flush, never commit.

    An unknown sid is reported (``matched=False``), not an error: the report can
    overtake the commit that stores the sid, and the provider must not be asked to
    resend a report we cannot use. An unknown status value changes nothing.
    """
    target = PROVIDER_STATUS.get(provider_status.lower())
    metrics.sms_delivery_report(target.value if target is not None else "unknown")
    row = session.exec(select(Notification).where(Notification.provider_sid == sid)).first()
    if row is None:
        log.info("delivery report for an unknown sid %s (%s)", sid[:40], provider_status[:20])
        return StatusUpdate(matched=False, changed=False, status=None)
    if target is None or RANK[target] <= RANK[row.status]:
        return StatusUpdate(matched=True, changed=False, status=row.status)
    row.status = target
    if error_code:
        row.error_code = error_code[:20]
    row.updated_at = now or utcnow()
    session.add(row)
    session.flush()
    return StatusUpdate(matched=True, changed=True, status=row.status)
