"""The late-dossier list of a unit, internal or ready to publish.

Units list their late dossiers publicly and apologise to the people concerned (the
one-stop software "thống kê công khai" late dossiers and names the unit responsible:
seeds/003; the written apology of Decision 61/2018 art. 14). The *published* list
shows, per dossier, only its code, the procedure, the appointment date, the day the
result was given (or that it is still pending), the working days late and the unit
responsible: never a name, phone, address or S10 of a person's envelope. The internal
list adds the S10, the leg and the post office, for the dispatcher to act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from logistics.reports.outcomes import DossierOutcome, Responsible, Verdict

RESPONSIBLE_VI = {Responsible.AGENCY: "Cơ quan giải quyết", Responsible.POST: "Bưu điện"}
RESPONSIBLE_EN = {Responsible.AGENCY: "Deciding agency", Responsible.POST: "Post"}


def apology_vi(unit_name: str, count: int) -> str:
    return (
        f"{unit_name} thành thật xin lỗi các tổ chức, cá nhân có {count} hồ sơ trễ hẹn trong danh sách dưới đây "
        "và sẽ trả kết quả trong thời gian sớm nhất."
    )


def apology_en(unit_name: str, count: int) -> str:
    return (
        f"{unit_name} sincerely apologises to the people and organisations whose {count} dossiers listed below "
        "are past their appointment date, and will return the results as soon as possible."
    )


@dataclass(frozen=True)
class LateDossier:
    dossier_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    appointment_date: date
    given_on: date | None
    working_days_late: int
    responsible: Responsible
    # Internal only: left out of the published list.
    s10: str
    leg: str
    post_office_code: str

    def published(self) -> dict[str, object]:
        return {
            "dossier_code": self.dossier_code,
            "procedure": self.procedure_name,
            "agency": self.agency_name,
            "appointment_date": self.appointment_date.isoformat(),
            "result_given_on": self.given_on.isoformat() if self.given_on else None,
            "working_days_late": self.working_days_late,
            "responsible": self.responsible.value,
        }

    def internal(self) -> dict[str, object]:
        return {**self.published(), "agency_code": self.agency_code, "s10": self.s10, "leg": self.leg,
                "post_office": self.post_office_code}


def late_dossiers(outcomes: Iterable[DossierOutcome], *, agency_code: str | None = None) -> list[LateDossier]:
    """Late and overdue dossiers (of one agency when given), most days late first."""
    rows = [
        LateDossier(
            dossier_code=o.dossier_code, procedure_name=o.procedure_name, agency_code=o.agency_code,
            agency_name=o.agency_name, appointment_date=o.appointment_date, given_on=o.given_on,
            working_days_late=o.working_days_late, responsible=o.responsible or Responsible.AGENCY,
            s10=o.s10, leg=o.leg.value, post_office_code=o.post_office_code,
        )
        for o in outcomes
        if o.verdict in (Verdict.LATE, Verdict.OVERDUE) and (agency_code is None or o.agency_code == agency_code)
    ]
    return sorted(rows, key=lambda r: (-r.working_days_late, r.appointment_date, r.dossier_code))
