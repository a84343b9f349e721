"""Delivery reports from the provider (Twilio's status callback), applied idempotently.

Callbacks repeat and arrive out of order: a late ``sent`` after ``delivered`` must not
move the message back. Each status has a rank and a report only ever raises it;
``delivered``, ``undelivered`` and ``failed`` are final and never replaced by each other.

A report can also overtake the commit that stores its sid (the provider answers the
send, then calls back before the worker has recorded the answer). Such a report is
kept (``ProviderStatusReport``) and applied by :func:`apply_early_reports` when the
sender records the sid, or by the outbox sweep if the two commits crossed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from logistics import metrics
from logistics.models import Notification, ProviderStatusReport
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
    keep_unknown: bool = True,
) -> StatusUpdate:
    """Apply one delivery report to the message with ``sid``; flush, never commit.

    An unknown sid is reported (``matched=False``), not an error, and the report is
    kept until the sid is recorded (``keep_unknown``): it overtook the commit that
    stores the sid. An unknown status value changes nothing.
    """
    target = PROVIDER_STATUS.get(provider_status.lower())
    metrics.sms_delivery_report(target.value if target is not None else "unknown")
    row = session.exec(
        select(Notification).where(Notification.provider_sid == sid).execution_options(populate_existing=True)
    ).first()
    if row is None:
        log.info("delivery report for an unknown sid %s (%s): kept", sid[:40], provider_status[:20])
        if target is not None and keep_unknown:
            session.add(ProviderStatusReport(provider_sid=sid[:64], provider_status=provider_status.lower()[:20],
                                             error_code=(error_code or None) and error_code[:20], received_at=now or utcnow()))
            session.flush()
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


def apply_early_reports(session: Session, *, sids: list[str] | None = None, now: datetime | None = None,
                        keep_days: int = 7) -> int:
    """Apply the kept reports of ``sids`` (default: of every sid recorded by now) in the
    order they came, delete them, and forget reports older than ``keep_days`` whose
    sid never appeared (another system's messages). How many were applied."""
    now = now or utcnow()
    query = select(ProviderStatusReport).order_by(ProviderStatusReport.id)
    if sids is not None:
        if not sids:
            return 0
        query = query.where(ProviderStatusReport.provider_sid.in_(sids))  # type: ignore[attr-defined]
    else:
        known = select(Notification.provider_sid).where(Notification.provider_sid.is_not(None))  # type: ignore[union-attr]
        query = query.where(ProviderStatusReport.provider_sid.in_(known))  # type: ignore[attr-defined]
    reports = session.exec(query).all()
    for report in reports:
        record_status(session, sid=report.provider_sid, provider_status=report.provider_status,
                      error_code=report.error_code, now=now, keep_unknown=False)
    if reports:
        session.execute(sa.delete(ProviderStatusReport).where(
            ProviderStatusReport.id.in_([r.id for r in reports])))  # type: ignore[union-attr]
    if sids is None:
        session.execute(sa.delete(ProviderStatusReport).where(
            ProviderStatusReport.received_at < now - timedelta(days=keep_days)))
    return len(reports)
