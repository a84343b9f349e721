"""Request and response bodies of the postmen's API. Every request model refuses
unknown fields (``extra="forbid"``) and numbers given as booleans or strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, field_validator
from pydantic_core import PydanticCustomError

from logistics.models.enums import (
    FailureAction,
    FailureReason,
    ItemStatus,
    LegKind,
    PlaceKind,
    Role,
    RouteStatus,
    ScanCode,
    ScanOutcome,
    StopAction,
    StopStatus,
)

MAX_BATCH_EVENTS = 500
MAX_PINGS = 200

Coordinate = Annotated[StrictFloat, Field(ge=-180, le=180)]
Accuracy = Annotated[StrictFloat, Field(ge=0, le=100_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- accounts


class SignInRequest(Strict):
    username: str = Field(min_length=1, max_length=60)
    pin: str = Field(min_length=4, max_length=64)
    device_id: str = Field(min_length=4, max_length=64, description="a stable id of the phone; the tokens work only from it")


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=4, max_length=64)


class PhoneUser(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    post_office_id: int | None


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    device_id: str
    user: PhoneUser


class SignOutResponse(BaseModel):
    revoked: int


# ---------------------------------------------------------------- scans


class ProofIn(Strict):
    id_last4: str | None = Field(default=None, pattern=r"^\d{4}$")
    signature_ref: str | None = Field(default=None, max_length=255)
    photo_ref: str | None = Field(default=None, max_length=255)
    otp_code: str | None = Field(default=None, pattern=r"^\d{6}$")


class ScanEventIn(Strict):
    client_event_id: uuid.UUID
    s10: str = Field(min_length=4, max_length=40, description="the S10 (or a longer Vietnam Post code) as scanned")
    code: ScanCode
    device_time: AwareDatetime
    lat: Coordinate | None = None
    lon: Coordinate | None = None
    accuracy_m: Accuracy | None = None
    failure_reason: FailureReason | None = None
    failure_action: FailureAction | None = None
    retry_on: date | None = None
    handover_id: int | None = Field(default=None, ge=1)
    proof: ProofIn | None = None

    @field_validator("s10")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return "".join(value.split()).upper()


class ScanBatchIn(Strict):
    sent_at: AwareDatetime | None = Field(default=None, description="the phone's clock when sending (skew detection)")
    events: list[ScanEventIn] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def _not_too_many(cls, value: list[ScanEventIn]) -> list[ScanEventIn]:
        if len(value) > MAX_BATCH_EVENTS:
            raise PydanticCustomError("batch_too_large", f"A batch holds at most {MAX_BATCH_EVENTS} events; split it.")
        return value


class ScanResultOut(BaseModel):
    client_event_id: uuid.UUID
    outcome: ScanOutcome = Field(description="applied, history (late: kept, state not moved back) or rejected")
    duplicate: bool = Field(description="this id was received before; the recorded outcome is repeated")
    reject_code: str | None = None
    status_after: ItemStatus | None = None
    item_status: ItemStatus | None = None
    flags: list[str] = Field(default_factory=list, description="for review: outside_geofence, device_clock_skew, late...")


class ScanBatchOut(BaseModel):
    received_at: datetime
    applied: int
    history: int
    rejected: int
    duplicates: int
    results: list[ScanResultOut]


# ---------------------------------------------------------------- route and manifest


class StopItemOut(BaseModel):
    s10: str
    action: StopAction
    leg: LegKind
    status: ItemStatus
    proofs_required: list[str] = Field(description="id_check, signature, photo, otp: what the delivery scan must carry")
    next_scans: list[ScanCode]
    fee_to_collect_vnd: int
    parcel_count: int


class StopOut(BaseModel):
    stop_id: int
    seq: int
    status: StopStatus
    place_kind: PlaceKind
    name: str | None
    address: str | None
    phone: str | None
    lat: float
    lon: float
    planned_arrival: datetime | None
    arrive_from: datetime | None
    arrive_to: datetime | None
    eta_start: datetime | None
    eta_end: datetime | None
    items: list[StopItemOut]


class RouteOut(BaseModel):
    route_id: int
    day: date
    status: RouteStatus
    post_office_id: int
    post_office_name: str
    stops: list[StopOut]


class ScanRuleOut(BaseModel):
    code: ScanCode
    emsevt: str | None
    status_after: ItemStatus
    allowed_from: list[ItemStatus]
    needs_failure: bool
    needs_handover: bool
    description_vi: str
    description_en: str


class ManifestItemOut(BaseModel):
    s10: str
    stop_seq: int
    action: StopAction
    status: ItemStatus
    proofs_required: list[str]


class LimitsOut(BaseModel):
    max_batch_events: int
    max_photo_bytes: int
    max_signature_bytes: int
    photo_content_types: list[str]
    signature_content_types: list[str]
    future_tolerance_s: int


class ManifestOut(BaseModel):
    """What the phone keeps to work offline: its items and the rules to check scans."""

    day: date
    route_id: int
    items: list[ManifestItemOut]
    scan_rules: list[ScanRuleOut]
    failure_reasons: list[FailureReason]
    failure_actions: list[FailureAction]
    limits: LimitsOut


# ---------------------------------------------------------------- proofs, OTP, pings


class ProofOut(BaseModel):
    ref: str
    kind: str
    size_bytes: int
    sha256: str


class OtpRequest(Strict):
    s10: str = Field(min_length=4, max_length=40)


class OtpOut(BaseModel):
    expires_at: datetime
    sent_to: str = Field(description="the recipient's phone, masked")


class PingIn(Strict):
    device_time: AwareDatetime
    lat: Coordinate
    lon: Coordinate
    accuracy_m: Accuracy | None = None
    speed_mps: Annotated[StrictFloat, Field(ge=0, le=100)] | None = None


class PingBatchIn(Strict):
    pings: list[PingIn] = Field(min_length=1, max_length=MAX_PINGS)


class PingBatchOut(BaseModel):
    kept: int
    dropped: int
