"""Days in the open postal-day format through the API: upload a day, plan it as a
background task, download the plan; export a day planned from the database.

Dispatchers see their own post office's files and days, admins every one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile, status
from pydantic import BaseModel
from sqlmodel import select

from api_core.deps import SessionDep, require_roles
from api_core.errors import error_responses
from logistics.exceptions import Forbidden, NotFound
from logistics.models import DayFile, PostOffice, User
from logistics.models.enums import Role
from logistics.routing import day_files
from logistics.routing.day_export import export_planned_day

router = APIRouter(tags=["planning"], responses=error_responses(401, 403))

Planner = Annotated[User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN))]


class DayFileOut(BaseModel):
    id: int
    name: str
    status: str
    time_limit_s: float
    items: int
    vehicles: int
    summary: dict
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    day_url: str
    plan_url: str

    @classmethod
    def of(cls, row: DayFile) -> DayFileOut:
        base = f"/api/v1/day-files/{row.id}"
        return cls(id=row.id, name=row.name, status=row.status.value, time_limit_s=row.time_limit_s,
                   items=row.items, vehicles=row.vehicles, summary=row.summary, error=row.error,
                   created_at=row.created_at, finished_at=row.finished_at, day_url=f"{base}/day",
                   plan_url=f"{base}/plan")


@router.post(
    "/api/v1/day-files", response_model=DayFileOut, status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a day in the open format and plan it (Tải lên một ngày để lập tuyến)",
    description="The file is checked first: a malformed day is refused with the field and the item at fault, "
    "and nothing is kept. A valid day is planned in the background; poll the file's status, then download "
    "the plan.",
    responses=error_responses(422),
)
def upload_day_file(
    session: SessionDep, actor: Planner,
    file: Annotated[UploadFile, File(description="the day, JSON in the open postal-day format")],
    time_limit_s: Annotated[float, Form(description="seconds the planner may search")] = 20.0,
) -> Any:
    content = file.file.read(day_files.MAX_DAY_FILE_BYTES + 1)  # never more than one byte past the limit
    row = day_files.submit_day_file(session, actor=actor, filename=file.filename or "day", content=content,
                                    time_limit_s=time_limit_s)
    return DayFileOut.of(row)


@router.get("/api/v1/day-files", response_model=list[DayFileOut], summary="Uploaded days, newest first")
def list_day_files(session: SessionDep, actor: Planner) -> Any:
    return [DayFileOut.of(row) for row in day_files.list_day_files(session, actor)]


@router.get("/api/v1/day-files/{day_file_id}", response_model=DayFileOut, summary="An uploaded day and its status",
            responses=error_responses(404))
def get_day_file(session: SessionDep, actor: Planner, day_file_id: int) -> Any:
    return DayFileOut.of(day_files.get_day_file(session, actor, day_file_id))


@router.get("/api/v1/day-files/{day_file_id}/day", summary="The uploaded day, as sent",
            responses=error_responses(404))
def download_day(session: SessionDep, actor: Planner, day_file_id: int) -> dict:
    return day_files.read_day(session, actor, day_file_id)


@router.get("/api/v1/day-files/{day_file_id}/plan", summary="The day's plan in the open format",
            responses=error_responses(404, 409))
def download_plan(session: SessionDep, actor: Planner, day_file_id: int) -> dict:
    return day_files.read_plan(session, actor, day_file_id)


@router.get(
    "/api/v1/post-offices/{code}/days/{day}/open-format",
    summary="A planned day from the database in the open format (Xuất ngày đã lập tuyến)",
    description="`day`: the day as the planner saw it; `plan`: the saved routes in the format's output shape.",
    responses=error_responses(404),
)
def export_day(session: SessionDep, actor: Planner, code: str, day: date) -> dict[str, Any]:
    office = session.exec(select(PostOffice).where(PostOffice.code == code)).first()
    if office is None:
        raise NotFound(f"No post office with code {code}.", code="post_office_not_found")
    if actor.role is not Role.ADMIN and actor.post_office_id != office.id:
        raise Forbidden("You may export only your own post office's days.", code="not_your_post_office")
    return export_planned_day(session, post_office_id=office.id, day=day)
