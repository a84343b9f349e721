"""A result the recipient collects at the post office: its own leg (agency -> post office),
planned as a pickup at the agency ending at the depot, tracked to "ready for pickup",
shown to the recipient on the public page."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from logistics.handovers import confirmation, records, results
from logistics.models import Notification, Person, RouteStopItem
from logistics.models.enums import (
    HandoverKind, HolderKind, ItemStatus, LegKind, NotificationTrigger, PlaceKind, ResultDelivery, ScanCode, StopAction,
)
from logistics.models.types import utcnow
from logistics.notify import public_view
from logistics.phones import mask_name
from logistics.routing import day_problem
from logistics.tracking import scans
from logistics.tracking.inputs import ScanInput
from logistics.workdays import LOCAL_TZ
from tests.logistics.handovers.handover_factories import HandoverWorld, build_handover_world, dossier_at_agency


@pytest.fixture()
def hw(session: Session) -> HandoverWorld:
    return build_handover_world(session)


def _ready_at_post_office(session: Session, hw: HandoverWorld):  # noqa: ANN202
    dossier = dossier_at_agency(session, hw, delivery=ResultDelivery.POST_OFFICE)
    recipient = Person(full_name="Trần Văn Bình", phone_e164="+84987654321", address="9 Lê Lợi",
                       commune_code=hw.world.a.commune_code, lat=13.791, lon=109.171)
    session.add(recipient)
    session.flush()
    dossier.recipient_id = recipient.id  # not the applicant: the SMS and the page must name the recipient
    made = results.mark_result_ready(session, actor=hw.clerk_a, dossier=dossier)
    return dossier, made.items[0]


def test_marking_ready_creates_the_post_office_leg(session: Session, hw: HandoverWorld):
    """The item goes agency -> the recipient's nearest office, names the recipient, and the SMS goes to them."""
    dossier, item = _ready_at_post_office(session, hw)
    office = hw.world.a.post_office
    assert item.leg is LegKind.AGENCY_TO_OFFICE
    assert (item.origin_kind, item.origin_ref_id) == (PlaceKind.AGENCY, hw.world.a.agency.id)
    assert (item.destination_kind, item.destination_ref_id) == (PlaceKind.POST_OFFICE, office.id)
    assert item.post_office_id == office.id and item.person_id == dossier.recipient_id
    sms = session.query(Notification).filter(Notification.item_id == item.id).one()
    assert sms.trigger is NotificationTrigger.RESULT_READY
    assert sms.to_e164 == "+84987654321"


def test_planning_picks_it_up_at_the_agency_and_ends_at_the_depot(session: Session, hw: HandoverWorld):
    """The day's problem carries the item as a pickup at the agency delivered at the post office itself."""
    _, item = _ready_at_post_office(session, hw)
    office = hw.world.a.post_office
    assert item in day_problem.candidate_items(session, post_office_id=office.id)
    problem, ctx = day_problem.build_day_problem(session, post_office_id=office.id,
                                                 day=utcnow().astimezone(LOCAL_TZ).date(), items=[item])
    job = next(j for j in problem.jobs if ctx.items[j.id].id == item.id)
    assert ctx.places[job.delivery.location] == (PlaceKind.POST_OFFICE, office.id)
    assert job.delivery.location == 0  # the depot
    assert ctx.places[job.pickup.location] == (PlaceKind.AGENCY, hw.world.a.agency.id)


def test_collected_then_held_for_the_recipient(session: Session, hw: HandoverWorld):
    """Collected on a from_agency record, scanned in at the office: ready for pickup, held by the office,
    and the public page shows the recipient masked, the journey, and no delivery window."""
    dossier, item = _ready_at_post_office(session, hw)
    session.add(RouteStopItem(stop_id=hw.agency_stop.id, item_id=item.id, action=StopAction.PICKUP))
    session.flush()
    h = records.open_handover(session, actor=hw.postman_user, kind=HandoverKind.FROM_AGENCY,
                              place_code=hw.world.a.agency.code)
    records.add_item(session, actor=hw.postman_user, handover=h, s10=item.s10)
    token, _ = confirmation.issue_qr_token(session, actor=hw.clerk_a, handover=h, fees_handed_vnd=0)
    confirmation.confirm_with_qr(session, actor=hw.postman_user, handover=h, token=token)
    assert item.status is ItemStatus.ACCEPTED and item.holder_kind is HolderKind.POSTMAN
    [held] = scans.ingest_scans(session, actor=hw.postman_user, device_id="phone-a", events=[ScanInput(
        client_event_id=uuid.uuid4(), s10=item.s10, code=ScanCode.HELD_AT_POST_OFFICE, device_time=utcnow())])
    assert held.item_status is ItemStatus.READY_FOR_PICKUP, held
    assert (item.holder_kind, item.holder_ref_id) == (HolderKind.POST_OFFICE, hw.world.a.post_office.id)
    view = public_view.tracking_view(session, item)
    assert view.status == "ready_for_pickup" and view.eta is None
    assert [t.code for t in view.timeline] == ["collected_from_agency", "held_at_post_office"]
    assert view.recipient_name == mask_name("Trần Văn Bình") and view.recipient_phone.endswith("321")
    assert "Bình" not in repr(view) and "987654" not in repr(view)
    assert view.office.name == hw.world.a.post_office.name
