"""Import dossiers and their legs from a one-stop export, all or nothing.

For each dossier of the file (``rows.group_rows``):

- a dossier code already in the database: each row whose leg the dossier already has
  is ``unchanged`` (re-importing a file changes nothing); a row with a leg the dossier
  lacks is refused (``leg_not_in_dossier``): legs of a received dossier are added by the
  agency's "result ready" (``logistics.handovers.results``), not by an import;
- a new dossier goes through ``intake.service.receive_dossier``, the one intake of the
  product, in a savepoint: unknown procedure, agency, counter or commune, a procedure
  that may not go by post, a reused S10... come back as that row's errors.

Mode ``all`` (the default): if any row is refused nothing is written and the report
says why, row by row. Mode ``valid_only`` (the explicit "import valid rows" choice)
writes the dossiers whose every row is valid and reports the others. ``dry_run``
checks everything and writes nothing. One audit row records each import that wrote.
"""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from logistics import audit, jobs
from logistics.exceptions import DomainError, Forbidden
from logistics.imports.reading import RawRow
from logistics.imports.rows import DossierRows, RowError, group_rows, parse_group
from logistics.intake.service import receive_dossier
from logistics.models import Counter, Dossier, Item, User
from logistics.models.enums import Role
from logistics.models.types import utcnow

IMPORT_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
# The intake's refusal codes and the column they are about, for the report.
COLUMN_OF_CODE = {
    "unknown_procedure": "procedure_code", "unknown_agency": "agency_code", "unknown_counter": "counter_code",
    "unknown_commune": "applicant_commune_code", "intake_not_allowed_by_post": "leg",
    "return_not_allowed_by_post": "leg", "s10_reused": "s10", "wrong_counter": "counter_code",
}


class Mode(StrEnum):
    ALL = "all"
    VALID_ONLY = "valid_only"


class RowStatus(StrEnum):
    CREATED = "created"  # written by this import
    UNCHANGED = "unchanged"  # already in the database: nothing to do
    VALID = "valid"  # would be written (dry run) or was not because other rows failed
    ERROR = "error"


@dataclass(frozen=True)
class RowReport:
    line: int
    dossier_code: str
    leg: str
    status: RowStatus
    errors: tuple[RowError, ...] = ()


@dataclass
class ImportReport:
    rows: list[RowReport]
    written: bool
    mode: Mode
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(r.status is RowStatus.ERROR for r in self.rows)


def _existing(session: Session, group: DossierRows) -> bool:
    """Judge the rows of a dossier already received; True when it exists."""
    dossier_id = session.exec(select(Dossier.id).where(Dossier.code == group.code)).first()
    if dossier_id is None:
        return False
    legs = {leg.value for leg in session.exec(select(Item.leg).where(Item.dossier_id == dossier_id))}
    for row in group.rows:
        leg = row.values.get("leg", "").strip().lower()
        if leg not in legs and row.line not in group.errors:
            group.add_error(row.line, RowError(
                "leg", "leg_not_in_dossier",
                f"leg: dossier {group.code} was received without this leg; an import does not add legs to it."))
    return True


def _counter_exists(session: Session, code: str | None) -> bool:
    return code is None or session.exec(select(Counter.id).where(Counter.code == code)).first() is not None


def _receive(session: Session, actor: User, group: DossierRows, now: datetime) -> bool:
    """Receive a new dossier in a savepoint; its refusal becomes its rows' error."""
    assert group.intake is not None
    mark = jobs.checkpoint(session)
    try:
        with session.begin_nested():
            receive_dossier(session, actor=actor, data=group.intake, now=now)
    except DomainError as refused:
        jobs.drop_since(session, mark)
        column = COLUMN_OF_CODE.get(refused.code)
        if refused.code == "unknown_commune" and "recipient" in refused.detail:
            column = "recipient_commune_code"
        elif refused.code == "unknown_counter" and _counter_exists(session, group.intake.counter_code):
            column = "to_counter_code"  # the receiving counter is known: the transfer's is not
        group.add_error(None, RowError(column, refused.code, refused.detail))
        return False
    return True


def import_rows(
    session: Session, *, actor: User, rows: list[RawRow], mode: Mode = Mode.ALL, dry_run: bool = False,
    source: str = "", now: datetime | None = None,
) -> ImportReport:
    """Check and (unless refused or ``dry_run``) write ``rows``; the per-row report."""
    if actor.role not in IMPORT_ROLES:
        raise Forbidden("Only dispatchers and admins import dossiers.", code="forbidden")
    now = now or utcnow()
    groups = group_rows(rows)
    mark = jobs.checkpoint(session)
    outer = session.begin_nested()
    created: set[str] = set()
    unchanged: set[str] = set()
    for group in groups:
        if not group.code or group.repeat:
            continue
        if _existing(session, group):
            unchanged.add(group.code)
            continue
        parse_group(group)
        if group.valid and _receive(session, actor, group, now):
            created.add(group.code)
    failed = any(not g.valid for g in groups)
    keep = not dry_run and bool(created) and (mode is Mode.VALID_ONLY or not failed)
    if keep:
        # A dossier written in valid_only mode whose rows later failed cannot exist: a
        # group is written only when all its rows passed.
        outer.commit()
        audit.record(session, actor_user_id=actor.id, action="dossiers.imported", entity="import",
                     entity_id=now.strftime("%Y%m%dT%H%M%S"), source=source[:120], mode=mode.value,
                     dossiers=sorted(created)[:500], created=len(created), unchanged=len(unchanged))
    else:
        outer.rollback()
        jobs.drop_since(session, mark)
    report = [_row_report(group, row, created if keep else set(), unchanged) for group in groups for row in group.rows]
    report.sort(key=lambda r: r.line)
    counts = Tally(r.status.value for r in report)
    return ImportReport(rows=report, written=keep, mode=mode, dry_run=dry_run,
                        counts={s.value: counts.get(s.value, 0) for s in RowStatus})


def _row_report(group: DossierRows, row: RawRow, created: set[str], unchanged: set[str]) -> RowReport:
    leg = row.values.get("leg", "").strip().lower()
    errors = tuple(group.errors.get(row.line, ()))
    if errors:
        status = RowStatus.ERROR
    elif group.code in unchanged:
        status = RowStatus.UNCHANGED
    elif group.code in created:
        status = RowStatus.CREATED
    else:
        status = RowStatus.VALID
    return RowReport(line=row.line, dossier_code=group.code, leg=leg, status=status, errors=errors)
