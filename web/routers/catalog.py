"""The catalogue every signed-in user reads: who they are, administrative units, post
offices, counters, agencies and procedures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, or_
from sqlmodel import Session, select

from api_core.deps import CurrentUser, SessionDep
from api_core.errors import error_responses
from logistics.models import AdminUnit, Agency, Counter, PostOffice, Procedure
from logistics.models.enums import AdminLevel
from logistics.workdays import LOCAL_TZ
from logistics.models.types import utcnow
from web.routers.pagination import PagingDep
from web.schemas import (
    AdminUnitPublic,
    AgencyPublic,
    CounterPublic,
    Page,
    PostOfficePublic,
    ProcedurePublic,
    UserPublic,
)

router = APIRouter(prefix="/api/v1", tags=["catalogue"], responses=error_responses(401, 422))

ProvinceQuery = Annotated[str | None, Query(max_length=10, description="2-digit GSO province code")]


def _page(session: Session, statement: Any, paging: Any, schema: Any) -> dict[str, Any]:
    total = session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    rows = session.exec(statement.limit(paging.limit).offset(paging.offset)).all()
    return {
        "items": [schema.model_validate(row, from_attributes=True) for row in rows],
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "next_offset": paging.next_offset(total),
    }


@router.get("/me", response_model=UserPublic, summary="The signed-in user")
def me(user: CurrentUser) -> Any:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/admin-units", response_model=Page[AdminUnitPublic], summary="Provinces and communes in force")
def admin_units(
    session: SessionDep,
    _user: CurrentUser,
    paging: PagingDep,
    level: Annotated[AdminLevel | None, Query(description="province or commune")] = None,
    province: ProvinceQuery = None,
    on: Annotated[date | None, Query(description="units in force on this day (default: today)")] = None,
) -> Any:
    day = on or utcnow().astimezone(LOCAL_TZ).date()
    statement = select(AdminUnit).where(
        AdminUnit.valid_from <= day,
        or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= day),  # type: ignore[union-attr]
    )
    if level is not None:
        statement = statement.where(AdminUnit.level == level)
    if province is not None:
        statement = statement.where(or_(AdminUnit.parent_code == province, AdminUnit.code == province))
    return _page(session, statement.order_by(AdminUnit.code, AdminUnit.level), paging, AdminUnitPublic)


@router.get("/post-offices", response_model=Page[PostOfficePublic], summary="Post offices")
def post_offices(session: SessionDep, _user: CurrentUser, paging: PagingDep, province: ProvinceQuery = None) -> Any:
    statement = select(PostOffice)
    if province is not None:
        statement = statement.where(PostOffice.province_code == province)
    return _page(session, statement.order_by(PostOffice.code), paging, PostOfficePublic)


@router.get("/counters", response_model=Page[CounterPublic], summary="One-stop counters")
def counters(
    session: SessionDep,
    _user: CurrentUser,
    paging: PagingDep,
    province: ProvinceQuery = None,
    commune: Annotated[str | None, Query(max_length=10, description="5-digit GSO commune code")] = None,
) -> Any:
    statement = select(Counter)
    if province is not None:
        statement = statement.where(Counter.province_code == province)
    if commune is not None:
        statement = statement.where(Counter.commune_code == commune)
    return _page(session, statement.order_by(Counter.code), paging, CounterPublic)


@router.get("/agencies", response_model=Page[AgencyPublic], summary="Agencies that decide dossiers")
def agencies(session: SessionDep, _user: CurrentUser, paging: PagingDep, province: ProvinceQuery = None) -> Any:
    statement = select(Agency)
    if province is not None:
        statement = statement.where(Agency.province_code == province)
    return _page(session, statement.order_by(Agency.code), paging, AgencyPublic)


@router.get("/procedures", response_model=Page[ProcedurePublic], summary="Administrative procedures")
def procedures(session: SessionDep, _user: CurrentUser, paging: PagingDep) -> Any:
    return _page(session, select(Procedure).order_by(Procedure.code), paging, ProcedurePublic)
