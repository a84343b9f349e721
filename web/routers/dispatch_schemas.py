"""Request and response bodies of the dispatcher API (``dispatch`` and ``dispatch_adjust``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from logistics.routing.day_view import PostmanOfDay, UnplannedItem

# The planner's time budget a console may ask for: a day of a few hundred stops is
# good after 10-20 s; a minute is the most a dispatcher should wait.
MAX_TIME_LIMIT_S = 120.0


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficeOut(BaseModel):
    id: int
    code: str
    name: str
    lat: float
    lon: float


class PlanIn(Strict):
    time_limit_s: float = Field(default=20.0, gt=0, le=MAX_TIME_LIMIT_S, description="the solver's time budget")


class JobOut(BaseModel):
    task_id: str
    kind: str = Field(description="plan or reoptimise")
    post_office_id: int
    day: date


class JobStatusOut(BaseModel):
    task_id: str
    state: str = Field(description="PENDING, STARTED, PROGRESS, SUCCESS or FAILURE (Celery's states)")
    progress: float = Field(description="0 to 1: the solver's time spent over its budget; 1 when finished")
    seconds: float | None = None
    objective: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None


class PlaceOut(BaseModel):
    kind: str
    lat: float
    lon: float


class UnplannedOut(BaseModel):
    item_id: int
    s10: str
    leg: str
    status: str
    origin: PlaceOut
    destination: PlaceOut
    due_date: date | None
    window_start: datetime | None
    window_end: datetime | None
    mandatory: bool
    at_risk: bool = Field(description="due on or before the day and still on no route")
    weight_g: int


def unplanned_out(item: UnplannedItem, day: date) -> UnplannedOut:
    return UnplannedOut(
        item_id=item.item_id, s10=item.s10, leg=item.leg.value, status=item.status,
        origin=PlaceOut(kind=item.origin_kind.value, lat=item.origin[0], lon=item.origin[1]),
        destination=PlaceOut(kind=item.destination_kind.value, lat=item.destination[0], lon=item.destination[1]),
        due_date=item.due_date, window_start=item.window_start, window_end=item.window_end,
        mandatory=item.mandatory, at_risk=item.mandatory and (item.due_date is None or item.due_date <= day),
        weight_g=item.weight_g,
    )


class PostmanOut(BaseModel):
    postman_id: int
    username: str
    full_name: str
    vehicle: str
    route_id: int | None


def postman_out(p: PostmanOfDay) -> PostmanOut:
    return PostmanOut(postman_id=p.postman_id, username=p.username, full_name=p.full_name, vehicle=p.vehicle,
                      route_id=p.route_id)


class DayRoutesOut(BaseModel):
    post_office_id: int
    day: date
    postmen: list[PostmanOut]
    geojson: dict[str, Any] = Field(description="a FeatureCollection: one LineString per route, one Point per stop")


class MoveIn(Strict):
    to_postman_id: int = Field(gt=0)
    pin: bool = Field(default=True, description="keep the stop with this postman when re-optimising")


class MoveOut(BaseModel):
    from_route_id: int
    to_route_id: int
    moved_stop_ids: list[int]
    item_ids: list[int]


class PinIn(Strict):
    pinned: bool = True


class PinOut(BaseModel):
    id: int
    pinned: bool


class UrgentOut(BaseModel):
    dossier_code: str
    items: list[dict[str, Any]] = Field(description="s10, leg, post_office_id of each item received")
