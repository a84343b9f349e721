"""Reference data every province needs: the administrative units in force since
1 July 2025, the codes of the former provinces merged into them, and the working
calendar's holidays.

The loaders are idempotent: they insert only the rows the table lacks (by the table's
natural key), so running them on every seed, or on a database an administrator has
since edited, adds nothing twice and overwrites nothing.

Legacy codes cover the 52 former provinces merged in 2025 (``demo.legacy``, from the GSO
catalogue); former districts and communes are not mapped.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from logistics.demo.legacy import FORMER_UNITS_VALID_TO, merged_provinces
from logistics.geography.communes import load_communes, provinces
from logistics.models import AdminUnit, Holiday, LegacyUnitCode
from logistics.models.enums import AdminLevel
from logistics.workdays import read_rows

# The two-tier local government (Resolution 202/2025/QH15 and the commune resolutions
# of the Standing Committee) took effect on this day.
UNITS_VALID_FROM = date(2025, 7, 1)


def _province_unit_type(full_name: str) -> str:
    return "Thành phố" if full_name.startswith("Thành phố") else "Tỉnh"


def admin_unit_rows() -> list[dict[str, object]]:
    """Rows for ``admin_unit``: the 34 provinces, then the 3,321 communes."""
    communes = load_communes()
    area_by_province: dict[str, float] = {}
    for c in communes:
        area_by_province[c.province_code] = area_by_province.get(c.province_code, 0.0) + (c.area_km2 or 0.0)
    rows: list[dict[str, object]] = [
        {
            "code": p.code,
            "level": AdminLevel.PROVINCE,
            "name": p.name,
            "short_name": p.short_name,
            "unit_type": _province_unit_type(p.name),
            "parent_code": None,
            "lat": p.lat,
            "lon": p.lon,
            # The sum of the communes' areas: a few communes have no area in the source,
            # so this slightly under-reports (by < 1 % where it happens).
            "area_km2": round(area_by_province.get(p.code, 0.0), 2) or None,
            "valid_from": UNITS_VALID_FROM,
            "valid_to": None,
        }
        for p in provinces()
    ]
    rows.extend(
        {
            "code": c.code,
            "level": AdminLevel.COMMUNE,
            "name": c.name,
            "short_name": c.short_name,
            "unit_type": c.unit_type,
            "parent_code": c.province_code,
            "lat": c.lat,
            "lon": c.lon,
            "area_km2": c.area_km2,
            "valid_from": UNITS_VALID_FROM,
            "valid_to": None,
        }
        for c in communes
    )
    return rows


def load_admin_units(session: Session) -> int:
    """Insert the provinces and communes in force since 2025-07-01 that are missing.

    Returns the number of rows inserted (0 on a second run). One bulk INSERT: the
    3,355 rows take ~0.1 s on SQLite.
    """
    existing = set(
        session.exec(
            select(AdminUnit.code, AdminUnit.level).where(AdminUnit.valid_from == UNITS_VALID_FROM)
        ).all()
    )
    missing = [r for r in admin_unit_rows() if (r["code"], r["level"]) not in existing]
    if missing:
        session.execute(sa.insert(AdminUnit), missing)
        session.flush()
    return len(missing)


def load_legacy_codes(session: Session) -> int:
    """Insert the former provinces' codes (valid to 2025-06-30) mapped to their successors.

    Returns the number of rows inserted (0 on a second run).
    """
    existing = set(
        session.exec(
            select(LegacyUnitCode.legacy_code, LegacyUnitCode.successor_code).where(
                LegacyUnitCode.legacy_level == AdminLevel.PROVINCE
            )
        ).all()
    )
    missing = [
        {
            "legacy_code": code,
            "legacy_level": AdminLevel.PROVINCE,
            "legacy_name": name,
            "successor_code": successor,
            "successor_level": AdminLevel.PROVINCE,
            "valid_to": FORMER_UNITS_VALID_TO,
        }
        for code, name, successor in merged_provinces()
        if (code, successor) not in existing
    ]
    if missing:
        session.execute(sa.insert(LegacyUnitCode), missing)
        session.flush()
    return len(missing)


def load_holidays(session: Session) -> int:
    """Insert the rows of ``logistics/data/holidays_vn.csv`` missing from ``holiday``.

    Returns the number of rows inserted (0 on a second run).
    """
    existing = set(session.exec(select(Holiday.calendar, Holiday.day)).all())
    missing = []
    for row in read_rows():
        day = date.fromisoformat(row["day"])
        if (row["calendar"], day) in existing:
            continue
        existing.add((row["calendar"], day))
        missing.append(
            {
                "calendar": row["calendar"],
                "day": day,
                "kind": row["kind"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "source": row["source"],
            }
        )
    if missing:
        session.execute(sa.insert(Holiday), missing)
        session.flush()
    return len(missing)
