"""The outbox: one row per (item, trigger, attempt) written with its cause, sent after
commit, held in quiet hours and over the per-phone limit, recovered by the sweep."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from logistics import events
from logistics.events import ItemStatusChanged
from logistics.models import Notification, TrackingToken
from logistics.models.enums import (
    FailureAction,
    FailureReason,
    ItemStatus,
    LegKind,
    NotificationStatus,
    NotificationTrigger,
    ScanCode,
)
from logistics.notify import outbox, scan_drafts, scan_sms, sender, service
from logistics.notify.settings import NotifySettings
from logistics.tracking import links
from tests.logistics.notify.notify_factories import FULL_NAME, PHONE, add_scan, lose_broker_messages, make_item

N = NotificationStatus
T = NotificationTrigger
NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam, a Monday
OPEN = NotifySettings(quiet_start=time(0), quiet_end=time(0))


def _rows(session: Session, item_id: int) -> list[Notification]:
    """The item's outbox rows, the scans' drafts rendered as the sender does when it claims them."""
    scan_sms.write_pending(session)  # what the commit (or the savepoint's release) does
    query = select(Notification).where(Notification.item_id == item_id).order_by(Notification.id)
    scan_drafts.render(session, list(session.exec(query)), now=NOON)
    return list(session.exec(query.execution_options(populate_existing=True)))


def _publish_scan(session, item, code, status, **kw):
    previous = item.status
    scan = add_scan(session, item, code, at=NOON, status_after=status, **kw)
    events.publish(session, ItemStatusChanged(item_id=item.id, scan_event_id=scan.id, scan_code=code.value,
                                              status=status.value, previous_status=previous.value, at=NOON))
    return scan


def _send_jobs(session: Session) -> list[int]:
    """The ids that leave for a worker when ``session`` commits (batched at the commit)."""
    return outbox.awaiting_dispatch(session)


def test_scan_writes_one_sms_in_its_transaction(session, place):
    """An out-for-delivery scan writes one pending SMS and one send job for after commit;
    the same event published again is a no-op, not an error."""
    item = make_item(session, place, window=(NOON, NOON + timedelta(hours=2)))
    scan = _publish_scan(session, item, ScanCode.OUT_FOR_DELIVERY, ItemStatus.OUT_FOR_DELIVERY)
    event = ItemStatusChanged(item_id=item.id, scan_event_id=scan.id, scan_code="out_for_delivery",
                              status="out_for_delivery", previous_status="in_transit", at=NOON)
    events.publish(session, event)
    assert len(_rows(session, item.id)) == 1
    events.publish(session, event)  # in a later unit of work
    rows = _rows(session, item.id)
    assert [(r.trigger, r.attempt, r.status) for r in rows] == [(T.OUT_FOR_DELIVERY, 1, N.PENDING)]
    assert rows[0].to_e164 == PHONE and rows[0].encoding == "gsm7" and rows[0].segments == 1
    assert "12:00-14:00 23/11" in rows[0].body and FULL_NAME not in rows[0].body
    assert links.TOKEN_PLACEHOLDER in rows[0].body, "no working link is stored in the outbox"
    assert _send_jobs(session) == [rows[0].id]


def test_second_attempt_of_a_scan_is_a_new_sms(session, place):
    """A second failed delivery of the same item is attempt 2: a second SMS, with reason and link."""
    item = make_item(session, place, status=ItemStatus.OUT_FOR_DELIVERY)
    _publish_scan(session, item, ScanCode.DELIVERY_FAILED, ItemStatus.DELIVERY_FAILED,
                  reason=FailureReason.NOT_HOME, action=FailureAction.RETRY_NEXT_DAY)
    item.status = ItemStatus.OUT_FOR_DELIVERY
    _publish_scan(session, item, ScanCode.DELIVERY_FAILED, ItemStatus.DELIVERY_FAILED,
                  reason=FailureReason.WEATHER, action=FailureAction.HOLD_AT_POST_OFFICE)
    rows = _rows(session, item.id)
    assert [(r.trigger, r.attempt) for r in rows] == [(T.DELIVERY_FAILED, 1), (T.DELIVERY_FAILED, 2)]
    assert "khong co nguoi nhan" in rows[0].body and "thoi tiet xau" in rows[1].body


@pytest.mark.parametrize(("leg", "code", "status", "expected"), [
    (LegKind.HOME_PICKUP, ScanCode.PICKED_UP_AT_HOME, ItemStatus.ACCEPTED, T.PICKED_UP),
    (LegKind.HOME_PICKUP, ScanCode.HANDED_OVER, ItemStatus.HANDED_OVER, T.HANDED_TO_AGENCY),
    (LegKind.COUNTER_TO_AGENCY, ScanCode.HANDED_OVER, ItemStatus.HANDED_OVER, T.HANDED_TO_AGENCY),
    (LegKind.HOME_DELIVERY, ScanCode.DELIVERED, ItemStatus.DELIVERED, T.DELIVERED),
    (LegKind.HOME_DELIVERY, ScanCode.INTO_POST_OFFICE, ItemStatus.IN_TRANSIT, None),
    (LegKind.AGENCY_TO_COUNTER, ScanCode.HANDED_OVER, ItemStatus.HANDED_OVER, None),
])
def test_scan_to_trigger_by_leg(session, place, leg, code, status, expected):
    """Scan codes map to triggers by leg; scans the citizen cannot act on send nothing."""
    item = make_item(session, place, leg=leg, status=ItemStatus.ACCEPTED)
    _publish_scan(session, item, code, status)
    assert [r.trigger for r in _rows(session, item.id)] == ([expected] if expected else [])


def test_counter_leg_sms_goes_to_the_applicant(session, place):
    """An item without a home end (counter -> agency) texts the dossier's applicant, with the appointment."""
    item = make_item(session, place, leg=LegKind.COUNTER_TO_AGENCY, status=ItemStatus.IN_TRANSIT)
    _publish_scan(session, item, ScanCode.HANDED_OVER, ItemStatus.HANDED_OVER)
    (row,) = _rows(session, item.id)
    assert row.to_e164 == PHONE and "27/11/2026" in row.body


