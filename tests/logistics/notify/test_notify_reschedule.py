"""Rescheduling: a window on the next working days or a hold, stored on the item and confirmed by SMS."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from logistics.exceptions import Conflict, InvalidInput
from logistics.models import DeliveryReschedule, Notification
from logistics.models.enums import ItemStatus, LegKind, NotificationTrigger
from logistics.notify import reschedule
from tests.logistics.notify.notify_factories import make_item

NOW = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # Friday 12:00 in Vietnam


def _sms(session, item_id):
    return list(session.exec(select(Notification).where(Notification.item_id == item_id).order_by(Notification.id)))


def test_options_are_next_working_days():
    """From a Friday: the next five working days (24/11, Vietnam Culture Day, is off), four slots each."""
    options = reschedule.options(now=NOW)
    days = sorted({o.day for o in options})
    assert days == [date(2026, 11, d) for d in (23, 25, 26, 27, 30)]
    assert len(options) == 20 and options[0].slot == "08:00-10:00"
    assert options[0].start == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_window_is_stored_and_confirmed(session, place):
    item = make_item(session, place, status=ItemStatus.DELIVERY_FAILED)
    row = reschedule.reschedule(session, item=item, choice="window", day=date(2026, 11, 25), slot="14:00-16:00", now=NOW)
    assert row.window_start == datetime(2026, 11, 25, 7, tzinfo=UTC)
    assert (item.window_start, item.window_end) == (row.window_start, row.window_end)
    assert reschedule.latest(session, item_id=item.id).id == row.id
    (sms,) = _sms(session, item.id)
    assert sms.trigger is NotificationTrigger.RESCHEDULED and "14:00-16:00 25/11" in sms.body


def test_hold_at_post_office(session, place):
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    row = reschedule.reschedule(session, item=item, choice="hold_at_post_office", now=NOW)
    assert row.choice == "hold_at_post_office" and row.window_start is None
    reschedule.reschedule(session, item=item, choice="window", day=date(2026, 11, 25), slot="08:00-10:00", now=NOW)
    attempts = [s.attempt for s in _sms(session, item.id)]
    assert attempts == [1, 2], "each change of mind is confirmed"
    assert "giu" in _sms(session, item.id)[0].body


@pytest.mark.parametrize(("day", "slot", "code"), [
    (date(2026, 11, 19), "08:00-10:00", "reschedule_date_past"),
    (date(2026, 11, 20), "08:00-10:00", "reschedule_date_too_soon"),
    (date(2026, 11, 22), "08:00-10:00", "reschedule_not_working_day"),  # Sunday
    (date(2026, 11, 24), "08:00-10:00", "reschedule_not_working_day"),  # Vietnam Culture Day
    (date(2026, 12, 31), "08:00-10:00", "reschedule_date_too_far"),
    (date(2026, 11, 25), "07:00-08:00", "unknown_delivery_slot"),
    (None, None, "reschedule_window_missing"),
])
def test_bad_choices_are_refused_and_nothing_changes(session, place, day, slot, code):
    item = make_item(session, place, status=ItemStatus.DELIVERY_FAILED)
    with pytest.raises(InvalidInput) as raised:
        reschedule.reschedule(session, item=item, choice="window", day=day, slot=slot, now=NOW)
    assert raised.value.code == code and raised.value.status_code == 422
    assert item.window_start is None and _sms(session, item.id) == []
    assert session.exec(select(DeliveryReschedule).where(DeliveryReschedule.item_id == item.id)).all() == []


def test_out_for_delivery_cannot_be_rescheduled(session, place):
    item = make_item(session, place, status=ItemStatus.OUT_FOR_DELIVERY)
    with pytest.raises(Conflict) as raised:
        reschedule.reschedule(session, item=item, choice="hold_at_post_office", now=NOW)
    assert raised.value.code == "reschedule_not_allowed"


def test_pickup_can_move_but_not_be_held(session, place):
    item = make_item(session, place, leg=LegKind.HOME_PICKUP, status=ItemStatus.CREATED)
    with pytest.raises(InvalidInput):
        reschedule.reschedule(session, item=item, choice="hold_at_post_office", now=NOW)
    reschedule.reschedule(session, item=item, choice="window", day=date(2026, 11, 23), slot="10:00-12:00", now=NOW)


def test_changes_per_day_are_limited(session, place):
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    for _ in range(reschedule.MAX_PER_DAY):
        reschedule.reschedule(session, item=item, choice="hold_at_post_office", now=NOW)
    with pytest.raises(Conflict) as raised:
        reschedule.reschedule(session, item=item, choice="hold_at_post_office", now=NOW)
    assert raised.value.code == "reschedule_limit"
