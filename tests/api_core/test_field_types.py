"""Field types adapt the domain rules to pydantic, keeping the domain's error codes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from api_core.fields import DossierCode, LatLon, Latitude, Longitude, S10Code, VnMobile


class Form(BaseModel):
    s10: S10Code | None = None
    dossier: DossierCode | None = None
    phone: VnMobile | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None


def _code(**data) -> str:
    with pytest.raises(ValidationError) as info:
        Form(**data)
    return info.value.errors()[0]["type"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"s10": "EB123456789VN"}, "invalid_s10_check_digit"),
        ({"s10": "EB1234"}, "invalid_s10_format"),
        ({"dossier": "000.00.22.H21-250704"}, "invalid_dossier_code"),
        ({"dossier": "000.00.22.H21-251304-0012"}, "invalid_dossier_code_date"),
        ({"phone": "02436668888"}, "invalid_phone"),
        ({"phone": "+33612345678"}, "invalid_phone"),
        ({"lat": 91.0}, "invalid_coordinates"),
        ({"lon": float("nan")}, "invalid_coordinates"),
    ],
)
def test_each_rule_keeps_its_code(data, code):
    """Each refused value carries the domain module's error code."""
    assert _code(**data) == code


def test_valid_values_are_normalised():
    """S10 and dossier codes are uppercased, phones become E.164."""
    form = Form(s10="ec 136 431 858 vn", dossier=" 000.00.22.h21-250704-0012 ", phone="84 912 345 678")
    assert (form.s10, form.dossier, form.phone) == ("EC136431858VN", "000.00.22.H21-250704-0012", "+84912345678")


def test_latlon_must_be_in_vietnam():
    """A point in Hà Nội passes; Bangkok is refused with coordinates_outside_vietnam."""
    assert LatLon(lat=21.0285, lon=105.8542).lat == pytest.approx(21.0285)
    with pytest.raises(ValidationError) as info:
        LatLon(lat=13.7563, lon=100.5018)
    assert info.value.errors()[0]["type"] == "coordinates_outside_vietnam"