def test_english_recipient_gets_english(session, place):
    item = make_item(session, place, language="en", status=ItemStatus.OUT_FOR_DELIVERY)
    _publish_scan(session, item, ScanCode.DELIVERED, ItemStatus.DELIVERED)
    (row,) = _rows(session, item.id)
    assert row.language == "en" and row.body.endswith("Thank you!")


def test_invalid_phone_is_recorded_not_sent(session, place):
    """A stored number that is not a Vietnamese mobile gives a failed row and no job."""
    item = make_item(session, place, phone="+842838221234")  # a Hồ Chí Minh City landline
    row = service.result_ready(session, item_id=item.id)
    assert row is not None and row.status is N.FAILED and row.error_code == "invalid_phone"
    assert _send_jobs(session) == []


def test_service_triggers(session, place):
    """Pickup booked, result ready, deadline at risk: one row each, idempotent."""
    pickup = make_item(session, place, leg=LegKind.HOME_PICKUP, status=ItemStatus.CREATED,
                       window=(NOON, NOON + timedelta(hours=2)))
    result = make_item(session, place, leg=LegKind.HOME_DELIVERY, status=ItemStatus.CREATED)
    booked = service.pickup_booked(session, item_id=pickup.id)
    assert service.pickup_booked(session, item_id=pickup.id).id == booked.id
    ready = service.result_ready(session, item_id=result.id)
    late = service.deadline_at_risk(session, item_id=result.id)
    assert "12:00-14:00 23/11" in booked.body
    assert ready.trigger is T.RESULT_READY and "27/11/2026" in late.body
    assert len(_rows(session, pickup.id)) == 1 and len(_rows(session, result.id)) == 2


def test_quiet_hours_hold_then_release(session, place, console, nested):
    """At 22:00 local an SMS is held until 07:00; delivering before then sends nothing; the
    morning sweep releases it and it goes."""
    quiet = NotifySettings(quiet_start=time(21), quiet_end=time(7))
    evening = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 22:00 local
    morning = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 07:00 local
    item = make_item(session, place)
    row = service.send(session, item=item, trigger=T.RESULT_READY,
                       ctx=service.messages.MessageContext(ref=item.s10, link=links.placeholder_url()),
                       now=evening, settings=quiet)
    assert row.status is N.HELD and row.not_before == morning
    assert _send_jobs(session) == []
    assert sender.deliver(row.id, provider=console, session_factory=nested, settings=quiet,
                          now=lambda: evening + timedelta(hours=1)) == "skipped"
    assert console.outbox == []
    assert outbox.sweep(session, now=morning + timedelta(minutes=1), settings=quiet) == 1
    assert sender.deliver(row.id, provider=console, session_factory=nested, settings=quiet,
                          now=lambda: morning + timedelta(minutes=1)) == "sent"
    assert len(console.outbox) == 1


