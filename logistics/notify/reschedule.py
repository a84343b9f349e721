"""Rescheduling from the tracking page: another delivery window, or collect at the post office.

The citizen picks a slot (``NotifySettings.delivery_slots``) on one of the next working
days (``WorkCalendar``), or "hold at the post office". The choice is a
``DeliveryReschedule`` row (the latest one per item is what the next plan uses); a
window also becomes the item's ``window_start``/``window_end``. The citizen gets an SMS
confirming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal

import sqlalchemy as sa
from sqlmodel import Session, select

from logistics.exceptions import Conflict, InvalidInput
from logistics.models import DeliveryReschedule, Item
from logistics.models.enums import ItemStatus, PlaceKind
from logistics.models.types import utcnow
from logistics.notify import service
from logistics.notify.settings import NotifySettings, get_notify_settings
from logistics.workdays import LOCAL_TZ, WorkCalendar

S = ItemStatus
Choice = Literal["window", "hold_at_post_office"]
WINDOW: Final = "window"
HOLD: Final = "hold_at_post_office"
# Before the postman leaves: once out for delivery, the day's route is fixed.
_DELIVERY_STATUSES: Final = frozenset({S.CREATED, S.ACCEPTED, S.IN_TRANSIT, S.DELIVERY_FAILED, S.READY_FOR_PICKUP})
MAX_PER_DAY: Final = 3  # changes of mind per item per day; each one sends an SMS


@dataclass(frozen=True)
class SlotOption:
    day: date
    slot: str  # "14:00-16:00"
    start: datetime  # UTC
    end: datetime


def _is_pickup(item: Item) -> bool:
    return item.origin_kind is PlaceKind.HOME and item.destination_kind is not PlaceKind.HOME


def allowed(item: Item) -> bool:
    """Whether the citizen may still change the window of ``item``."""
    if item.destination_kind is PlaceKind.HOME:
        return item.status in _DELIVERY_STATUSES
    return _is_pickup(item) and item.status is S.CREATED


def hold_available(item: Item) -> bool:
    return item.destination_kind is PlaceKind.HOME and allowed(item)


def _slot_bounds(day: date, slot: str) -> tuple[datetime, datetime]:
    start, _, end = slot.partition("-")
    return (
        datetime.combine(day, time.fromisoformat(start), LOCAL_TZ).astimezone(UTC),
        datetime.combine(day, time.fromisoformat(end), LOCAL_TZ).astimezone(UTC),
    )


def offered_days(*, now: datetime, calendar: WorkCalendar, settings: NotifySettings) -> list[date]:
    """The next ``reschedule_horizon_days`` working days after today (local)."""
    days: list[date] = []
    current = now.astimezone(LOCAL_TZ).date()
    try:
        while len(days) < settings.reschedule_horizon_days:
            current = calendar.next_working_day(current)
            days.append(current)
    except InvalidInput:  # the calendar ends (next year's holidays not loaded yet)
        pass
    return days


def options(*, now: datetime, calendar: WorkCalendar | None = None, settings: NotifySettings | None = None) -> list[SlotOption]:
    settings = settings or get_notify_settings()
    calendar = calendar or WorkCalendar.default()
    return [
        SlotOption(day, slot, *_slot_bounds(day, slot))
        for day in offered_days(now=now, calendar=calendar, settings=settings)
        for slot in settings.delivery_slots
    ]


def _check_window(day: date | None, slot: str | None, *, now: datetime, calendar: WorkCalendar, settings: NotifySettings) -> None:
    if day is None or slot is None:
        raise InvalidInput("Choose a day and a time slot, or collecting at the post office.", code="reschedule_window_missing")
    today = now.astimezone(LOCAL_TZ).date()
    if day < today:
        raise InvalidInput(f"{day:%d/%m/%Y} is in the past; choose one of the next working days.", code="reschedule_date_past")
    if day == today:
        raise InvalidInput("Today's deliveries are already planned; choose one of the next working days.",
                           code="reschedule_date_too_soon")
    if not calendar.is_working_day(day):
        raise InvalidInput(f"{day:%d/%m/%Y} is not a working day; choose one of the next working days.",
                           code="reschedule_not_working_day")
    if day not in offered_days(now=now, calendar=calendar, settings=settings):
        raise InvalidInput(f"Choose a day within the next {settings.reschedule_horizon_days} working days.",
                           code="reschedule_date_too_far")
    if slot not in settings.delivery_slots:
        raise InvalidInput(f"Choose one of the time slots: {', '.join(settings.delivery_slots)}.",
                           code="unknown_delivery_slot")


def reschedule(
    session: Session,
    *,
    item: Item,
    choice: str,
    day: date | None = None,
    slot: str | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
    settings: NotifySettings | None = None,
) -> DeliveryReschedule:
    """Record the citizen's choice for ``item`` and queue its confirmation SMS; flush only.

    Raises ``InvalidInput`` (422: reschedule_date_past, reschedule_date_too_soon,
    reschedule_not_working_day, reschedule_date_too_far, unknown_delivery_slot,
    reschedule_window_missing, invalid_reschedule_choice) or ``Conflict`` (409:
    reschedule_not_allowed, reschedule_limit). Nothing is written when it raises.
    """
    now = now or utcnow()
    settings = settings or get_notify_settings()
    calendar = calendar or WorkCalendar.default()
    if choice not in (WINDOW, HOLD):
        raise InvalidInput("Choose 'window' or 'hold_at_post_office'.", code="invalid_reschedule_choice")
    if not allowed(item):
        raise Conflict("This item can no longer be rescheduled (it is on its way or done).", code="reschedule_not_allowed")
    if choice == HOLD and not hold_available(item):
        raise InvalidInput("A pickup cannot be held at the post office; choose a window.", code="invalid_reschedule_choice")
    recent = session.exec(
        select(sa.func.count()).select_from(DeliveryReschedule).where(
            DeliveryReschedule.item_id == item.id, DeliveryReschedule.created_at > now - timedelta(days=1)
        )
    ).one()
    if recent >= MAX_PER_DAY:
        raise Conflict("This delivery was changed several times today; call the post office.", code="reschedule_limit")
    row = DeliveryReschedule(item_id=item.id, choice=choice, created_at=now)
    if choice == WINDOW:
        _check_window(day, slot, now=now, calendar=calendar, settings=settings)
        row.window_start, row.window_end = _slot_bounds(day, slot)  # type: ignore[arg-type]
        item.window_start, item.window_end = row.window_start, row.window_end
        item.updated_at = now
        session.add(item)
    session.add(row)
    session.flush()
    attempt = session.exec(
        select(sa.func.count()).select_from(DeliveryReschedule).where(DeliveryReschedule.item_id == item.id)
    ).one()
    service.rescheduled(session, reschedule=row, attempt=int(attempt), now=now)
    return row


def latest(session: Session, *, item_id: int) -> DeliveryReschedule | None:
    """The choice the next plan must follow, if the citizen made one."""
    return session.exec(
        select(DeliveryReschedule).where(DeliveryReschedule.item_id == item_id)
        .order_by(DeliveryReschedule.created_at.desc(), DeliveryReschedule.id.desc())  # type: ignore[union-attr]
    ).first()
