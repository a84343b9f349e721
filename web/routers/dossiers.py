"""Dossiers: receive one for carriage (intake), list and read them within one's scope."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api_core.deps import CurrentUser, SessionDep, require_roles
from api_core.errors import error_responses
from logistics.intake import queries
from logistics.intake.schemas import DossierIntake
from logistics.intake.service import receive_dossier
from logistics.models import User
from logistics.models.enums import DossierStatus, Role
from logistics.workdays import LOCAL_TZ
from web.routers.pagination import PagingDep
from web.routers.presenters import dossier_public
from web.schemas import DossierPublic, DossierSummary, Page, dossier_summary

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"], responses=error_responses(401, 422))

IntakeActor = Annotated[User, Depends(require_roles(Role.COUNTER_CLERK, Role.DISPATCHER, Role.ADMIN))]


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


@router.post(
    "",
    response_model=DossierPublic,
    status_code=201,
    summary="Receive a dossier for carriage (Tiếp nhận hồ sơ)",
    description="Records the applicant, the recipient, the dossier and one item per leg, each with its "
    "S10 identifier (allocated when not given). Refused input writes nothing.",
    responses=error_responses(403, 409),
)
def create_dossier(session: SessionDep, actor: IntakeActor, body: DossierIntake) -> Any:
    dossier = receive_dossier(session, actor=actor, data=body)
    row = queries.dossier_by_id(session, dossier.id)
    # The creator gets back every item created, whatever their scope.
    return dossier_public(session, actor, row, queries.items_of_dossier(session, dossier_id=dossier.id))


@router.get("", response_model=Page[DossierSummary], summary="Dossiers visible to you")
def list_dossiers(
    session: SessionDep,
    user: CurrentUser,
    paging: PagingDep,
    status: DossierStatus | None = None,
    received_from: Annotated[date | None, Query(description="received on or after this day (Vietnam time)")] = None,
    received_to: Annotated[date | None, Query(description="received on or before this day (Vietnam time)")] = None,
) -> Any:
    rows, total = queries.list_dossiers(
        session,
        user=user,
        status=status,
        received_from=_local_midnight(received_from) if received_from else None,
        received_before=_local_midnight(received_to + timedelta(days=1)) if received_to else None,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[DossierSummary](
        items=[
            dossier_summary(r.dossier, procedure_code=r.procedure_code, agency_code=r.agency_code, counter_code=r.counter_code)
            for r in rows
        ],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
        next_offset=paging.next_offset(total),
    )


@router.get(
    "/{code}",
    response_model=DossierPublic,
    summary="One dossier and its items",
    responses=error_responses(404),
)
def get_dossier(session: SessionDep, user: CurrentUser, code: str) -> Any:
    row = queries.get_dossier(session, user=user, code=code)
    items = queries.items_of_dossier(session, dossier_id=row.dossier.id, user=user)
    return dossier_public(session, user, row, items)
