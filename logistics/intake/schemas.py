"""What a counter clerk or dispatcher sends to receive a dossier for carriage.

The rules that need no database are checked here, while the input is read (S10 check
digit, dossier code, Vietnamese mobile, coordinates in Vietnam, a window that closes
after it opens), with the domain's error codes; the rules that need the database
(unknown commune, procedure, agency or counter; procedure flags; reuse) are checked
by ``logistics.intake.service``.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from logistics.fields import DossierCode, LatLon, S10Code, VnMobile
from logistics.models.enums import LegKind, ResultDelivery
from logistics.workdays import LOCAL_TZ

# One dossier moves in up to four legs plus transfers between communes (DOMAIN.md §1);
# the table allows one item per leg kind.
MAX_LEGS = len(LegKind)


class PersonIntake(LatLon):
    """An applicant or recipient: only what the job needs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: str = Field(min_length=1, max_length=120)
    phone: VnMobile = Field(description="a Vietnamese mobile number; stored as E.164")
    address: str = Field(min_length=1, max_length=255)
    commune_code: str = Field(min_length=1, max_length=10, pattern=r"^[0-9]+$", description="GSO commune code")
    id_last4: str | None = Field(default=None, pattern=r"^[0-9]{4}$", description="last 4 digits of the CCCD")


class LegIntake(BaseModel):
    """One envelope to carry on one leg."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    leg: LegKind
    s10: S10Code | None = Field(default=None, description="the label's S10; allocated when absent")
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    to_counter_code: str | None = Field(default=None, max_length=30, description="commune_transfer only")
    parcel_count: int = Field(default=1, ge=1, le=100)
    weight_g: int = Field(default=200, ge=0, le=30_000)
    fee_to_collect_vnd: int = Field(default=0, ge=0, le=100_000_000)

    @model_validator(mode="after")
    def _check(self) -> LegIntake:
        if (self.window_start is None) != (self.window_end is None):
            raise PydanticCustomError("invalid_time_window", "A time window needs both a start and an end.")
        if self.window_start is not None and self.window_end is not None:
            if self.leg not in (LegKind.HOME_PICKUP, LegKind.HOME_DELIVERY):
                raise PydanticCustomError(
                    "invalid_time_window", "Only a home pickup or a home delivery is booked in a time window."
                )
            if self.window_end <= self.window_start:
                raise PydanticCustomError("invalid_time_window", "The time window must close after it opens.")
        if self.leg == LegKind.COMMUNE_TRANSFER and not self.to_counter_code:
            raise PydanticCustomError(
                "missing_to_counter", "A commune transfer needs the receiving counter: to_counter_code."
            )
        if self.leg != LegKind.COMMUNE_TRANSFER and self.to_counter_code:
            raise PydanticCustomError("unexpected_to_counter", "Only a commune transfer takes to_counter_code.")
        return self


class DossierIntake(BaseModel):
    """A dossier received at a counter (or booked for a home pickup) and its legs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    dossier_code: DossierCode
    procedure_code: str = Field(min_length=1, max_length=30)
    agency_code: str = Field(min_length=1, max_length=40, description="the deciding agency")
    counter_code: str | None = Field(default=None, max_length=30, description="the receiving one-stop counter")
    received_at: AwareDatetime
    appointment_date: date | None = Field(default=None, description="ngày hẹn trả kết quả")
    result_delivery: ResultDelivery = ResultDelivery.HOME
    document_count: int = Field(default=1, ge=0, le=500)
    applicant: PersonIntake
    recipient: PersonIntake | None = Field(default=None, description="defaults to the applicant")
    legs: list[LegIntake] = Field(default_factory=list, max_length=MAX_LEGS)

    @model_validator(mode="after")
    def _check(self) -> DossierIntake:
        kinds = [leg.leg for leg in self.legs]
        if len(set(kinds)) != len(kinds):
            raise PydanticCustomError("duplicate_leg", "Each leg kind may appear once per dossier.")
        if self.appointment_date is not None and self.appointment_date < self.received_at.astimezone(LOCAL_TZ).date():
            raise PydanticCustomError(
                "invalid_appointment_date", "The appointment date cannot be before the day the dossier was received."
            )
        if LegKind.HOME_DELIVERY in kinds and self.result_delivery != ResultDelivery.HOME:
            raise PydanticCustomError(
                "result_delivery_mismatch", "A home delivery leg needs result_delivery 'home'."
            )
        return self
