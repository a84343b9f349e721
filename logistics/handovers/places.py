"""Who may see a handover record, and which items fit a handover at a place.

Scopes are SQL conditions, as in ``logistics.access``: a record outside the caller's
scope is not found (404), never revealed. An agency clerk sees the records made at
their agency, a counter clerk those at their counter, a postman his own, a dispatcher
those of the postmen of his post office, an admin all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import false, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from logistics.exceptions import Forbidden, NotFound
from logistics.models import Agency, Counter, Handover, Item, PostOffice, Postman, Route, RouteStop, RouteStopItem, User
from logistics.models.enums import HandoverKind, HolderKind, PlaceKind, Role, ScanCode
from logistics.tracking import states

# The scan a confirmed line causes, per kind of handover (``custody``).
SCAN_FOR_KIND = {
    HandoverKind.TO_AGENCY: ScanCode.HANDED_OVER,
    HandoverKind.TO_COUNTER: ScanCode.HANDED_OVER,
    HandoverKind.FROM_AGENCY: ScanCode.COLLECTED_FROM_AGENCY,
    HandoverKind.FROM_COUNTER: ScanCode.COLLECTED_FROM_COUNTER,
}
AGENCY_KINDS = frozenset({HandoverKind.TO_AGENCY, HandoverKind.FROM_AGENCY})
INBOUND_KINDS = frozenset({HandoverKind.TO_AGENCY, HandoverKind.TO_COUNTER})  # the place receives
CLERK_ROLES = frozenset({Role.AGENCY_CLERK, Role.COUNTER_CLERK})
# Days around today a postman's route may carry an item he hands over (tracking's
# route_day_slack_days is 1: the same window, so a confirmed line is never refused there).
ROUTE_SLACK_DAYS = 1


@dataclass(frozen=True)
class Place:
    kind: PlaceKind  # AGENCY or COUNTER
    ref_id: int
    code: str
    name: str
    address: str


def place_of(session: Session, handover: Handover) -> Place:
    if handover.agency_id is not None:
        agency = session.get(Agency, handover.agency_id)
        return Place(PlaceKind.AGENCY, agency.id, agency.code, agency.name, agency.address)
    counter = session.get(Counter, handover.counter_id)
    return Place(PlaceKind.COUNTER, counter.id, counter.code, counter.name, counter.address)


def place_by_code(session: Session, kind: HandoverKind, code: str) -> Place:
    """The agency (to/from_agency) or counter (to/from_counter) with ``code``; 404 otherwise."""
    model = Agency if kind in AGENCY_KINDS else Counter
    row = session.execute(select(model).where(model.code == code.strip())).scalars().first()
    if row is None:
        noun = "agency" if model is Agency else "counter"
        raise NotFound(f"There is no {noun} with code {code}.", code=f"unknown_{noun}")
    place_kind = PlaceKind.AGENCY if model is Agency else PlaceKind.COUNTER
    return Place(place_kind, row.id, row.code, row.name, row.address)


def postman_of(session: Session, user: User) -> Postman:
    row = session.execute(select(Postman).where(Postman.user_id == user.id)).scalars().first()
    if row is None:
        raise Forbidden("Only a postman opens and carries handovers.", code="not_a_postman")
    return row


def visible_handovers(session: Session, user: User) -> ColumnElement[bool]:
    """The condition on ``Handover`` selecting the records ``user`` may read."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.AGENCY_CLERK:
        return Handover.agency_id == user.agency_id if user.agency_id is not None else false()
    if user.role == Role.COUNTER_CLERK:
        return Handover.counter_id == user.counter_id if user.counter_id is not None else false()
    if user.role == Role.POSTMAN:
        return Handover.postman_id.in_(select(Postman.id).where(Postman.user_id == user.id))
    if user.role == Role.DISPATCHER and user.post_office_id is not None:
        return Handover.postman_id.in_(select(Postman.id).where(Postman.post_office_id == user.post_office_id))
    return false()


def get_visible(session: Session, user: User, code: str, *, lock: bool = False) -> Handover:
    """The record ``code`` if ``user`` may read it; NotFound otherwise (same answer either way)."""
    query = select(Handover).where(Handover.code == code.strip().upper(), visible_handovers(session, user))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).scalars().first()
    if row is None:
        raise NotFound(f"There is no handover record {code} you may see.", code="handover_not_found", record=code)
    return row


def require_clerk_of(user: User, handover: Handover) -> None:
    """Refuse unless ``user`` is the clerk (or an admin) on the place's side of ``handover``."""
    if user.role == Role.ADMIN:
        return
    if user.role == Role.AGENCY_CLERK and handover.agency_id is not None and handover.agency_id == user.agency_id:
        return
    if user.role == Role.COUNTER_CLERK and handover.counter_id is not None and handover.counter_id == user.counter_id:
        return
    raise Forbidden("Only a clerk of the receiving agency or counter may do this.", code="not_the_clerk")


def require_postman_of(session: Session, user: User, handover: Handover) -> Postman:
    postman = postman_of(session, user)
    if postman.id != handover.postman_id:
        raise NotFound(f"There is no handover record {handover.code} you may see.", code="handover_not_found", record=handover.code)
    return postman


def item_fits(handover: Handover, item: Item) -> str | None:
    """Why ``item`` cannot go on ``handover`` (a code), or None if its leg and status fit."""
    kind = handover.kind
    place_kind = PlaceKind.AGENCY if handover.agency_id is not None else PlaceKind.COUNTER
    place_id = handover.agency_id if handover.agency_id is not None else handover.counter_id
    if kind in INBOUND_KINDS:
        if item.destination_kind is not place_kind or item.destination_ref_id != place_id:
            return "item_not_for_this_place"
    elif item.origin_kind is not place_kind or item.origin_ref_id != place_id:
        return "item_not_for_this_place"
    if item.status not in states.RULES[SCAN_FOR_KIND[kind]].allowed_from:
        return "item_status_not_allowed"
    if kind is HandoverKind.FROM_COUNTER and item.holder_kind is not HolderKind.COUNTER:
        return "item_not_at_counter"  # accepted, but already in the post's hands
    return None


def on_postmans_route(session: Session, *, postman_id: int, item_id: int, day: date) -> bool:
    """Whether a route of the postman within a day of ``day`` carries the item."""
    found = session.execute(
        select(RouteStopItem.id)
        .join(RouteStop, RouteStop.id == RouteStopItem.stop_id)
        .join(Route, Route.id == RouteStop.route_id)
        .where(
            RouteStopItem.item_id == item_id, Route.postman_id == postman_id,
            Route.day >= day - timedelta(days=ROUTE_SLACK_DAYS), Route.day <= day + timedelta(days=ROUTE_SLACK_DAYS),
        )
    ).first()
    return found is not None


def post_office_name(session: Session, postman: Postman) -> str:
    office = session.get(PostOffice, postman.post_office_id)
    return office.name if office is not None else ""
