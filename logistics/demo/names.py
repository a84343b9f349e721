"""Made-up Vietnamese people for demo data: names, street addresses and mobile numbers.

Everything comes from a seeded ``numpy.random.Generator``, so a seed gives the same
people. Nobody here is real, but a random mobile number may belong to someone: demo
data is for the ``console`` SMS backend only, never for a live gateway.

Family names follow their rough frequency in Vietnam (Nguyễn about 38 %, Trần 11 %,
Lê 9.5 %...); middle names depend on gender (Văn and Thị are the traditional ones).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from logistics.geography.communes import Commune

FAMILY_NAMES: Final = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.0), ("Huỳnh", 2.0),
    ("Phan", 4.5), ("Vũ", 2.0), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4),
    ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.8),
    ("Lâm", 0.5), ("Mai", 0.5), ("Tạ", 0.3), ("Cao", 0.4), ("Hà", 0.5), ("Lương", 0.4),
)
MIDDLE_NAMES: Final = {
    "m": ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Gia", "Anh", "Duy"),
    "f": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Hồng", "Kim", "Mai", "Diệu", "Khánh"),
}
GIVEN_NAMES: Final = {
    "m": (
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khoa", "Long", "Minh", "Nam",
        "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu",
        "Khải", "Lâm", "Thịnh", "Toàn", "Bảo", "Khang", "Đông",
    ),
    "f": (
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Linh",
        "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy",
        "Trang", "Uyên", "Vân", "Yến", "Ngọc", "Thư", "Trâm",
    ),
}
STREETS: Final = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hùng Vương", "Quang Trung", "Hai Bà Trưng",
    "Lý Thường Kiệt", "Phan Đình Phùng", "Nguyễn Trãi", "Lê Duẩn", "Trần Phú", "Ngô Quyền",
    "Điện Biên Phủ", "Nguyễn Văn Cừ", "Võ Thị Sáu", "Phạm Văn Đồng", "Lê Thánh Tông",
    "Nguyễn Thị Minh Khai", "Bà Triệu", "Hoàng Văn Thụ", "Trường Chinh", "Nguyễn Du",
    "Tôn Đức Thắng", "Lê Hồng Phong", "Chu Văn An", "Nguyễn Đình Chiểu", "Cách Mạng Tháng Tám",
)
# Rural addresses name a hamlet, with the region's word: ấp in the south, làng often
# in the Central Highlands, thôn elsewhere. Rough boxes in degrees, good enough for a demo.
_SOUTH_OF_LAT: Final = 11.8
_HIGHLANDS: Final = (11.5, 15.2, 107.2, 108.75)  # lat min, lat max, lon min, lon max
# Three-digit mobile prefixes that libphonenumber (phonenumbers 9.0) classifies as VN
# MOBILE and that carriers use today; checked by tests/logistics/demo/test_names.py.
# 030/031/051/087/095 are accepted by the metadata but not in common use, and 099 is
# valid only from 0993 (0992 is refused): all left out.
MOBILE_PREFIXES: Final = (
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "059", "070",
    "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "090",
    "091", "092", "093", "094", "096", "097", "098",
)

_FAMILY = tuple(name for name, _ in FAMILY_NAMES)
_FAMILY_P = np.array([weight for _, weight in FAMILY_NAMES]) / sum(w for _, w in FAMILY_NAMES)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def person_name(rng: np.random.Generator, gender: str | None = None) -> str:
    """A full name, family name first: ``"Nguyễn Thị Lan"``; ``gender`` is ``"m"``/``"f"``."""
    if gender is None:
        gender = "m" if rng.random() < 0.5 else "f"
    family = _FAMILY[int(rng.choice(len(_FAMILY), p=_FAMILY_P))]
    return f"{family} {_pick(rng, MIDDLE_NAMES[gender])} {_pick(rng, GIVEN_NAMES[gender])}"


def commune_label(commune: Commune) -> str:
    """``"phường Pleiku"``, ``"xã Ia Grai"``: the unit type in lower case mid-sentence."""
    return f"{commune.unit_type.lower()} {commune.short_name}"


def province_label(full_name: str) -> str:
    """``"Tỉnh Gia Lai"`` → ``"tỉnh Gia Lai"`` (mid-sentence form)."""
    return full_name[:1].lower() + full_name[1:]


def hamlet_word(commune: Commune) -> str:
    """``"Ấp"``, ``"Làng"`` or ``"Thôn"``: what a hamlet is called where ``commune`` lies."""
    if commune.lat < _SOUTH_OF_LAT:
        return "Ấp"
    lat_lo, lat_hi, lon_lo, lon_hi = _HIGHLANDS
    return "Làng" if lat_lo <= commune.lat <= lat_hi and lon_lo <= commune.lon <= lon_hi else "Thôn"


def street_address(rng: np.random.Generator, commune: Commune, *, street_only: bool = False) -> str:
    """A made-up address in ``commune``: a numbered street in wards (and for offices,
    ``street_only``), often a hamlet in rural communes, e.g.
    ``"Số 12, đường Lê Lợi, Phường Pleiku, Tỉnh Gia Lai"``, ``"Thôn 4, Xã Ia Grai, ..."``."""
    where = f"{commune.name}, {commune.province_name}"
    if not street_only and commune.unit_type != "Phường" and rng.random() < 0.6:
        return f"{hamlet_word(commune)} {int(rng.integers(1, 16))}, {where}"
    number = int(rng.integers(1, 400))
    if rng.random() < 0.2:
        return f"Số {number}/{int(rng.integers(1, 60))}, đường {_pick(rng, STREETS)}, {where}"
    return f"Số {number}, đường {_pick(rng, STREETS)}, {where}"


def mobile_phone(rng: np.random.Generator) -> str:
    """A 10-digit national mobile number, ``"0912345678"``."""
    return _pick(rng, MOBILE_PREFIXES) + f"{int(rng.integers(0, 10_000_000)):07d}"


def to_e164(national: str) -> str:
    """``"0912345678"`` → ``"+84912345678"`` (only for numbers made by :func:`mobile_phone`)."""
    return "+84" + national[1:]


def display_phone(national: str) -> str:
    """``"0912345678"`` → ``"0912 345 678"``, as numbers are printed on a sign."""
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def id_last4(rng: np.random.Generator) -> str:
    """The last 4 digits of a made-up CCCD number (all the product keeps of an ID)."""
    return f"{int(rng.integers(0, 10_000)):04d}"
