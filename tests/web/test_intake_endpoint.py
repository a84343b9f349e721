"""POST /api/v1/dossiers: receiving a dossier, and refusing bad input with nothing written."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import select

from logistics.identifiers.allocation import claim_s10
from logistics.models import AuditLog, Dossier, Item, Person
from logistics.models.enums import HolderKind, ItemStatus, LegKind, PlaceKind, Role
from tests.web.factories import COMMUNE_B, IN_PERSON_PROCEDURE, intake_body, person, row_counts, s10


def _post(client, world, body, role=Role.COUNTER_CLERK, side="a"):
    user = world.admin if role == Role.ADMIN else getattr(world, side).users[role]
    return client.post("/api/v1/dossiers", json=body, headers=world.headers(user))


def test_intake_writes_dossier_items_persons_and_audit(client, world, session):
    """A counter clerk's intake creates the dossier, one created item per leg and an audit row."""
    before = row_counts(session)
    response = _post(client, world, intake_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "000.00.22.H21-261120-0001"
    assert body["counter_code"] == "CT-A"
    assert [i["leg"] for i in body["items"]] == ["home_pickup", "counter_to_agency"]
    after = row_counts(session)
    assert after["dossier"] - before["dossier"] == 1
    assert after["item"] - before["item"] == 2
    assert after["person"] - before["person"] == 1  # the recipient defaults to the applicant
    assert after["s10_allocation"] - before["s10_allocation"] == 2
    assert after["audit_log"] - before["audit_log"] == 1

    dossier = session.exec(select(Dossier).where(Dossier.code == body["code"])).one()
    applicant = session.get(Person, dossier.applicant_id)
    assert applicant.phone_e164 == "+84912345678"
    assert dossier.recipient_id == dossier.applicant_id
    pickup, transfer = session.exec(select(Item).where(Item.dossier_id == dossier.id).order_by(Item.id)).all()
    assert pickup.leg == LegKind.HOME_PICKUP and pickup.status == ItemStatus.CREATED
    assert (pickup.origin_kind, pickup.destination_kind) == (PlaceKind.HOME, PlaceKind.COUNTER)
    assert (pickup.holder_kind, pickup.holder_ref_id) == (HolderKind.APPLICANT, applicant.id)
    assert pickup.person_id == applicant.id
    assert pickup.s10.startswith("RR") and pickup.s10.endswith("VN")  # allocated
    assert transfer.s10 == s10(10_000_001)  # given on the label
    assert (transfer.origin_kind, transfer.destination_kind) == (PlaceKind.COUNTER, PlaceKind.AGENCY)
    assert (transfer.holder_kind, transfer.holder_ref_id) == (HolderKind.COUNTER, world.a.counter.id)
    assert {pickup.post_office_id, transfer.post_office_id} == {world.a.post_office.id}

    audit = session.exec(select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.entity_id == str(dossier.id))).one()
    text = repr(audit.detail)
    assert "Nguyễn" not in text and "912345678" not in text and "Nguyễn Huệ" not in text


def test_intake_masks_persons_for_a_clerk_and_not_for_an_admin(client, world):
    """The clerk gets the applicant back masked; an admin sees the full record."""
    clerk = _post(client, world, intake_body(sequence=1)).json()
    assert clerk["applicant"] == {
        "full_name": "Nguyễn V. A.", "phone": "+84 *** *** 678", "commune_code": "21553", "masked": True,
        "address": None, "lat": None, "lon": None, "id_last4": None,
    }
    assert clerk["items"][0]["origin"]["lat"] is None  # the home end is hidden too
    admin = _post(client, world, intake_body(sequence=2), role=Role.ADMIN).json()
    assert admin["applicant"]["phone"] == "+84912345678"
    assert admin["applicant"]["masked"] is False


def test_home_delivery_goes_to_the_post_office_nearest_the_recipient(client, world, session):
    """A recipient in commune B gets the result from post office B, in the recipient's window."""
    body = intake_body(
        recipient=person(COMMUNE_B, full_name="Trần Thị Bình", phone="+84 987 654 321"),
        legs=[
            {"leg": "home_delivery", "window_start": "2026-11-27T14:00:00+07:00", "window_end": "2026-11-27T16:00:00+07:00"}
        ],
    )
    response = _post(client, world, body, role=Role.ADMIN)
    assert response.status_code == 201, response.text
    item = response.json()["items"][0]
    assert item["origin"] == {
        "kind": "post_office", "ref_id": world.b.post_office.id,
        "lat": world.b.post_office.lat, "lon": world.b.post_office.lon,
    }
    assert item["destination"]["kind"] == "home"
    assert item["post_office_id"] == world.b.post_office.id
    assert item["due_date"] == "2026-11-27"
    assert response.json()["recipient"]["phone"] == "+84987654321"


def test_commune_transfer_goes_between_two_counters(client, world):
    """A commune transfer leaves the receiving counter for the named counter."""
    body = intake_body(legs=[{"leg": "commune_transfer", "to_counter_code": "CT-B"}])
    response = _post(client, world, body)
    assert response.status_code == 201, response.text
    item = response.json()["items"][0]
    assert (item["origin"]["ref_id"], item["destination"]["ref_id"]) == (world.a.counter.id, world.b.counter.id)


def _with(path: str, value: Any, **kwargs: Any) -> dict[str, Any]:
    """The valid body with one value at a dotted path replaced ("legs.1.s10")."""
    body = copy.deepcopy(intake_body(**kwargs))
    target: Any = body
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return body


