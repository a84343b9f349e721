"""Outgoing webhooks: admins register the one-stop system's endpoints and read the
delivery log. The signing scheme is documented in ``logistics.webhooks.signing``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import select

from api_core.deps import SessionDep, require_roles
from api_core.errors import error_responses
from logistics.models import User, WebhookDelivery, WebhookEndpoint
from logistics.models.enums import Role, WebhookDeliveryStatus
from logistics.webhooks import endpoints
from web.routers.pagination import PagingDep

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=error_responses(401, 403, 422))
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=500)
    events: list[str] = Field(default_factory=list, description="item statuses to send; empty: all")
    province_code: str | None = Field(default=None, max_length=10, description="only this province's items")
    description: str = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    id: int
    url: str
    events: list[str]
    province_code: str | None
    description: str
    active: bool
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="shown once: keep it to verify X-BCCI-Signature")


class DeliveryOut(BaseModel):
    id: int
    endpoint_id: int
    event_type: str
    event_key: str
    status: WebhookDeliveryStatus
    tries: int
    last_status_code: int | None
    last_error: str | None
    not_before: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    payload: dict[str, Any]


@router.post("/endpoints", response_model=EndpointCreated, status_code=201, summary="Register an endpoint")
def register_endpoint(session: SessionDep, actor: Admin, body: EndpointIn) -> Any:
    endpoint = endpoints.register(session, actor=actor, url=body.url, events=body.events,
                                  province_code=body.province_code, description=body.description)
    return EndpointCreated(**endpoint.model_dump())


@router.get("/endpoints", response_model=list[EndpointOut], summary="Registered endpoints")
def list_endpoints(session: SessionDep, actor: Admin) -> Any:
    return [EndpointOut(**e.model_dump()) for e in session.exec(select(WebhookEndpoint).order_by(WebhookEndpoint.id))]


@router.delete("/endpoints/{endpoint_id}", response_model=EndpointOut, summary="Stop sending to an endpoint")
def deactivate_endpoint(session: SessionDep, actor: Admin, endpoint_id: int) -> Any:
    return EndpointOut(**endpoints.deactivate(session, actor=actor, endpoint_id=endpoint_id).model_dump())


@router.get("/deliveries", summary="The delivery log, newest first")
def list_deliveries(
    session: SessionDep, actor: Admin, paging: PagingDep,
    endpoint_id: int | None = None,
    status: Annotated[WebhookDeliveryStatus | None, Query()] = None,
) -> dict[str, Any]:
    query = select(WebhookDelivery)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    rows = session.exec(query.order_by(WebhookDelivery.id.desc()).limit(paging.limit + 1).offset(paging.offset)).all()  # type: ignore[union-attr]
    return {
        "items": [DeliveryOut(**r.model_dump()).model_dump(mode="json") for r in rows[: paging.limit]],
        "limit": paging.limit, "offset": paging.offset,
        "next_offset": paging.offset + paging.limit if len(rows) > paging.limit else None,
    }