def test_pending_row_claimed_in_quiet_hours_is_held(session, place, console, nested):
    """A message queued at 20:59 whose task runs at 21:01 is held, not sent."""
    quiet = NotifySettings(quiet_start=time(21), quiet_end=time(7))
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id, now=datetime(2026, 11, 23, 13, 59, tzinfo=UTC))
    assert row.status is N.PENDING
    outcome = sender.deliver(row.id, provider=console, session_factory=nested, settings=quiet,
                             now=lambda: datetime(2026, 11, 23, 14, 1, tzinfo=UTC))
    session.refresh(row)
    assert outcome == "held" and row.status is N.HELD and console.outbox == []


def test_rate_limit_per_phone(session, place, console, nested):
    """With at most 2 SMS per phone per hour, the third is held for an hour after the first."""
    limited = NotifySettings(quiet_start=time(0), quiet_end=time(0), max_per_phone_per_hour=2)
    items = [make_item(session, place) for _ in range(3)]
    rows = [service.result_ready(session, item_id=i.id, now=NOON) for i in items]
    outcomes = [sender.deliver(r.id, provider=console, session_factory=nested, settings=limited,
                               now=lambda k=k: NOON + timedelta(minutes=k)) for k, r in enumerate(rows)]
    assert outcomes == ["sent", "sent", "held"]
    session.refresh(rows[2])
    assert rows[2].status is N.HELD and rows[2].not_before == NOON + timedelta(hours=1)
    later = NOON + timedelta(hours=1, minutes=1)
    assert sender.deliver(rows[2].id, provider=console, session_factory=nested, settings=limited,
                          now=lambda: later) == "sent"
    assert len(console.outbox) == 3


def test_claimed_row_is_sent_once(session, place, console, nested):
    """A second task message for a row already sent (or being sent) changes nothing."""
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    assert sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN) == "sent"
    assert sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN) == "skipped"
    session.refresh(row)
    assert len(console.outbox) == 1 and row.status is N.SENT and row.tries == 1
    assert row.provider == "console" and row.provider_sid == console.outbox[0].sid


def test_link_is_issued_at_send_time(session, place, console, nested):
    """The SMS carries a working link; the outbox row keeps only the placeholder."""
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN)
    sent = console.outbox[0].body
    token = sent.rsplit("/t/", 1)[1]
    assert len(token) == links.TOKEN_LENGTH and links.resolve(session, token).id == item.id
    session.refresh(row)
    assert token not in row.body and links.TOKEN_PLACEHOLDER in row.body
    assert session.exec(select(TrackingToken).where(TrackingToken.token_sha256 == token)).first() is None


def test_sweep_recovers_lost_and_crashed(session, place, console, nested):
    """A pending row whose broker message was lost, and a row claimed by a worker that died,
    are re-dispatched by the sweep and then sent; fresh rows are left alone."""
    lost, crashed, fresh = (make_item(session, place, phone=f"+8491234567{k}") for k in range(3))
    lost_row = service.result_ready(session, item_id=lost.id, now=NOON - timedelta(minutes=5))
    crashed_row = service.result_ready(session, item_id=crashed.id, now=NOON - timedelta(minutes=5))
    service.result_ready(session, item_id=fresh.id, now=NOON)
    crashed_row.status, crashed_row.updated_at, crashed_row.tries = N.SENDING, NOON - timedelta(minutes=3), 1
    session.add(crashed_row)
    session.flush()
    lose_broker_messages(session)
    assert outbox.sweep(session, now=NOON, settings=OPEN) == 2
    assert sorted(_send_jobs(session)) == sorted([lost_row.id, crashed_row.id])
    for row in (lost_row, crashed_row):
        assert sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN,
                              now=lambda: NOON) == "sent"
    assert outbox.sweep(session, now=NOON + timedelta(seconds=30), settings=OPEN) == 0


