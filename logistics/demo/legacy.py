"""The 63 provinces in force until 30 June 2025, with their GSO codes, and which of the
34 current provinces each one became part of.

Source of the codes and names: the GSO administrative-units catalogue
(danhmuchanhchinh.gso.gov.vn) as downloaded on 2025-07-18, in the MIT-licensed
``vietnamadminunits`` data (``data/raw/danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv``,
columns "Mã TP" and "Tỉnh / Thành Phố"). The successor of each former province comes from
``geography.communes.find_province``, which knows the 2025 mergers (Resolution 202/2025/QH15).
Only provinces are covered: mapping former districts and communes needs the ward-level
merger tables, which the product does not ship.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from logistics.geography.communes import find_province

#: The last day the 63 former provinces existed.
FORMER_UNITS_VALID_TO: Final = date(2025, 6, 30)

FORMER_PROVINCES: Final[tuple[tuple[str, str], ...]] = (
    ("01", "Thành phố Hà Nội"), ("02", "Tỉnh Hà Giang"), ("04", "Tỉnh Cao Bằng"),
    ("06", "Tỉnh Bắc Kạn"), ("08", "Tỉnh Tuyên Quang"), ("10", "Tỉnh Lào Cai"),
    ("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"), ("14", "Tỉnh Sơn La"),
    ("15", "Tỉnh Yên Bái"), ("17", "Tỉnh Hoà Bình"), ("19", "Tỉnh Thái Nguyên"),
    ("20", "Tỉnh Lạng Sơn"), ("22", "Tỉnh Quảng Ninh"), ("24", "Tỉnh Bắc Giang"),
    ("25", "Tỉnh Phú Thọ"), ("26", "Tỉnh Vĩnh Phúc"), ("27", "Tỉnh Bắc Ninh"),
    ("30", "Tỉnh Hải Dương"), ("31", "Thành phố Hải Phòng"), ("33", "Tỉnh Hưng Yên"),
    ("34", "Tỉnh Thái Bình"), ("35", "Tỉnh Hà Nam"), ("36", "Tỉnh Nam Định"),
    ("37", "Tỉnh Ninh Bình"), ("38", "Tỉnh Thanh Hóa"), ("40", "Tỉnh Nghệ An"),
    ("42", "Tỉnh Hà Tĩnh"), ("44", "Tỉnh Quảng Bình"), ("45", "Tỉnh Quảng Trị"),
    ("46", "Thành phố Huế"), ("48", "Thành phố Đà Nẵng"), ("49", "Tỉnh Quảng Nam"),
    ("51", "Tỉnh Quảng Ngãi"), ("52", "Tỉnh Bình Định"), ("54", "Tỉnh Phú Yên"),
    ("56", "Tỉnh Khánh Hòa"), ("58", "Tỉnh Ninh Thuận"), ("60", "Tỉnh Bình Thuận"),
    ("62", "Tỉnh Kon Tum"), ("64", "Tỉnh Gia Lai"), ("66", "Tỉnh Đắk Lắk"),
    ("67", "Tỉnh Đắk Nông"), ("68", "Tỉnh Lâm Đồng"), ("70", "Tỉnh Bình Phước"),
    ("72", "Tỉnh Tây Ninh"), ("74", "Tỉnh Bình Dương"), ("75", "Tỉnh Đồng Nai"),
    ("77", "Tỉnh Bà Rịa - Vũng Tàu"), ("79", "Thành phố Hồ Chí Minh"), ("80", "Tỉnh Long An"),
    ("82", "Tỉnh Tiền Giang"), ("83", "Tỉnh Bến Tre"), ("84", "Tỉnh Trà Vinh"),
    ("86", "Tỉnh Vĩnh Long"), ("87", "Tỉnh Đồng Tháp"), ("89", "Tỉnh An Giang"),
    ("91", "Tỉnh Kiên Giang"), ("92", "Thành phố Cần Thơ"), ("93", "Tỉnh Hậu Giang"),
    ("94", "Tỉnh Sóc Trăng"), ("95", "Tỉnh Bạc Liêu"), ("96", "Tỉnh Cà Mau"),
)


def merged_provinces() -> list[tuple[str, str, str]]:
    """``(former code, former name, successor code)`` for every former province that was
    merged in 2025, the ones whose name and code carried over included (their unit is new
    all the same). The 11 provinces left as they were are not listed."""
    successors = [(code, name, find_province(name).code) for code, name in FORMER_PROVINCES]
    into: dict[str, int] = {}
    for _, _, successor in successors:
        into[successor] = into.get(successor, 0) + 1
    return [row for row in successors if into[row[2]] > 1 or row[0] != row[2]]
