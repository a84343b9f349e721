"""The shipped 2025 communes and provinces, and province look-up by name or code."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from logistics.exceptions import InvalidInput
from logistics.geography.communes import (
    UNIT_TYPES,
    Commune,
    find_province,
    fold,
    load_communes,
    provinces,
)


def test_counts_match_the_2025_reform() -> None:
    """The shipped file holds 34 provinces and 3,321 communes with unique codes."""
    communes = load_communes()
    assert len(provinces()) == 34
    assert len(communes) == 3321
    assert len({c.code for c in communes}) == 3321
    assert {c.province_code for c in communes} == {p.code for p in provinces()}


def test_codes_are_zero_padded() -> None:
    """Integer codes in the CSV become 5-digit commune and 2-digit province codes."""
    communes = load_communes()
    assert all(len(c.code) == 5 and c.code.isdigit() for c in communes)
    assert all(len(c.province_code) == 2 for c in communes)
    hong_ha = next(c for c in communes if c.name == "Phường Hồng Hà")
    assert (hong_ha.code, hong_ha.province_code, hong_ha.province_short) == ("00097", "01", "Hà Nội")
    assert [p.code for p in provinces()][:3] == ["01", "04", "08"]


def test_unit_type_follows_the_official_name() -> None:
    """The unit type agrees with the full name, even where the CSV's wardType does not."""
    communes = load_communes()
    assert all(c.name == f"{c.unit_type} {c.short_name}" for c in communes)
    by_name = {(c.province_short, c.name): c for c in communes}
    assert by_name[("Hải Phòng", "Phường Việt Hòa")].unit_type == "Phường"  # CSV says Xã
    assert by_name[("Cần Thơ", "Xã Phong Điền")].unit_type == "Xã"  # CSV says Phường
    assert Counter(c.unit_type for c in communes) == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}
    assert set(UNIT_TYPES) == {"Phường", "Xã", "Đặc khu"}


def test_missing_or_zero_area_is_none() -> None:
    """An empty or 0.0 area in the CSV is unknown (None); every other area is positive."""
    unknown = {c.short_name for c in load_communes() if c.area_km2 is None}
    assert unknown == {"Kỳ Lừa", "Đông Trạch", "Thượng Trạch", "Mỹ Phước Tây"}
    assert all(c.area_km2 > 0 for c in load_communes() if c.area_km2 is not None)


def test_coordinates_are_in_vietnams_box() -> None:
    """Every commune centre lies between 8°N–24°N and 102°E–115°E (Trường Sa included)."""
    for c in load_communes():
        assert 8.0 < c.lat < 24.0 and 102.0 < c.lon < 115.0, c


def test_default_load_is_cached_and_frozen() -> None:
    """The default file is parsed once, and communes cannot be changed."""
    first = load_communes()
    assert load_communes() is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].name = "x"  # type: ignore[misc]


def test_load_from_another_file(tmp_path: Path) -> None:
    """A CSV given by path is parsed with the same rules, padding and area included."""
    header = (
        "province,ward,provinceShort,wardShort,wardType,provinceCode,provinceLat,"
        "provinceLon,wardCode,wardLat,wardLon,wardAreaKm2\n"
    )
    row = "Tỉnh Gia Lai,Xã Ia Grai,Gia Lai,Ia Grai,Xã,52,13.89,108.43,23500,13.98,107.95,\n"
    path = tmp_path / "units.csv"
    path.write_text(header + row, encoding="utf-8")
    assert load_communes(path) == (
        Commune("23500", "Xã Ia Grai", "Ia Grai", "Xã", "52", "Tỉnh Gia Lai", "Gia Lai",
                13.98, 107.95, None),
    )


def test_load_refuses_a_file_without_the_columns(tmp_path: Path) -> None:
    """A CSV missing required columns is refused with the missing names."""
    path = tmp_path / "bad.csv"
    path.write_text("province,ward\nA,B\n", encoding="utf-8")
    with pytest.raises(ValueError, match="wardCode"):
        load_communes(path)


def test_load_reports_the_bad_line(tmp_path: Path) -> None:
    """An unparseable number is reported with its file and line."""
    header = (
        "province,ward,provinceShort,wardShort,wardType,provinceCode,provinceLat,"
        "provinceLon,wardCode,wardLat,wardLon,wardAreaKm2\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(header + "T,Xã A,T,A,Xã,52,1,1,7,north,108,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv:2"):
        load_communes(path)


@pytest.mark.parametrize(
    "query",
    ["Gia Lai", "gia lai", "Tỉnh Gia Lai", "tinh gia lai", "GIA LAI", "  Gia   Lai ", "52", 52, "052"],
)
def test_find_province_accepts_names_and_codes(query: str | int) -> None:
    """A province is found by name with or without prefix, case or diacritics, or by code."""
    province = find_province(query)
    assert (province.code, province.short_name, province.name) == ("52", "Gia Lai", "Tỉnh Gia Lai")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Thành phố Hồ Chí Minh", "79"),
        ("TP.HCM", "79"),
        ("Huế", "46"),
        ("hue", "46"),
        ("dak lak", "66"),
        ("Đà Nẵng", "48"),
        ("1", "01"),
    ],
)
def test_find_province_variants(query: str, code: str) -> None:
    """City prefixes, common abbreviations and đ → d folding all resolve."""
    assert find_province(query).code == code


@pytest.mark.parametrize(
    ("former", "code"),
    [("Quảng Nam", "48"), ("Thừa Thiên Huế", "46"), ("Bình Dương", "79"),
     ("Bà Rịa - Vũng Tàu", "79"), ("Kon Tum", "51"), ("Bình Định", "52"), ("Hà Giang", "08")],
)
def test_find_province_resolves_former_provinces(former: str, code: str) -> None:
    """A province merged in 2025 resolves to the province that absorbed it."""
    assert find_province(former).code == code


def test_unknown_province_suggests_close_names() -> None:
    """A misspelt name raises unknown_province with close names in the sentence."""
    with pytest.raises(InvalidInput) as info:
        find_province("Gia Lay")
    assert info.value.code == "unknown_province"
    assert info.value.status_code == 422
    assert "Gia Lai" in info.value.detail


@pytest.mark.parametrize("query", ["Atlantis", "99", "", "00"])
def test_unknown_province_without_close_names(query: str) -> None:
    """Nothing close still raises unknown_province with an example of valid input."""
    with pytest.raises(InvalidInput, match="unknown_province"):
        find_province(query)


def test_every_province_name_finds_itself() -> None:
    """Each of the 34 provinces is found by its full name, short name and folded name."""
    for p in provinces():
        assert find_province(p.name) == p
        assert find_province(p.short_name) == p
        assert find_province(fold(p.name)) == p


def test_fold_strips_vietnamese_diacritics() -> None:
    """fold() lower-cases, drops tone and vowel marks, maps đ to d and squeezes spaces."""
    assert fold("  Đắk   Lắk ") == "dak lak"
    assert fold("Thành phố Hồ Chí Minh") == "thanh pho ho chi minh"
