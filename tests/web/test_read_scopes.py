"""Read endpoints show each role its own scope; another scope's objects are 404."""

from __future__ import annotations

import pytest

from logistics.models.enums import Role
from tests.web.factories import AGENCY_B, COMMUNE_B, intake_body, person, s10


@pytest.fixture()
def dossiers(client, world):
    """Dossier A1 (counter A, agency A, office A) and dossier B1 (counter B, agency B,
    office B), each with a home pickup and a counter-to-agency leg."""
    a = intake_body(sequence=1)
    b = intake_body(
        sequence=1,
        counter="CT-B",
        agency_code=AGENCY_B,
        dossier_code=f"{AGENCY_B}-261120-0001",
        applicant=person(COMMUNE_B, full_name="Lê Văn Cường"),
    )
    b["legs"][1]["s10"] = s10(40_000_000)
    created = {}
    for name, body in (("a", a), ("b", b)):
        response = client.post("/api/v1/dossiers", json=body, headers=world.headers(world.admin))
        assert response.status_code == 201, response.text
        created[name] = response.json()
    return created


def _codes(client, world, user, path):
    response = client.get(path, headers=world.headers(user))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("role", [Role.AGENCY_CLERK, Role.DISPATCHER, Role.COUNTER_CLERK, Role.POSTMAN])
def test_each_role_sees_only_its_side(client, world, dossiers, role):
    """Agency clerks, dispatchers, counter clerks and postmen of side A see dossier A only."""
    user = world.a.users[role]
    page = _codes(client, world, user, "/api/v1/dossiers")
    assert [d["code"] for d in page["items"]] == [dossiers["a"]["code"]]
    assert page["total"] == 1
    items = _codes(client, world, user, "/api/v1/items")["items"]
    assert {i["dossier_code"] for i in items} == {dossiers["a"]["code"]}


@pytest.mark.parametrize("role", [Role.AGENCY_CLERK, Role.DISPATCHER, Role.COUNTER_CLERK])
def test_another_scopes_objects_are_not_found(client, world, dossiers, role):
    """Dossier B and its items are 404 (not 403) for side A's users: existence is not revealed."""
    headers = world.headers(world.a.users[role])
    response = client.get(f"/api/v1/dossiers/{dossiers['b']['code']}", headers=headers)
    assert (response.status_code, response.json()["error"]) == (404, "dossier_not_found")
    for item in dossiers["b"]["items"]:
        response = client.get(f"/api/v1/items/{item['s10']}", headers=headers)
        assert (response.status_code, response.json()["error"]) == (404, "item_not_found")
    own = dossiers["a"]["items"][1]["s10"]
    assert client.get(f"/api/v1/items/{own}", headers=headers).status_code == 200


def test_admin_sees_everything(client, world, dossiers):
    """An admin lists both dossiers and all four items."""
    assert _codes(client, world, world.admin, "/api/v1/dossiers")["total"] == 2
    assert _codes(client, world, world.admin, "/api/v1/items")["total"] == 4


def test_a_dispatcher_sees_their_offices_persons_unmasked(client, world, dossiers):
    """A dispatcher reads the applicant of their office's dossier in full; an agency clerk masked."""
    code = dossiers["a"]["code"]
    dispatcher = client.get(f"/api/v1/dossiers/{code}", headers=world.headers(world.a.users[Role.DISPATCHER])).json()
    assert dispatcher["applicant"]["full_name"] == "Nguyễn Văn An"
    assert dispatcher["applicant"]["phone"] == "+84912345678"
    clerk = client.get(f"/api/v1/dossiers/{code}", headers=world.headers(world.a.users[Role.AGENCY_CLERK])).json()
    assert clerk["applicant"]["full_name"] == "Nguyễn V. A."
    assert clerk["applicant"]["address"] is None


def test_item_filters(client, world, dossiers):
    """Items filter by leg, status, due date and post office."""
    admin = world.admin

    def total(query):
        return _codes(client, world, admin, f"/api/v1/items?{query}")["total"]

    assert total("leg=home_pickup") == 2
    assert total("status=created") == 4
    assert total("status=delivered") == 0
    assert total("due_date=2026-11-20") == 4
    assert total("post_office=PO-B") == 2
    assert total("post_office=PO-B&leg=counter_to_agency") == 1


def test_dossier_filters_and_paging(client, world, dossiers):
    """Dossiers filter by status and received day, and page with limit and offset."""
    admin = world.admin
    page = _codes(client, world, admin, "/api/v1/dossiers?limit=1")
    assert (len(page["items"]), page["total"], page["next_offset"]) == (1, 2, 1)
    last = _codes(client, world, admin, "/api/v1/dossiers?limit=1&offset=1")
    assert last["next_offset"] is None
    assert page["items"][0]["code"] != last["items"][0]["code"]
    assert _codes(client, world, admin, "/api/v1/dossiers?received_from=2026-11-20&received_to=2026-11-20")["total"] == 2
    assert _codes(client, world, admin, "/api/v1/dossiers?received_from=2026-11-21")["total"] == 0
    assert _codes(client, world, admin, "/api/v1/dossiers?status=completed")["total"] == 0


def test_malformed_s10_in_the_path_is_422(client, world):
    """GET /items/{s10} with a bad check digit answers 422 invalid_s10_check_digit."""
    response = client.get("/api/v1/items/EB123456789VN", headers=world.headers(world.admin))
    assert (response.status_code, response.json()["error"]) == (422, "invalid_s10_check_digit")
