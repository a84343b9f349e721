"""Reference data loaded by the demo: administrative units, holidays, procedures."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from logistics.demo.procedures import catalogue, load_procedures
from logistics.demo.units import UNITS_VALID_FROM, load_admin_units, load_holidays, load_legacy_codes
from logistics.models import AdminUnit, Holiday, LegacyUnitCode, Procedure
from logistics.models.enums import AdminLevel
from logistics.workdays import read_rows


def _count(session: Session, model, *where) -> int:  # noqa: ANN001 - any table
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def test_admin_units_load_all_34_provinces_and_3321_communes_once(session: Session) -> None:
    """The first load inserts every unit in force since 2025-07-01; a second adds nothing."""
    assert load_admin_units(session) == 34 + 3321
    assert load_admin_units(session) == 0
    assert _count(session, AdminUnit, AdminUnit.level == AdminLevel.PROVINCE) == 34
    assert _count(session, AdminUnit, AdminUnit.level == AdminLevel.COMMUNE) == 3321


def test_admin_unit_codes_are_zero_padded_with_centres_and_parents(session: Session) -> None:
    """Provinces have 2-digit codes, communes 5-digit codes and their province as parent."""
    load_admin_units(session)
    hanoi = session.exec(select(AdminUnit).where(AdminUnit.code == "01")).one()
    assert (hanoi.level, hanoi.unit_type, hanoi.valid_from, hanoi.valid_to) == (
        AdminLevel.PROVINCE, "Thành phố", UNITS_VALID_FROM, None
    )
    assert hanoi.area_km2 and hanoi.area_km2 > 3000
    hong_ha = session.exec(select(AdminUnit).where(AdminUnit.code == "00097")).one()
    assert (hong_ha.level, hong_ha.parent_code, hong_ha.name) == (AdminLevel.COMMUNE, "01", "Phường Hồng Hà")
    assert 20 < hong_ha.lat < 22 and 105 < hong_ha.lon < 107


def test_former_provinces_map_to_the_province_that_absorbed_them(session: Session) -> None:
    """The 52 provinces merged in 2025 resolve to the 23 new ones, loaded once: Bình Định
    (52) and Gia Lai (64) both became the new Gia Lai (52)."""
    assert load_legacy_codes(session) == 52
    assert load_legacy_codes(session) == 0
    rows = session.exec(select(LegacyUnitCode)).all()
    assert len({r.successor_code for r in rows}) == 23
    successors = {(r.legacy_code, r.legacy_name): r.successor_code for r in rows}
    assert successors[("64", "Tỉnh Gia Lai")] == successors[("52", "Tỉnh Bình Định")] == "52"
    assert successors[("10", "Tỉnh Lào Cai")] == "15"
    assert all(r.valid_to == date(2025, 6, 30) and r.legacy_level is AdminLevel.PROVINCE for r in rows)
    assert not any(r.legacy_code == "01" for r in rows), "Hà Nội was not merged"


def test_holidays_load_from_the_shipped_csv_once(session: Session) -> None:
    """Every calendar row is inserted once; re-running adds nothing."""
    rows = read_rows()
    assert load_holidays(session) == len(rows)
    assert load_holidays(session) == 0
    tet = session.exec(select(Holiday).where(Holiday.day == date(2026, 2, 17))).one()
    assert tet.kind == "holiday" and tet.calendar == "vn_civil_service"


def test_procedure_catalogue_has_demo_codes_and_realistic_flags() -> None:
    """About 15+ procedures, all DEMO- coded; some need the person present; land and
    judicial records need an ID check."""
    entries = catalogue()
    assert len(entries) >= 15
    assert all(e.code.startswith("DEMO-") for e in entries)
    assert len({e.code for e in entries}) == len(entries)
    by_code = {e.code: e for e in entries}
    assert not by_code["DEMO-KH"].intake_by_post and not by_code["DEMO-KH"].return_by_post
    assert not by_code["DEMO-CCCD-DOI"].intake_by_post and by_code["DEMO-CCCD-DOI"].return_by_post
    assert by_code["DEMO-LLTP"].proof_id_check and by_code["DEMO-LLTP"].fee_vnd == 200_000
    assert all(e.proof_id_check for e in entries if e.code.startswith("DEMO-DD-"))
    assert any(e.proof_otp for e in entries)
    assert all(e.sla_working_days >= 1 and e.share > 0 for e in entries)


def test_procedures_load_idempotently(session: Session) -> None:
    """Loading twice leaves one row per catalogue entry and returns the same rows."""
    first = load_procedures(session)
    second = load_procedures(session)
    assert {c: p.id for c, p in first.items()} == {c: p.id for c, p in second.items()}
    assert _count(session, Procedure, Procedure.code.like("DEMO-%")) == len(catalogue())
