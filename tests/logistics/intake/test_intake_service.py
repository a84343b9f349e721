"""receive_dossier: where legs go, who carries them, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from logistics.exceptions import Conflict, Forbidden, InvalidInput
from logistics.intake.places import Place, nearest_post_office
from logistics.intake.schemas import DossierIntake
from logistics.intake.service import receive_dossier
from logistics.models import AdminUnit, Item, PostOffice
from logistics.models.enums import AdminLevel, LegKind, PlaceKind, Role
from tests.web.factories import COMMUNE_B, build_world, intake_body, person


AT_8, AT_10 = "2026-11-20T08:00:00+07:00", "2026-11-20T10:00:00+07:00"


@pytest.fixture()
def world(session):
    return build_world(session)


def _receive(session, actor, **overrides):
    data = DossierIntake.model_validate(intake_body(**overrides))
    dossier = receive_dossier(session, actor=actor, data=data, now=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    items = session.exec(select(Item).where(Item.dossier_id == dossier.id).order_by(Item.id)).all()
    return dossier, {i.leg: i for i in items}


def test_all_four_legs(session, world):
    """Pickup to the counter, counter to agency, agency back to the counter, delivery home."""
    legs = [{"leg": k} for k in ("home_pickup", "counter_to_agency", "agency_to_counter", "home_delivery")]
    _dossier, items = _receive(session, world.admin, legs=legs)
    route = {leg: (i.origin_kind, i.destination_kind) for leg, i in items.items()}
    assert route == {
        LegKind.HOME_PICKUP: (PlaceKind.HOME, PlaceKind.COUNTER),
        LegKind.COUNTER_TO_AGENCY: (PlaceKind.COUNTER, PlaceKind.AGENCY),
        LegKind.AGENCY_TO_COUNTER: (PlaceKind.AGENCY, PlaceKind.COUNTER),
        LegKind.HOME_DELIVERY: (PlaceKind.POST_OFFICE, PlaceKind.HOME),
    }
    assert {i.post_office_id for i in items.values()} == {world.a.post_office.id}
    assert items[LegKind.AGENCY_TO_COUNTER].due_date == date(2026, 11, 27)  # the appointment
    assert len({i.s10 for i in items.values()}) == 4


def test_pickup_without_a_counter_goes_to_the_agency(session, world):
    """Booked by a dispatcher with no counter, a home pickup goes straight to the agency."""
    dispatcher = world.a.users[Role.DISPATCHER]
    _dossier, items = _receive(session, dispatcher, counter=None, legs=[{"leg": "home_pickup"}])
    pickup = items[LegKind.HOME_PICKUP]
    assert (pickup.destination_kind, pickup.destination_ref_id) == (PlaceKind.AGENCY, world.a.agency.id)


def test_transfer_without_a_counter_is_refused(session, world):
    """A counter-to-agency leg needs the receiving counter (422 counter_required)."""
    with pytest.raises(InvalidInput) as info:
        _receive(session, world.admin, counter=None)
    assert info.value.code == "counter_required"


def test_late_dossiers_are_forwarded_the_next_working_day(session, world):
    """Received on a Friday at 16:00 Vietnam time, the transfer is due on Monday."""
    _dossier, items = _receive(session, world.admin, received_at="2026-11-20T16:00:00+07:00")
    assert items[LegKind.COUNTER_TO_AGENCY].due_date == date(2026, 11, 23)


def test_s10_prefix_is_configurable(session, world):
    """Allocated identifiers use the given series."""
    data = DossierIntake.model_validate(intake_body(legs=[{"leg": "home_pickup"}]))
    dossier = receive_dossier(session, actor=world.admin, data=data, s10_prefix="EE")
    item = session.exec(select(Item).where(Item.dossier_id == dossier.id)).one()
    assert item.s10.startswith("EE")


def test_a_commune_no_longer_in_force_is_unknown(session, world):
    """A commune whose validity ended before the dossier was received is refused."""
    session.add(
        AdminUnit(
            code="99001", level=AdminLevel.COMMUNE, name="Xã Cũ", short_name="Cũ", unit_type="Xã",
            parent_code="52", lat=13.8, lon=109.2, valid_from=date(2000, 1, 1), valid_to=date(2025, 6, 30),
        )
    )
    session.flush()
    with pytest.raises(InvalidInput) as info:
        _receive(session, world.admin, applicant=person(commune_code="99001"))
    assert info.value.code == "unknown_commune"


def test_recipient_commune_is_checked_too(session, world):
    """An unknown commune on the recipient is refused like the applicant's."""
    with pytest.raises(InvalidInput) as info:
        _receive(session, world.admin, recipient=person(COMMUNE_B, commune_code="88888"))
    assert info.value.code == "unknown_commune"


def test_existing_dossier_is_a_conflict(session, world):
    """The same dossier code cannot be received twice."""
    _receive(session, world.admin)
    with pytest.raises(Conflict) as info:
        _receive(session, world.admin, legs=[])
    assert info.value.code == "dossier_exists"


def test_only_intake_roles(session, world):
    """The service itself refuses an agency clerk."""
    with pytest.raises(Forbidden):
        _receive(session, world.a.users[Role.AGENCY_CLERK])


def test_nearest_post_office_prefers_the_province(world):
    """The nearest office of the point's province wins over a closer one elsewhere."""
    a, b = world.a.post_office, world.b.post_office
    near_b = Place.home(b.lat, b.lon, "52")
    assert nearest_post_office(near_b, [a, b]) is b
    elsewhere = PostOffice(
        code="PO-X", name="X", province_code="46", commune_code="1", address="x", lat=b.lat, lon=b.lon + 0.0001,
        opening_hours={}, id=999,
    )
    assert nearest_post_office(near_b, [a, elsewhere]) is a
    with pytest.raises(InvalidInput):
        nearest_post_office(near_b, [])


@pytest.mark.parametrize(
    ("legs", "code"),
    [
        ([{"leg": "home_pickup", "window_start": AT_10, "window_end": AT_10}], "invalid_time_window"),
        ([{"leg": "home_pickup", "window_start": AT_10}], "invalid_time_window"),
        ([{"leg": "counter_to_agency", "window_start": AT_8, "window_end": AT_10}], "invalid_time_window"),
        ([{"leg": "commune_transfer"}], "missing_to_counter"),
        ([{"leg": "home_pickup"}, {"leg": "home_pickup"}], "duplicate_leg"),
    ],
)
def test_schema_refusals(legs, code):
    """Rules needing no database are refused while the input is read."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        DossierIntake.model_validate(intake_body(legs=legs))
    assert info.value.errors()[0]["type"] == code


def test_naive_received_at_is_refused():
    """received_at must carry a time zone."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        DossierIntake.model_validate(intake_body(received_at="2026-11-20T09:30:00"))
