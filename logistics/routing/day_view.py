"""What a dispatcher sees of a post office's day before and after planning: the items
the day's problem holds that no route serves yet, and the office's postmen.

The unplanned items are exactly those the planner would take for the day
(``build_day_problem``: due, booked or worth taking early) minus those already on one
of the day's routes, so the list shrinks as planning and moves serve them. An item due
on or before the day that is still unplanned is at risk of missing its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from logistics.models import Postman, Route, RouteStop, RouteStopItem, User
from logistics.models.enums import LegKind, PlaceKind
from logistics.routing.day_problem import build_day_problem


@dataclass(frozen=True)
class UnplannedItem:
    item_id: int
    s10: str
    leg: LegKind
    status: str
    origin_kind: PlaceKind
    origin: tuple[float, float]  # (lat, lon)
    destination_kind: PlaceKind
    destination: tuple[float, float]
    due_date: date | None
    window_start: datetime | None
    window_end: datetime | None
    mandatory: bool  # the day must serve it
    weight_g: int


@dataclass(frozen=True)
class PostmanOfDay:
    postman_id: int
    user_id: int
    username: str
    full_name: str
    vehicle: str
    route_id: int | None


def planned_item_ids(session: Session, *, post_office_id: int, day: date) -> set[int]:
    return set(session.exec(
        select(RouteStopItem.item_id)
        .join(RouteStop, RouteStop.id == RouteStopItem.stop_id)
        .join(Route, Route.id == RouteStop.route_id)
        .where(Route.post_office_id == post_office_id, Route.day == day)
    ))


def unplanned_items(session: Session, *, post_office_id: int, day: date) -> list[UnplannedItem]:
    """The day's items that no route of the day serves, mandatory ones first."""
    problem, ctx = build_day_problem(session, post_office_id=post_office_id, day=day)
    planned = planned_item_ids(session, post_office_id=post_office_id, day=day)
    jobs = {job.id: job for job in problem.jobs}
    out = []
    for job_id, item in ctx.items.items():
        if item.id in planned:
            continue
        out.append(UnplannedItem(
            item_id=item.id, s10=item.s10, leg=item.leg, status=item.status.value, origin_kind=item.origin_kind,
            origin=(item.origin_lat, item.origin_lon), destination_kind=item.destination_kind,
            destination=(item.destination_lat, item.destination_lon), due_date=item.due_date,
            window_start=item.window_start, window_end=item.window_end, mandatory=jobs[job_id].mandatory,
            weight_g=item.weight_g,
        ))
    return sorted(out, key=lambda u: (not u.mandatory, u.due_date or day, u.s10))


def postmen_of_day(session: Session, *, post_office_id: int, day: date) -> list[PostmanOfDay]:
    """The office's active postmen, with their route of the day if they have one."""
    routes = {r.postman_id: r.id for r in session.exec(
        select(Route).where(Route.post_office_id == post_office_id, Route.day == day))}
    rows = session.exec(
        select(Postman, User).join(User, User.id == Postman.user_id)
        .where(Postman.post_office_id == post_office_id, Postman.active).order_by(Postman.id)
    ).all()
    return [
        PostmanOfDay(postman_id=p.id, user_id=u.id, username=u.username, full_name=u.full_name,
                     vehicle=p.vehicle.value, route_id=routes.get(p.id))
        for p, u in rows
    ]


def day_has_routes(session: Session, *, post_office_id: int, day: date) -> bool:
    found = session.exec(select(Route.id).where(Route.post_office_id == post_office_id, Route.day == day)).first()
    return found is not None
