"""Pydantic field types for input that must obey a domain rule.

Each type only adapts: it calls the rule in its domain module (``identifiers.s10``,
``identifiers.dossier_code``, ``phones``, ``geo``) and turns the ``InvalidInput`` it
raises into a ``PydanticCustomError`` that keeps the domain code
(``invalid_s10_check_digit``, ``invalid_phone``...), so a request body and a service
call refuse the same input with the same code. The HTTP layer re-exports these from
``api_core.fields``; they live here so that domain input schemas
(``logistics.intake.schemas``) can use them without importing the HTTP layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, model_validator
from pydantic_core import PydanticCustomError

from logistics import geo, phones
from logistics.exceptions import InvalidInput
from logistics.identifiers import dossier_code, s10

__all__ = ["DossierCode", "LatLon", "Latitude", "Longitude", "S10Code", "VnMobile", "as_field_error"]

T = TypeVar("T")


def as_field_error(exc: InvalidInput) -> PydanticCustomError:
    """The pydantic form of a domain refusal: same code, same sentence."""
    return PydanticCustomError(exc.code, exc.detail)


def _adapt(rule: Callable[[Any], T]) -> Callable[[Any], T]:
    def validate(value: Any) -> T:
        try:
            return rule(value)
        except InvalidInput as exc:
            raise as_field_error(exc) from None

    validate.__name__ = f"validate_{rule.__name__}"
    return validate


def _s10(value: str) -> str:
    return str(s10.parse_s10(value))


def _dossier_code(value: str) -> str:
    return str(dossier_code.parse_dossier_code(value))


def _latitude(value: float) -> float:
    return geo.validate_coordinates(value, 0.0)[0]


def _longitude(value: float) -> float:
    return geo.validate_coordinates(0.0, value)[1]


#: A UPU S10 identifier, normalised (``rr 473 124 829 vn`` -> ``RR473124829VN``).
S10Code = Annotated[str, AfterValidator(_adapt(_s10))]
#: A one-stop dossier code ``<agency code>-YYMMDD-XXXX``, uppercased.
DossierCode = Annotated[str, AfterValidator(_adapt(_dossier_code))]
#: A Vietnamese mobile number, given in any usual form, stored as E.164.
VnMobile = Annotated[str, AfterValidator(_adapt(phones.normalise_vn_mobile))]
Latitude = Annotated[float, AfterValidator(_adapt(_latitude))]
Longitude = Annotated[float, AfterValidator(_adapt(_longitude))]


class LatLon(BaseModel):
    """A point that must lie in Vietnam (swapped latitude and longitude are refused)."""

    lat: Latitude
    lon: Longitude

    @model_validator(mode="after")
    def _in_vietnam(self) -> LatLon:
        try:
            geo.require_in_vietnam(self.lat, self.lon)
        except InvalidInput as exc:
            # Same code, but a sentence without the point: it is often a citizen's home,
            # and error bodies end up in logs.
            raise PydanticCustomError(
                exc.code, "The point is outside Vietnam; check that latitude and longitude are not swapped."
            ) from None
        return self
