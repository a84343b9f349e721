"""Items (one envelope on one leg), listed and read within one's scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api_core.deps import CurrentUser, SessionDep
from api_core.errors import error_responses
from api_core.fields import S10Code
from logistics.intake import queries
from logistics.models.enums import ItemStatus, LegKind
from web.routers.pagination import PagingDep
from web.routers.presenters import item_public
from web.schemas import ItemPublic, Page

router = APIRouter(prefix="/api/v1/items", tags=["items"], responses=error_responses(401, 422))


@router.get("", response_model=Page[ItemPublic], summary="Items visible to you")
def list_items(
    session: SessionDep,
    user: CurrentUser,
    paging: PagingDep,
    status: ItemStatus | None = None,
    leg: LegKind | None = None,
    due_date: Annotated[date | None, Query(description="items due on this day")] = None,
    post_office: Annotated[str | None, Query(max_length=20, description="post office code")] = None,
) -> Any:
    rows, total = queries.list_items(
        session,
        user=user,
        status=status,
        leg=leg,
        due_date=due_date,
        post_office_code=post_office,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[ItemPublic](
        items=[item_public(user, item, code) for item, code in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
        next_offset=paging.next_offset(total),
    )


@router.get("/{s10}", response_model=ItemPublic, summary="One item by its S10 identifier", responses=error_responses(404))
def get_item(session: SessionDep, user: CurrentUser, s10: S10Code) -> Any:
    item, code = queries.get_item(session, user=user, s10=s10)
    return item_public(user, item, code)