BAD_INPUT = [
    ("invalid_s10_check_digit", _with("legs.1.s10", "EB123456789VN")),
    ("invalid_s10_format", _with("legs.1.s10", "EB12345VN")),
    ("invalid_dossier_code", _with("dossier_code", "HS-2026-0001")),
    ("invalid_dossier_code_date", _with("dossier_code", "000.00.22.H21-261340-0001")),
    ("invalid_phone", _with("applicant.phone", "+1 415 555 2671")),  # not Vietnamese
    ("invalid_phone", _with("applicant.phone", "024 3666 8888")),  # a Hà Nội landline
    ("coordinates_outside_vietnam", _with("applicant", person(lat=13.7563, lon=100.5018))),  # Bangkok
    ("invalid_coordinates", _with("applicant.lat", 109.2)),  # latitude and longitude swapped
    ("unknown_commune", _with("applicant.commune_code", "99999")),
    ("invalid_time_window", _with("legs.0.window_end", "2026-11-20T07:00:00+07:00")),
    ("intake_not_allowed_by_post", _with("procedure_code", IN_PERSON_PROCEDURE)),
    ("unknown_procedure", _with("procedure_code", "9.999999")),
    ("unknown_agency", _with("agency_code", "000.00.99.H99")),
    ("unknown_counter", _with("legs", [{"leg": "commune_transfer", "to_counter_code": "CT-ZZ"}])),
]


@pytest.mark.parametrize(("code", "body"), BAD_INPUT, ids=[f"{i}-{c}" for i, (c, _) in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_with_its_code_and_nothing_written(client, world, session, code, body):
    """Each kind of bad input gets a 422 with its own code, and no row is written."""
    before = row_counts(session)
    response = _post(client, world, body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == code
    assert error["detail"]
    assert row_counts(session) == before


def test_existing_dossier_code_is_a_conflict_and_writes_nothing(client, world, session):
    """Receiving the same dossier code twice gives 409 dossier_exists the second time."""
    assert _post(client, world, intake_body()).status_code == 201
    before = row_counts(session)
    body = _with("legs.1.s10", s10(20_000_000))
    response = _post(client, world, body)
    assert (response.status_code, response.json()["error"]) == (409, "dossier_exists")
    assert row_counts(session) == before


def test_s10_on_a_recent_item_is_a_conflict_and_writes_nothing(client, world, session):
    """An S10 carried by an item within 24 months is refused with 409 s10_reused."""
    assert _post(client, world, intake_body(sequence=1)).status_code == 201
    before = row_counts(session)
    body = intake_body(sequence=2)
    body["legs"][1]["s10"] = s10(10_000_001)  # the label of dossier 1
    response = _post(client, world, body)
    assert (response.status_code, response.json()["error"]) == (409, "s10_reused")
    assert row_counts(session) == before


def test_s10_in_the_register_is_refused_after_the_first_writes_and_rolled_back(client, world, session):
    """An S10 issued (registered) but on no item is found only when claimed, after the
    persons and dossier were flushed: the request rolls them back, nothing is left."""
    claim_s10(session, s10(30_000_000))
    session.flush()
    before = row_counts(session)
    response = _post(client, world, _with("legs.1.s10", s10(30_000_000)))
    assert (response.status_code, response.json()["error"]) == (409, "s10_reused")
    assert row_counts(session) == before


def test_field_errors_name_the_field(client, world):
    """A domain refusal inside a nested field names its path in detail and fields."""
    response = _post(client, world, _with("legs.1.s10", "EB123456789VN"))
    error = response.json()
    assert error["detail"].startswith("legs[1].s10: ")
    assert error["fields"][0]["loc"] == ["body", "legs", 1, "s10"]
    assert "EB123456789VN" in error["detail"]  # the identifier, not personal data


def test_refusals_do_not_echo_personal_data(client, world):
    """Refusing a phone shows at most its last digits; refusing a home point does not repeat it."""
    response = _post(client, world, _with("applicant.phone", "024 3666 8888"))
    assert "3666" not in response.text
    response = _post(client, world, _with("applicant", person(lat=13.7563, lon=100.5018)))
    assert response.json()["error"] == "coordinates_outside_vietnam"
    assert "13.756" not in response.text and "100.50" not in response.text


def test_only_intake_roles_may_receive(client, world, session):
    """An agency clerk or a postman may not receive dossiers (403), and nothing is written."""
    before = row_counts(session)
    for role in (Role.AGENCY_CLERK, Role.POSTMAN):
        response = _post(client, world, intake_body(), role=role)
        assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert row_counts(session) == before


def test_a_clerk_receives_at_their_own_counter_only(client, world, session):
    """A counter clerk naming another counter is refused; naming none means their own."""
    assert _post(client, world, intake_body(counter="CT-B")).json()["error"] == "wrong_counter"
    response = _post(client, world, intake_body(counter=None))
    assert response.status_code == 201
    assert response.json()["counter_code"] == "CT-A"


def test_home_delivery_of_an_in_person_procedure_is_refused(client, world):
    """A procedure whose result must be collected in person refuses a home delivery."""
    body = intake_body(procedure_code=IN_PERSON_PROCEDURE, legs=[{"leg": "home_delivery"}])
    response = _post(client, world, body)
    assert (response.status_code, response.json()["error"]) == (422, "return_not_allowed_by_post")
