"""Who may see what: role scopes as SQL conditions.

Scopes are WHERE clauses, not Python filters, so that a list endpoint pages and
counts only what its caller may see, and a lookup of an object outside the scope
finds nothing (the API answers 404, never revealing that it exists).

- admin: everything;
- dispatcher, postman: the items of their post office (postmen will be narrowed to
  their routes) and the dossiers having such an item;
- counter clerk: items leaving from or arriving at their counter, and dossiers
  received at their counter or having such an item;
- agency clerk: the dossiers of their agency and all the items of those dossiers.

A user whose scope is missing (a clerk with no agency) sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from logistics.exceptions import Forbidden
from logistics.models import Dossier, Item, User
from logistics.models.enums import PlaceKind, Role

# Roles that see the full name, phone and address of applicants and recipients, and
# on which condition (see can_see_personal_data).
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})


def visible_items(user: User) -> ColumnElement[bool]:
    """The condition on ``Item`` selecting the items ``user`` may read."""
    if user.role == Role.ADMIN:
        return true()
    if user.role in (Role.DISPATCHER, Role.POSTMAN):
        return Item.post_office_id == user.post_office_id if user.post_office_id is not None else false()
    if user.role == Role.COUNTER_CLERK:
        if user.counter_id is None:
            return false()
        return or_(
            and_(Item.origin_kind == PlaceKind.COUNTER, Item.origin_ref_id == user.counter_id),
            and_(Item.destination_kind == PlaceKind.COUNTER, Item.destination_ref_id == user.counter_id),
        )
    if user.role == Role.AGENCY_CLERK:
        if user.agency_id is None:
            return false()
        return Item.dossier_id.in_(select(Dossier.id).where(Dossier.agency_id == user.agency_id))
    return false()


def visible_dossiers(user: User) -> ColumnElement[bool]:
    """The condition on ``Dossier`` selecting the dossiers ``user`` may read."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.AGENCY_CLERK:
        return Dossier.agency_id == user.agency_id if user.agency_id is not None else false()
    with_visible_item = Dossier.id.in_(select(Item.dossier_id).where(visible_items(user)))
    if user.role == Role.COUNTER_CLERK and user.counter_id is not None:
        return or_(Dossier.counter_id == user.counter_id, with_visible_item)
    return with_visible_item


def can_read_item(session: Session, user: User, item: Item) -> bool:
    """Whether ``user`` may read ``item`` (the same rule as :func:`visible_items`)."""
    found = session.execute(select(Item.id).where(Item.id == item.id, visible_items(user))).first()
    return found is not None


def can_read_dossier(session: Session, user: User, dossier: Dossier) -> bool:
    found = session.execute(select(Dossier.id).where(Dossier.id == dossier.id, visible_dossiers(user))).first()
    return found is not None


def can_see_personal_data(user: User, *, post_office_ids: Iterable[int]) -> bool:
    """Whether ``user`` sees applicants and recipients unmasked.

    Admins do; a dispatcher does for items of their own post office, whose pickups and
    deliveries they plan. Everyone else sees masked names and phones: clerks and
    agencies work from the dossier code (Decision 45/2016: staff do not disclose more
    than the job needs).
    """
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.DISPATCHER and user.post_office_id is not None:
        return user.post_office_id in set(post_office_ids)
    return False


def require_can_manage_user(actor: User, target: User) -> None:
    """Refuse unless ``actor`` may act on ``target``'s account (revoke their tokens).

    Anyone may act on their own account; an admin on any; a dispatcher on the
    accounts of their own post office.
    """
    if actor.id == target.id or actor.role == Role.ADMIN:
        return
    if (
        actor.role == Role.DISPATCHER
        and actor.post_office_id is not None
        and target.post_office_id == actor.post_office_id
        and target.role != Role.ADMIN
    ):
        return
    raise Forbidden("You may only manage your own account or, as a dispatcher, those of your post office.", code="forbidden")


def require_post_office(user: User, post_office_id: int) -> None:
    """Refuse unless ``user`` runs the day of post office ``post_office_id``: an admin
    any office, a dispatcher their own (the dispatcher console's rule)."""
    if runs_post_office(user, post_office_id):
        return
    raise Forbidden("You may only run the day of your own post office.", code="other_post_office",
                    post_office_id=post_office_id)


def runs_post_office(user: User, post_office_id: int) -> bool:
    """Whether ``user`` may plan and adjust the day of post office ``post_office_id``."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.DISPATCHER and user.post_office_id is not None and user.post_office_id == post_office_id
