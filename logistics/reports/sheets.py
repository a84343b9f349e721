"""Each report as a ``tables.Sheet``, headings in Vietnamese with the English after a
slash, so that one file serves both readers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from logistics.handovers.documents import LEG_VI  # the legs' names, as on the dispatch note
from logistics.reports.late import RESPONSIBLE_VI, LateDossier, apology_vi
from logistics.reports.ontime import GroupBy, OnTimeRow
from logistics.reports.productivity import PostmanRow
from logistics.reports.scope import ReportScope
from logistics.reports.tables import Sheet
from logistics.reports.volumes import LegVolume

GROUP_VI = {GroupBy.AGENCY: "Cơ quan / Agency", GroupBy.COMMUNE: "Xã, phường / Commune",
            GroupBy.POST_OFFICE: "Bưu cục / Post office"}


def _period(scope: ReportScope) -> str:
    return f"{scope.date_from:%d/%m/%Y} – {scope.date_to:%d/%m/%Y}"


def _percent(rate: float | None) -> float | None:
    return round(rate * 100, 1) if rate is not None else None


def on_time_sheet(rows: Sequence[OnTimeRow], group_by: GroupBy, scope: ReportScope) -> Sheet:
    return Sheet(
        name=f"dung-hen-{group_by.value}",
        title=f"Tỷ lệ trả kết quả đúng hẹn / On-time rate — {_period(scope)}",
        columns=["Mã / Code", GROUP_VI[group_by], "Đúng hẹn / On time", "Trễ hẹn / Late", "Quá hẹn chưa trả / Overdue",
                 "Chưa đến hẹn / Not yet due", "Tỷ lệ đúng hẹn (%) / On-time rate (%)", "Ngày làm việc trễ / Working days late"],
        rows=[[r.code, r.name, r.on_time, r.late, r.overdue, r.open, _percent(r.rate), r.working_days_late] for r in rows],
    )


def late_sheet(rows: Sequence[LateDossier], scope: ReportScope, *, published: bool, unit_name: str | None) -> Sheet:
    if published:
        unit = unit_name or "Bưu điện tỉnh"
        return Sheet(
            name="ho-so-tre-hen",
            title=f"Danh sách hồ sơ trễ hẹn — {unit} — {_period(scope)}",
            notes=[apology_vi(unit, len(rows))],
            columns=["STT", "Mã hồ sơ", "Thủ tục", "Cơ quan giải quyết", "Ngày hẹn trả", "Ngày trả kết quả",
                     "Số ngày làm việc trễ", "Đơn vị chịu trách nhiệm"],
            rows=[[i, r.dossier_code, r.procedure_name, r.agency_name, r.appointment_date,
                   r.given_on or "Chưa trả", r.working_days_late, RESPONSIBLE_VI[r.responsible]]
                  for i, r in enumerate(rows, start=1)],
        )
    return Sheet(
        name="ho-so-tre-hen-noi-bo",
        title=f"Hồ sơ trễ hẹn (nội bộ) / Late dossiers (internal) — {_period(scope)}",
        columns=["Mã hồ sơ / Dossier", "Thủ tục / Procedure", "Mã cơ quan / Agency code", "Cơ quan / Agency",
                 "Ngày hẹn / Appointment", "Ngày trả / Given on", "Ngày LV trễ / Working days late",
                 "Trách nhiệm / Responsible", "S10", "Chặng / Leg", "Bưu cục / Post office"],
        rows=[[r.dossier_code, r.procedure_name, r.agency_code, r.agency_name, r.appointment_date, r.given_on,
               r.working_days_late, r.responsible.value, r.s10, r.leg, r.post_office_code] for r in rows],
    )


def productivity_sheet(rows: Sequence[PostmanRow], scope: ReportScope) -> Sheet:
    return Sheet(
        name="nang-suat-buu-ta",
        title=f"Năng suất bưu tá / Postmen's productivity — {_period(scope)}",
        columns=["Bưu tá / Postman", "Số tuyến / Routes", "Điểm dừng xong / Stops done", "Bưu gửi / Items",
                 "Km (kế hoạch) / Km (planned)", "Giờ / Hours", "Lượt phát có thử / Deliveries attempted",
                 "Phát được lần đầu / Delivered first time", "Tỷ lệ lần đầu (%) / First-attempt rate (%)"],
        rows=[[r.name, r.routes, r.stops_done, r.items, r.km, r.hours, r.attempted, r.first_attempt_delivered,
               _percent(r.first_attempt_rate)] for r in rows],
    )


def volumes_sheet(days: Sequence[date], legs: Sequence[LegVolume], scope: ReportScope) -> Sheet:
    return Sheet(
        name="san-luong-theo-chang",
        title=f"Sản lượng theo chặng / Volumes per leg — {_period(scope)}",
        columns=["Chặng / Leg", "Tên / Name", "Bưu gửi / Items", "Hoàn tất / Done", "Phát không thành / Failed",
                 "Huỷ, hoàn / Cancelled or returned", *[d.isoformat() for d in days]],
        rows=[[v.leg.value, LEG_VI[v.leg], v.items, v.done, v.failed, v.cancelled_or_returned,
               *[v.per_day.get(d, 0) for d in days]] for v in legs],
    )
