"""The deciding bodies and one-stop counters of a demo province: names, codes, hours.

Agency codes have the shape of the national catalogue of agencies used by one-stop
systems (``000.00.NN.HXX`` for a provincial department, ``000.NN.MM.HXX`` below it),
but they are demo codes: ``HXX`` is ``H`` + the province's GSO code (``H52`` for Gia
Lai), not the letter code the catalogue gives that province, and ``NN``/``MM`` number
the demo's own list.
"""

from __future__ import annotations

from typing import Any, Final

from logistics.demo.names import commune_label, province_label
from logistics.geography.communes import Commune, Province

# (key, name, works Saturday morning). The 2025 reorganisation merged departments
# (Planning and Investment into Finance, Natural Resources and Environment into
# Agriculture and Environment, Labour into Home Affairs); the names follow it.
# Driving licences moved to the police's traffic division on 1 March 2025.
PROVINCIAL_AGENCIES: Final[tuple[tuple[str, str, bool], ...]] = (
    ("so_tu_phap", "Sở Tư pháp", True),
    ("vp_dang_ky_dat_dai", "Văn phòng Đăng ký đất đai", True),
    ("so_nong_nghiep_moi_truong", "Sở Nông nghiệp và Môi trường", False),
    ("so_xay_dung", "Sở Xây dựng", False),
    ("cong_an_csgt", "Công an tỉnh (Phòng Cảnh sát giao thông)", True),
    ("cong_an_tinh", "Công an tỉnh (Phòng Cảnh sát quản lý hành chính về trật tự xã hội)", False),
    ("cong_an_xuat_nhap_canh", "Công an tỉnh (Phòng Quản lý xuất nhập cảnh)", False),
    ("so_y_te", "Sở Y tế", False),
    ("bhxh_tinh", "Bảo hiểm xã hội tỉnh", True),
    ("so_cong_thuong", "Sở Công Thương", False),
    ("so_tai_chinh", "Sở Tài chính", False),
    ("so_giao_duc", "Sở Giáo dục và Đào tạo", False),
    ("so_noi_vu", "Sở Nội vụ", False),
)

_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri")
MORNING: Final = ["07:30", "11:30"]
AFTERNOON: Final = ["13:30", "17:00"]


def office_hours(*, saturday_morning: bool) -> dict[str, Any]:
    """Mon–Fri 07:30–11:30 and 13:30–17:00 (the lunch break is the gap), maybe Sat morning."""
    hours: dict[str, Any] = {day: [list(MORNING), list(AFTERNOON)] for day in _WEEKDAYS}
    hours["sat"] = [list(MORNING)] if saturday_morning else []
    hours["sun"] = []
    return hours


def post_office_hours() -> dict[str, Any]:
    """Mon–Sat 07:00–19:00 without a break; closed on Sunday."""
    hours: dict[str, Any] = {day: [["07:00", "19:00"]] for day in (*_WEEKDAYS, "sat")}
    hours["sun"] = []
    return hours


def province_letter_code(province: Province) -> str:
    """The demo ``HXX`` part: ``H`` + the GSO code (``H52``)."""
    return f"H{province.code}"


def provincial_agency_code(province: Province, index: int) -> str:
    """``000.00.NN.HXX`` for the ``index``-th (1-based) provincial department."""
    return f"000.00.{index:02d}.{province_letter_code(province)}"


def commune_agency_code(province: Province, index: int) -> str:
    """``000.NN.MM.HXX`` for the ``index``-th (1-based) commune: NN starts at 01, so a
    commune code never collides with a department's ``000.00.NN``; MM runs 01–99."""
    group, member = divmod(index - 1, 99)
    return f"000.{group + 1:02d}.{member + 1:02d}.{province_letter_code(province)}"


def provincial_agency_name(base: str, province: Province) -> str:
    # "Công an tỉnh (Phòng ...)" already says which level; name the province after "tỉnh".
    label = province_label(province.name)
    if base.startswith("Công an tỉnh") or base.startswith("Bảo hiểm xã hội tỉnh"):
        head, _, tail = base.partition(" tỉnh")
        return f"{head} {label}{tail}"
    return f"{base} {label}"


def commune_agency_name(commune: Commune) -> str:
    return f"Ủy ban nhân dân {commune_label(commune)}"


def provincial_counter_code(province: Province) -> str:
    return f"HCC-{province.code}"


def provincial_counter_name(province: Province) -> str:
    return f"Trung tâm Phục vụ hành chính công {province_label(province.name)}"


def commune_counter_code(commune: Commune) -> str:
    return f"MC-{commune.code}"


def commune_counter_name(commune: Commune) -> str:
    return f"Bộ phận Một cửa {commune_label(commune)}"