def test_console_log_is_masked(session, place, console, nested, caplog):
    """The console provider's log line shows neither the full phone nor the text."""
    item = make_item(session, place)
    row = service.result_ready(session, item_id=item.id)
    with caplog.at_level(logging.INFO):
        sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "678" in logged and PHONE not in logged and "912345678" not in logged
    assert item.s10 not in logged and "ket qua" not in logged


def test_scan_sms_are_written_when_the_unit_of_work_ends(session, place):
    """Events are noted, and written in one go when the savepoint that wraps the scans is
    released; a savepoint that rolls back takes its events with it."""
    kept, dropped = make_item(session, place), make_item(session, place, phone="+84912345679")
    with session.begin_nested():
        _publish_scan(session, kept, ScanCode.DELIVERED, ItemStatus.DELIVERED)
        assert scan_sms.pending(session) and session.exec(select(Notification)).all() == []
    assert [r.trigger for r in session.exec(select(Notification)).all()] == [T.DELIVERED]
    savepoint = session.begin_nested()
    _publish_scan(session, dropped, ScanCode.DELIVERED, ItemStatus.DELIVERED)
    savepoint.rollback()
    assert scan_sms.write_pending(session) == []
    assert [r.item_id for r in session.exec(select(Notification)).all()] == [kept.id]


def test_scan_sms_is_a_draft_rendered_when_sent(session, place, console, nested):
    """A scan writes the row's key and cause only; the sender renders it when it claims
    it (text, phone, segments stored) and sends it."""
    item = make_item(session, place, window=(NOON, NOON + timedelta(hours=2)))
    scan = _publish_scan(session, item, ScanCode.OUT_FOR_DELIVERY, ItemStatus.OUT_FOR_DELIVERY)
    scan_sms.write_pending(session)
    (row,) = session.exec(select(Notification).where(Notification.item_id == item.id)).all()
    assert (row.body, row.to_e164, row.scan_event_id, row.status) == (None, None, scan.id, N.PENDING)
    assert sender.deliver(row.id, provider=console, session_factory=nested, settings=OPEN, now=lambda: NOON) == "sent"
    session.refresh(row)
    assert row.to_e164 == PHONE and "12:00-14:00 23/11" in row.body and row.segments == 1
    assert console.outbox[0].body.startswith(row.body.split(links.TOKEN_PLACEHOLDER)[0])


def test_draft_that_cannot_be_sent_fails_for_good(session, place, console, nested):
    """A draft whose recipient's number is a landline fails at the sender with a code the
    dispatcher sees; nothing is sent, no try counted, the sweep leaves it."""
    item = make_item(session, place, phone="+842838221234")
    _publish_scan(session, item, ScanCode.DELIVERED, ItemStatus.DELIVERED)
    (row_id,) = scan_sms.write_pending(session)
    assert sender.deliver(row_id, provider=console, session_factory=nested, settings=OPEN, now=lambda: NOON) == "failed"
    row = session.get(Notification, row_id, populate_existing=True)
    assert (row.status, row.error_code, row.tries, row.body) == (N.FAILED, "invalid_phone", 0, None)
    assert console.outbox == []
    assert outbox.sweep(session, now=NOON + timedelta(hours=1), settings=OPEN) == 0


def test_scan_draft_in_quiet_hours_is_held_then_rendered_in_the_morning(session, place, console, nested):
    """A scan at 22:00 local writes a held draft; the morning sweep releases it and the
    sender renders and sends it then."""
    quiet = NotifySettings(quiet_start=time(21), quiet_end=time(7))
    evening = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 22:00 local
    morning = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 07:00 local
    item = make_item(session, place, status=ItemStatus.OUT_FOR_DELIVERY)
    _publish_scan(session, item, ScanCode.DELIVERED, ItemStatus.DELIVERED)
    (row_id,) = scan_sms.write_pending(session, settings=quiet, now=evening)
    row = session.get(Notification, row_id)
    assert (row.status, row.not_before, row.body) == (N.HELD, morning, None) and _send_jobs(session) == []
    assert outbox.sweep(session, now=morning + timedelta(minutes=1), settings=quiet) == 1
    assert sender.deliver(row_id, provider=console, session_factory=nested, settings=quiet,
                          now=lambda: morning + timedelta(minutes=1)) == "sent"
    assert len(console.outbox) == 1 and item.s10 in console.outbox[0].body
