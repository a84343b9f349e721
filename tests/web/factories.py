"""A tiny province for API and service tests, independent of the demo seed.

Gia Lai (52), two real communes of Quy Nhơn, each with a post office, a commune
counter and an agency, two procedures (one that may go by post, one that may not),
and one user of each role per side ("a" and "b"), each with an access token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from logistics.accounts import tokens
from logistics.accounts.passwords import hash_secret
from logistics.identifiers.s10 import make_s10
from logistics.models import (
    AdminUnit, Agency, AuditLog, Counter, Dossier, Item, Person, PostOffice, Procedure, S10Allocation, S10Series, User,
)
from logistics.models.enums import AdminLevel, CounterLevel, Role

PROVINCE = "52"
# (code, name, lat, lon) from logistics/data/communes_2025.csv
COMMUNE_A = ("21553", "Phường Quy Nhơn Bắc", 13.788, 109.167)
COMMUNE_B = ("21583", "Phường Quy Nhơn", 13.7843, 109.233)
AGENCY_A = "000.00.22.H21"
AGENCY_B = "000.00.23.H21"
PROCEDURE = "1.001234"
IN_PERSON_PROCEDURE = "1.009999"  # neither intake nor return by post
PASSWORD = "correct horse 42"
RECEIVED_AT = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 09:30 in Vietnam, a Friday


@dataclass
class Side:
    """One half of the province: a commune with its post office, counter and agency."""

    commune_code: str
    post_office: PostOffice
    counter: Counter
    agency: Agency
    users: dict[Role, User] = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    admin: User
    procedure: Procedure
    in_person_procedure: Procedure
    tokens: dict[str, str] = field(default_factory=dict)  # username -> access token

    def headers(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user.username]}"}


def _side(session: Session, tag: str, commune: tuple[str, str, float, float], agency_code: str) -> Side:
    code, name, lat, lon = commune
    session.add(
        AdminUnit(
            code=code, level=AdminLevel.COMMUNE, name=name, short_name=name.removeprefix("Phường "),
            unit_type="Phường", parent_code=PROVINCE, lat=lat, lon=lon, valid_from=date(2025, 7, 1),
        )
    )
    office = PostOffice(
        code=f"PO-{tag.upper()}", name=f"Bưu cục {name}", province_code=PROVINCE, commune_code=code,
        address=f"1 Đường {tag}, {name}", lat=lat + 0.002, lon=lon + 0.002, opening_hours={},
    )
    counter = Counter(
        code=f"CT-{tag.upper()}", name=f"Bộ phận Một cửa {name}", level=CounterLevel.COMMUNE,
        province_code=PROVINCE, commune_code=code, address=f"2 Đường {tag}, {name}", lat=lat, lon=lon,
        opening_hours={},
    )
    agency = Agency(
        code=agency_code, name=f"Cơ quan {tag.upper()}", province_code=PROVINCE, commune_code=code,
        address=f"3 Đường {tag}, {name}", lat=lat - 0.003, lon=lon - 0.001, office_hours={},
    )
    session.add_all([office, counter, agency])
    session.flush()
    return Side(commune_code=code, post_office=office, counter=counter, agency=agency)


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose: hash the shared test password once, not 9 times a test.
    return hash_secret(PASSWORD)


def _user(session: Session, **fields: Any) -> User:
    user = User(secret_hash=_password_hash(), **fields)
    session.add(user)
    session.flush()
    return user


def build_world(session: Session) -> World:
    """Add the province to ``session`` (flushed, not committed) and return its rows."""
    session.add(
        AdminUnit(
            code=PROVINCE, level=AdminLevel.PROVINCE, name="Tỉnh Gia Lai", short_name="Gia Lai",
            unit_type="Tỉnh", lat=13.78, lon=109.22, valid_from=date(2025, 7, 1),
        )
    )
    a = _side(session, "a", COMMUNE_A, AGENCY_A)
    b = _side(session, "b", COMMUNE_B, AGENCY_B)
    procedure = Procedure(code=PROCEDURE, name="Cấp bản sao trích lục hộ tịch")
    in_person = Procedure(
        code=IN_PERSON_PROCEDURE, name="Cấp căn cước", intake_by_post=False, return_by_post=False
    )
    session.add_all([procedure, in_person])
    session.flush()
    admin = _user(session, username="admin", full_name="Quản trị", role=Role.ADMIN)
    world = World(a=a, b=b, admin=admin, procedure=procedure, in_person_procedure=in_person)
    for tag, side in (("a", a), ("b", b)):
        scopes: dict[Role, dict[str, Any]] = {
            Role.DISPATCHER: {"post_office_id": side.post_office.id},
            Role.POSTMAN: {"post_office_id": side.post_office.id},
            Role.COUNTER_CLERK: {"counter_id": side.counter.id},
            Role.AGENCY_CLERK: {"agency_id": side.agency.id},
        }
        for role, scope in scopes.items():
            side.users[role] = _user(
                session, username=f"{role.value}_{tag}", full_name=f"Nhân viên {role.value} {tag}",
                role=role, province_code=PROVINCE, **scope,
            )
    for user in [admin, *a.users.values(), *b.users.values()]:
        world.tokens[user.username] = tokens.issue_pair(session, user=user).access_token
    return world


def s10(serial: int, prefix: str = "EB") -> str:
    """A valid S10 identifier (check digit computed)."""
    return make_s10(prefix, serial)


def person(commune: tuple[str, str, float, float] = COMMUNE_A, **overrides: Any) -> dict[str, Any]:
    """An applicant near the commune centre, as a request body part."""
    code, _name, lat, lon = commune
    body = {
        "full_name": "Nguyễn Văn An",
        "phone": "0912 345 678",
        "address": "12 Nguyễn Huệ",
        "commune_code": code,
        "lat": lat + 0.004,
        "lon": lon + 0.003,
        "id_last4": "1234",
    }
    body.update(overrides)
    return body


def intake_body(*, sequence: int = 1, counter: str | None = "CT-A", **overrides: Any) -> dict[str, Any]:
    """A valid intake at counter A: home pickup to the counter, then counter to agency A."""
    body: dict[str, Any] = {
        "dossier_code": f"{AGENCY_A}-261120-{sequence:04d}",
        "procedure_code": PROCEDURE,
        "agency_code": AGENCY_A,
        "received_at": RECEIVED_AT.isoformat(),
        "appointment_date": "2026-11-27",
        "result_delivery": "home",
        "applicant": person(),
        "legs": [
            {
                "leg": "home_pickup",
                "window_start": "2026-11-20T08:00:00+07:00",
                "window_end": "2026-11-20T10:00:00+07:00",
            },
            {"leg": "counter_to_agency", "s10": s10(10_000_000 + sequence)},
        ],
    }
    if counter is not None:
        body["counter_code"] = counter
    body.update(overrides)
    return body


def row_counts(session: Session) -> dict[str, int]:
    """Rows of every table an intake writes to."""
    return {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Dossier, Item, Person, S10Allocation, S10Series, AuditLog)
    }
