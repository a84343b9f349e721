"""What a report may cover: a date range and, for a dispatcher, their own post office.

An admin sees every office (or the one they pick); a dispatcher sees their office only
and is refused (403 ``other_post_office``) when asking for another one; nobody else
reads reports. A dispatcher's office filter is the rule of ``access.visible_items``
(the items of their post office), applied to the items each report counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from logistics.exceptions import Forbidden, InvalidInput
from logistics.models import User
from logistics.models.enums import Role
from logistics.workdays import LOCAL_TZ

REPORT_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})
#: A longer range is refused: one year of a province is already a large sheet.
MAX_RANGE_DAYS = 400


@dataclass(frozen=True)
class ReportScope:
    date_from: date
    date_to: date  # inclusive
    post_office_id: int | None  # None: every office (admins only)

    @property
    def start_utc(self) -> datetime:
        """The first instant of ``date_from`` in Vietnam."""
        return datetime.combine(self.date_from, time(0), tzinfo=LOCAL_TZ)

    @property
    def end_utc(self) -> datetime:
        """The first instant after ``date_to`` in Vietnam (exclusive bound)."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def resolve(user: User, *, date_from: date, date_to: date, post_office_id: int | None) -> ReportScope:
    """The scope ``user`` may read for the asked range and office, or a refusal."""
    if user.role not in REPORT_ROLES:
        raise Forbidden("Only dispatchers and admins read reports.", code="forbidden")
    if date_to < date_from:
        raise InvalidInput(
            f"The range ends ({date_to.isoformat()}) before it starts ({date_from.isoformat()}).",
            code="invalid_date_range",
        )
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_RANGE_DAYS} days.", code="invalid_date_range")
    if user.role == Role.DISPATCHER:
        if user.post_office_id is None:
            raise Forbidden("Your account is not attached to a post office.", code="forbidden")
        if post_office_id is not None and post_office_id != user.post_office_id:
            raise Forbidden("A dispatcher reads the reports of their own post office only.", code="other_post_office")
        post_office_id = user.post_office_id
    return ReportScope(date_from=date_from, date_to=date_to, post_office_id=post_office_id)
