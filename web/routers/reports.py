"""Reports for dispatchers and admins: JSON for the page, CSV and XLSX for the files.

Every report takes ``date_from``/``date_to`` (Vietnam days, default: the last 30 days)
and ``post_office_id`` (a dispatcher's own office whatever they ask; another office is
403 ``other_post_office``) and ``format=json|csv|xlsx``. The page ``/reports`` draws
them (Vietnamese, ``?lang=en`` for English).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from api_core.deps import SessionDep, require_roles
from api_core.errors import error_responses
from logistics.models import Agency, PostOffice, User
from logistics.models.enums import Role
from logistics.models.types import utcnow
from logistics.reports import late, ontime, productivity, scope, sheets, tables, volumes
from logistics.reports.outcomes import dossier_outcomes
from logistics.workdays import LOCAL_TZ

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=error_responses(401, 403, 422))
pages = APIRouter(tags=["report pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

Reader = Annotated[User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN))]
Format = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# format=csv or xlsx answers a file instead of JSON.
FILES: dict[int | str, dict[str, Any]] = {200: {"description": "JSON, or the file `format` asks for", "content": {
    "text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}}}}


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def report_scope(
    user: Reader,
    date_from: Annotated[date | None, Query(description="first day (Vietnam time); default 30 days ago")] = None,
    date_to: Annotated[date | None, Query(description="last day, included; default today")] = None,
    post_office_id: Annotated[int | None, Query(description="admins: one office; dispatchers: their own")] = None,
) -> scope.ReportScope:
    last = date_to or _today()
    return scope.resolve(user, date_from=date_from or last - timedelta(days=29), date_to=last,
                         post_office_id=post_office_id)


ScopeDep = Annotated[scope.ReportScope, Depends(report_scope)]


def _file(sheet: tables.Sheet, fmt: Format) -> Response:
    if fmt == "csv":
        body, media = tables.to_csv(sheet), "text/csv; charset=utf-8"
    else:
        body, media = tables.to_xlsx(sheet), XLSX
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{sheet.name}.{fmt}"'})


@router.get("/post-offices", summary="The post offices you may report on")
def report_offices(session: SessionDep, user: Reader) -> list[dict[str, Any]]:
    query = select(PostOffice.id, PostOffice.code, PostOffice.name).order_by(PostOffice.code)
    if user.role == Role.DISPATCHER:
        query = query.where(PostOffice.id == user.post_office_id)
    return [{"id": i, "code": c, "name": n} for i, c, n in session.execute(query).all()]


@router.get("/on-time", summary="On-time rate against the appointment date (Tỷ lệ đúng hẹn)", responses=FILES)
def on_time(
    session: SessionDep, report: ScopeDep, group_by: ontime.GroupBy = ontime.GroupBy.AGENCY, format: Format = "json"
) -> Any:
    rows = ontime.on_time_rate(dossier_outcomes(session, report, today=_today()), group_by)
    if format != "json":
        return _file(sheets.on_time_sheet(rows, group_by, report), format)
    summary = ontime.total(rows)
    return {
        "date_from": report.date_from, "date_to": report.date_to, "post_office_id": report.post_office_id,
        "group_by": group_by, "total": {**asdict(summary), "rate": summary.rate},
        "rows": [{**asdict(r), "rate": r.rate} for r in rows],
    }


@router.get("/late-dossiers", summary="Late dossiers, internal or ready to publish (Hồ sơ trễ hẹn)", responses=FILES)
def late_dossiers(
    session: SessionDep,
    report: ScopeDep,
    agency_code: Annotated[str | None, Query(description="one unit's list")] = None,
    published: Annotated[bool, Query(description="the public version: dossier codes, no personal data")] = False,
    format: Format = "json",
) -> Any:
    rows = late.late_dossiers(dossier_outcomes(session, report, today=_today()), agency_code=agency_code)
    unit = session.execute(select(Agency.name).where(Agency.code == agency_code)).scalar() if agency_code else None
    if format != "json":
        return _file(sheets.late_sheet(rows, report, published=published, unit_name=unit), format)
    unit_name = unit or "Bưu điện tỉnh"
    return {
        "date_from": report.date_from, "date_to": report.date_to, "published": published, "unit": unit_name,
        "apology_vi": late.apology_vi(unit_name, len(rows)) if published else None,
        "apology_en": late.apology_en(unit_name, len(rows)) if published else None,
        "rows": [r.published() if published else r.internal() for r in rows],
    }


@router.get("/productivity", summary="Postmen's productivity (Năng suất bưu tá)", responses=FILES)
def postmen(session: SessionDep, report: ScopeDep, format: Format = "json") -> Any:
    rows = productivity.productivity(session, report)
    if format != "json":
        return _file(sheets.productivity_sheet(rows, report), format)
    return {"date_from": report.date_from, "date_to": report.date_to,
            "rows": [{**asdict(r), "first_attempt_rate": r.first_attempt_rate} for r in rows]}


@router.get("/volumes", summary="Volumes per leg (Sản lượng theo chặng)", responses=FILES)
def leg_volumes(session: SessionDep, report: ScopeDep, format: Format = "json") -> Any:
    days, legs = volumes.volumes(session, report)
    if format != "json":
        return _file(sheets.volumes_sheet(days, legs, report), format)
    return {
        "date_from": report.date_from, "date_to": report.date_to, "days": days,
        "legs": [{"leg": v.leg, "items": v.items, "done": v.done, "failed": v.failed,
                  "cancelled_or_returned": v.cancelled_or_returned, "per_day": [v.per_day.get(d, 0) for d in days]}
                 for v in legs],
    }


@pages.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, lang: Literal["vi", "en"] = "vi") -> HTMLResponse:
    """The page is a shell: it signs in and reads the JSON above with the bearer token."""
    return templates.TemplateResponse(request, "reports/page.html", {"lang": lang})
