"""Response and request bodies of the web API (``XPublic`` mirrors the table ``X``).

Nothing here carries a secret hash. Applicants and recipients are masked unless the
caller may see them (``logistics.access.can_see_personal_data``): a masked person
shows a masked name and phone and their commune, never the address or coordinates,
and an item's home end loses its coordinates too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from logistics.models import (
    AdminUnitBase,
    AgencyBase,
    CounterBase,
    Dossier,
    DossierDocument,
    Item,
    Person,
    PostOfficeBase,
    ProcedureBase,
    UserBase,
)
from logistics.models.enums import (
    DossierStatus,
    HolderKind,
    ItemStatus,
    LegKind,
    PlaceKind,
    ResultDelivery,
)
from logistics.phones import mask_name, mask_phone

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total the caller may see."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last page")


# ---------------------------------------------------------------- accounts


class UserPublic(UserBase):
    id: int
    post_office_id: int | None = None
    agency_id: int | None = None
    counter_id: int | None = None


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200, description="password or PIN")
    device_id: str | None = Field(default=None, max_length=64, description="binds the tokens to one device")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200)
    device_id: str | None = Field(default=None, max_length=64)


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=60, description="whose tokens to revoke")
    device_id: str | None = Field(default=None, max_length=64, description="only this device's; all when absent")


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")
    user: UserPublic


class RevokeResponse(BaseModel):
    revoked: int = Field(description="how many live tokens were revoked")


# ---------------------------------------------------------------- catalogue


class AdminUnitPublic(AdminUnitBase):
    id: int


class PostOfficePublic(PostOfficeBase):
    id: int
    opening_hours: dict[str, Any]


class CounterPublic(CounterBase):
    id: int
    opening_hours: dict[str, Any]


class AgencyPublic(AgencyBase):
    id: int
    office_hours: dict[str, Any]


class ProcedurePublic(ProcedureBase):
    id: int


# ---------------------------------------------------------------- dossiers and items


class PersonPublic(BaseModel):
    full_name: str
    phone: str
    commune_code: str
    masked: bool
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    id_last4: str | None = None

    @classmethod
    def of(cls, person: Person, *, unmasked: bool) -> PersonPublic:
        if unmasked:
            return cls(
                full_name=person.full_name,
                phone=person.phone_e164,
                commune_code=person.commune_code,
                masked=False,
                address=person.address,
                lat=person.lat,
                lon=person.lon,
                id_last4=person.id_last4,
            )
        return cls(
            full_name=mask_name(person.full_name),
            phone=mask_phone(person.phone_e164),
            commune_code=person.commune_code,
            masked=True,
        )


class PlacePublic(BaseModel):
    kind: PlaceKind
    ref_id: int | None = Field(description="counter, agency or post office id; null for a home")
    lat: float | None = Field(description="null for a home the caller may not see")
    lon: float | None


class ItemPublic(BaseModel):
    id: int
    s10: str
    dossier_code: str
    leg: LegKind
    status: ItemStatus
    status_at: datetime | None
    origin: PlacePublic
    destination: PlacePublic
    post_office_id: int
    due_date: date | None
    window_start: datetime | None
    window_end: datetime | None
    parcel_count: int
    weight_g: int
    fee_to_collect_vnd: int
    holder_kind: HolderKind | None
    holder_ref_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, item: Item, *, dossier_code: str, unmasked: bool) -> ItemPublic:
        def place(kind: PlaceKind, ref_id: int | None, lat: float, lon: float) -> PlacePublic:
            hidden = kind == PlaceKind.HOME and not unmasked
            return PlacePublic(kind=kind, ref_id=ref_id, lat=None if hidden else lat, lon=None if hidden else lon)

        return cls(
            id=item.id,
            s10=item.s10,
            dossier_code=dossier_code,
            leg=item.leg,
            status=item.status,
            status_at=item.status_at,
            origin=place(item.origin_kind, item.origin_ref_id, item.origin_lat, item.origin_lon),
            destination=place(item.destination_kind, item.destination_ref_id, item.destination_lat, item.destination_lon),
            post_office_id=item.post_office_id,
            due_date=item.due_date,
            window_start=item.window_start,
            window_end=item.window_end,
            parcel_count=item.parcel_count,
            weight_g=item.weight_g,
            fee_to_collect_vnd=item.fee_to_collect_vnd,
            holder_kind=item.holder_kind,
            # A home holder's id is a person id: not for masked callers.
            holder_ref_id=None if item.holder_kind == HolderKind.APPLICANT and not unmasked else item.holder_ref_id,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class DossierSummary(BaseModel):
    id: int
    code: str
    status: DossierStatus
    result_delivery: ResultDelivery
    procedure_code: str
    agency_code: str
    counter_code: str | None
    received_at: datetime
    appointment_date: date | None
    document_count: int
    created_at: datetime


class DocumentPublic(BaseModel):
    """One line of the dispatch note."""

    seq: int
    name: str
    originals: int
    copies: int


class DossierPublic(DossierSummary):
    applicant: PersonPublic
    recipient: PersonPublic | None
    items: list[ItemPublic]
    documents: list[DocumentPublic] = Field(default_factory=list)

    @classmethod
    def of(
        cls,
        summary: DossierSummary,
        *,
        applicant: Person,
        recipient: Person | None,
        items: list[ItemPublic],
        unmasked: bool,
        documents: Sequence[DossierDocument] = (),
    ) -> DossierPublic:
        return cls(
            **summary.model_dump(),
            applicant=PersonPublic.of(applicant, unmasked=unmasked),
            recipient=PersonPublic.of(recipient, unmasked=unmasked) if recipient is not None else None,
            items=items,
            documents=[DocumentPublic(seq=d.seq, name=d.name, originals=d.originals, copies=d.copies) for d in documents],
        )


def dossier_summary(dossier: Dossier, *, procedure_code: str, agency_code: str, counter_code: str | None) -> DossierSummary:
    return DossierSummary(
        id=dossier.id,
        code=dossier.code,
        status=dossier.status,
        result_delivery=dossier.result_delivery,
        procedure_code=procedure_code,
        agency_code=agency_code,
        counter_code=counter_code,
        received_at=dossier.received_at,
        appointment_date=dossier.appointment_date,
        document_count=dossier.document_count,
        created_at=dossier.created_at,
    )


class HealthPublic(BaseModel):
    status: str = "ok"
    database: str = "ok"
    broker: str = "ok"
    version: str


__all__ = [
    "AdminUnitPublic", "AgencyPublic", "CounterPublic", "DossierPublic", "DossierSummary", "HealthPublic",
    "ItemPublic", "Page", "PersonPublic", "PlacePublic", "PostOfficePublic", "ProcedurePublic",
    "RefreshRequest", "RevokeRequest", "RevokeResponse", "TokenRequest", "TokenResponse", "UserPublic",
    "dossier_summary",
]
