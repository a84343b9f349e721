"""Role scopes as SQL conditions: each role reads its own items and dossiers only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from logistics import access
from logistics.exceptions import Forbidden
from logistics.intake.schemas import DossierIntake
from logistics.intake.service import receive_dossier
from logistics.models import Dossier, Item, User
from logistics.models.enums import Role
from tests.web.factories import AGENCY_B, COMMUNE_B, build_world, intake_body, person, s10


@pytest.fixture()
def world(session):
    world = build_world(session)
    a = intake_body(sequence=1)
    b = intake_body(
        sequence=1, counter="CT-B", agency_code=AGENCY_B, dossier_code=f"{AGENCY_B}-261120-0001",
        applicant=person(COMMUNE_B),
    )
    b["legs"][1]["s10"] = s10(50_000_000)
    world.dossiers = {
        side: receive_dossier(session, actor=world.admin, data=DossierIntake.model_validate(body))
        for side, body in (("a", a), ("b", b))
    }
    return world


def _visible(session, user):
    items = session.exec(select(Item).where(access.visible_items(user))).all()
    dossiers = session.exec(select(Dossier).where(access.visible_dossiers(user))).all()
    return {i.dossier_id for i in items}, {d.id for d in dossiers}


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.POSTMAN, Role.COUNTER_CLERK, Role.AGENCY_CLERK])
def test_each_role_sees_its_side_only(session, world, role):
    """Users of side A see the items and the dossier of side A, nothing of side B."""
    own = world.dossiers["a"].id
    assert _visible(session, world.a.users[role]) == ({own}, {own})


def test_admin_sees_all(session, world):
    """An admin's condition selects everything."""
    both = {d.id for d in world.dossiers.values()}
    assert _visible(session, world.admin) == (both, both)


def test_missing_scope_sees_nothing(session, world):
    """A clerk attached to no agency sees nothing rather than everything."""
    stray = User(username="stray", full_name="x", role=Role.AGENCY_CLERK, secret_hash="x")
    assert _visible(session, stray) == (set(), set())


def test_counter_clerk_sees_items_arriving_at_their_counter(session, world):
    """A commune transfer to counter B is visible to counter B's clerk (its destination)."""
    body = intake_body(sequence=7, legs=[{"leg": "commune_transfer", "to_counter_code": "CT-B"}])
    dossier = receive_dossier(session, actor=world.admin, data=DossierIntake.model_validate(body))
    item = session.exec(select(Item).where(Item.dossier_id == dossier.id)).one()
    assert access.can_read_item(session, world.b.users[Role.COUNTER_CLERK], item)
    assert access.can_read_item(session, world.a.users[Role.COUNTER_CLERK], item)
    assert not access.can_read_item(session, world.b.users[Role.AGENCY_CLERK], item)
    assert access.can_read_dossier(session, world.b.users[Role.COUNTER_CLERK], dossier)


def test_personal_data_for_admins_and_the_offices_dispatcher(world):
    """Admins and the dispatcher of the item's office see persons unmasked; no one else."""
    office_a = world.a.post_office.id
    assert access.can_see_personal_data(world.admin, post_office_ids=[office_a])
    assert access.can_see_personal_data(world.a.users[Role.DISPATCHER], post_office_ids=[office_a])
    assert not access.can_see_personal_data(world.b.users[Role.DISPATCHER], post_office_ids=[office_a])
    for role in (Role.POSTMAN, Role.COUNTER_CLERK, Role.AGENCY_CLERK):
        assert not access.can_see_personal_data(world.a.users[role], post_office_ids=[office_a])


def test_who_manages_whose_account(world):
    """Self and admin always; a dispatcher for their office's staff only."""
    dispatcher_a = world.a.users[Role.DISPATCHER]
    access.require_can_manage_user(dispatcher_a, world.a.users[Role.POSTMAN])
    access.require_can_manage_user(world.admin, world.b.users[Role.POSTMAN])
    access.require_can_manage_user(world.b.users[Role.AGENCY_CLERK], world.b.users[Role.AGENCY_CLERK])
    with pytest.raises(Forbidden):
        access.require_can_manage_user(dispatcher_a, world.b.users[Role.POSTMAN])
    with pytest.raises(Forbidden):
        access.require_can_manage_user(dispatcher_a, world.admin)
    with pytest.raises(Forbidden):
        access.require_can_manage_user(world.a.users[Role.COUNTER_CLERK], world.a.users[Role.POSTMAN])
