"""Volumes per leg: items entered per day and leg, and how many of them are done.

An item counts on the day (Vietnam time) it was created; "done" means delivered or
handed over at its destination, "failed" that its latest attempt failed, "cancelled"
and "returned" are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from logistics.models import Item
from logistics.models.enums import ItemStatus, LegKind
from logistics.reports.scope import ReportScope
from logistics.workdays import LOCAL_TZ

DONE = frozenset({ItemStatus.DELIVERED, ItemStatus.HANDED_OVER})


@dataclass
class LegVolume:
    leg: LegKind
    items: int = 0
    done: int = 0
    failed: int = 0
    cancelled_or_returned: int = 0
    per_day: dict[date, int] = field(default_factory=dict)


def volumes(session: Session, scope: ReportScope) -> tuple[list[date], list[LegVolume]]:
    """The days of the range and one ``LegVolume`` per leg kind (zeros included)."""
    query = select(Item.leg, Item.status, Item.created_at).where(
        Item.created_at >= scope.start_utc, Item.created_at < scope.end_utc
    )
    if scope.post_office_id is not None:
        query = query.where(Item.post_office_id == scope.post_office_id)
    days = [scope.date_from + timedelta(days=i) for i in range((scope.date_to - scope.date_from).days + 1)]
    legs = {leg: LegVolume(leg=leg, per_day=dict.fromkeys(days, 0)) for leg in LegKind}
    for leg, status, created_at in session.execute(query).all():
        volume = legs[LegKind(leg)]
        volume.items += 1
        volume.done += status in DONE
        volume.failed += status == ItemStatus.DELIVERY_FAILED
        volume.cancelled_or_returned += status in (ItemStatus.CANCELLED, ItemStatus.RETURNED)
        day = created_at.astimezone(LOCAL_TZ).date()
        volume.per_day[day] = volume.per_day.get(day, 0) + 1
    return days, list(legs.values())
