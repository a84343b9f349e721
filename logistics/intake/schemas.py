"""What a counter clerk or dispatcher sends to receive a dossier for carriage.

The rules that need no database are checked here, while the input is read (S10 check
digit, dossier code, Vietnamese mobile, coordinates in Vietnam, a window that closes
after it opens), with the domain's error codes; the rules that need the database
(unknown commune, procedure, agency or counter; procedure flags; reuse) are checked
by ``logistics.intake.service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from logistics.fields import DossierCode, LatLon, S10Code, VnMobile
from logistics.models.enums import LegKind, ResultDelivery
from logistics.workdays import LOCAL_TZ

# One dossier moves in up to four legs plus transfers between communes (DOMAIN.md §1);
# the table allows one item per leg kind.
MAX_LEGS = len(LegKind)
MAX_DOCUMENTS = 50


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


class DocumentIntake(BaseModel):
    """One document of the dossier as the dispatch note lists it, with the number of
    originals (bản chính) and copies (bản sao) handed in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=255, examples=["Tờ khai đăng ký khai sinh"])
    originals: int = Field(default=0, ge=0, le=100, description="bản chính")
    copies: int = Field(default=0, ge=0, le=100, description="bản sao")

    @model_validator(mode="after")
    def _check(self) -> DocumentIntake:
        if self.originals + self.copies == 0:
            raise PydanticCustomError("empty_document", "A document needs at least one original or one copy.")
        return self


def check_document_list(documents: list[DocumentIntake]) -> list[DocumentIntake]:
    """The same document listed twice is a typing slip: refused rather than added up."""
    names = [" ".join(d.name.split()).casefold() for d in documents]
    if len(set(names)) != len(names):
        raise PydanticCustomError("duplicate_document", "Each document may be listed once; give its counts instead.")
    return documents


# The dispatch note's list, as the intake and the documents endpoint take it.
DocumentList = Annotated[list[DocumentIntake], Field(max_length=MAX_DOCUMENTS), AfterValidator(check_document_list)]


def document_total(documents: Sequence[DocumentIntake]) -> int:
    return sum(d.originals + d.copies for d in documents)


# Result legs that only fit one choice of return (a result back at a counter may still
# go on to the recipient's home).
_RESULT_LEG_DELIVERY = {
    LegKind.HOME_DELIVERY: ResultDelivery.HOME,
    LegKind.AGENCY_TO_OFFICE: ResultDelivery.POST_OFFICE,
}


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
    document_count: int | None = Field(
        default=None, ge=0, le=500,
        description="papers in the envelope; defaults to the documents' originals plus copies (1 without a list)",
    )
    documents: DocumentList = Field(default_factory=list, description="the dispatch note's list (phiếu gửi hồ sơ)")
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
        if self.documents and self.document_count is not None and self.document_count != document_total(self.documents):
            raise PydanticCustomError(
                "document_count_mismatch", "document_count must equal the originals plus copies of the documents listed."
            )
        for leg, wanted in _RESULT_LEG_DELIVERY.items():
            if leg in kinds and self.result_delivery != wanted:
                raise PydanticCustomError(
                    "result_delivery_mismatch", f"A {leg.value} leg needs result_delivery '{wanted.value}'."
                )
        return self
