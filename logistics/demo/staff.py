"""Demo users and postmen for a province, all signing in with one documented PIN.

Usernames are readable and deterministic:

- ``admin`` (``admin-<province code>`` when ``admin`` is taken by another province);
- ``dp-<post office code>`` for each office's dispatcher, e.g. ``dp-bc-52-03``;
- ``pm-<post office code>-NN`` for its postmen, e.g. ``pm-bc-52-03-07``;
- ``cc-<counter code>`` for a counter clerk, e.g. ``cc-hcc-52``, ``cc-mc-23125``;
- ``ac-<agency code>`` for an agency clerk, e.g. ``ac-000.00.01.h52``.

The PIN is hashed once per process and the hash reused for every demo user: Argon2
takes ~10 ms a hash, which would be ~5 s for Gia Lai's ~450 users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Final

import numpy as np
from sqlmodel import Session, select

from logistics.accounts.passwords import hash_secret
from logistics.demo.names import person_name
from logistics.models import Agency, Counter, PostOffice, Postman, User
from logistics.models.enums import Role, VehicleKind

#: The PIN of every demo user (the README prints it). Demo databases only.
DEMO_SECRET: Final = "123456"
#: Extra postmen at the provincial office for the runs between counters and agencies.
PROVINCIAL_EXTRA_POSTMEN: Final = 2


@cache
def demo_secret_hash() -> str:
    """The Argon2 hash of :data:`DEMO_SECRET`, computed once per process."""
    return hash_secret(DEMO_SECRET)


@dataclass(frozen=True, slots=True)
class Staff:
    admin: User
    users: tuple[User, ...]  # every user made, the admin and postmen's users included
    postmen: tuple[Postman, ...]


def admin_username(session: Session, province_code: str) -> str:
    taken = session.exec(select(User.id).where(User.username == "admin")).first() is not None
    return f"admin-{province_code}" if taken else "admin"


def _user(rng: np.random.Generator, username: str, role: Role, province_code: str, **scope: int | None) -> User:
    return User(
        username=username,
        full_name=person_name(rng),
        role=role,
        province_code=province_code,
        secret_hash=demo_secret_hash(),
        **scope,
    )


def _vehicle(rng: np.random.Generator, *, van: bool, small_ward: bool) -> dict[str, object]:
    if van:  # the provincial office's van carries the counter↔agency bags in bulk
        return {"vehicle": VehicleKind.CAR, "capacity_items": 200, "capacity_g": 300_000}
    kind = VehicleKind.BICYCLE if small_ward and rng.random() < 0.5 else VehicleKind.MOTORBIKE
    items = int(rng.integers(8, 17)) * 5  # 40–80 items
    grams = int(rng.integers(30, 51)) * 1000  # 30–50 kg
    if kind is VehicleKind.BICYCLE:
        items, grams = min(items, 40), min(grams, 20_000)
    return {"vehicle": kind, "capacity_items": items, "capacity_g": grams}


def build_staff(
    session: Session,
    *,
    province_code: str,
    post_offices: list[PostOffice],
    postmen_per_office: dict[str, int],
    small_ward_offices: set[str],
    counters: list[Counter],
    agencies: list[Agency],
    rng: np.random.Generator,
) -> Staff:
    """Create the province's users and postmen (flushes twice: users, then postmen).

    ``post_offices`` lists the provincial office first (its first postman drives a van);
    ``postmen_per_office`` maps an office code to its number of postmen (about one per
    commune it serves); offices in ``small_ward_offices`` get some bicycles.
    """
    provincial = post_offices[0]
    admin = _user(rng, admin_username(session, province_code), Role.ADMIN, province_code)
    users = [admin]
    postman_users: list[tuple[PostOffice, int, User]] = []
    for office in post_offices:
        low = office.code.lower()
        users.append(_user(rng, f"dp-{low}", Role.DISPATCHER, province_code, post_office_id=office.id))
        for n in range(1, postmen_per_office.get(office.code, 1) + 1):
            user = _user(rng, f"pm-{low}-{n:02d}", Role.POSTMAN, province_code, post_office_id=office.id)
            users.append(user)
            postman_users.append((office, n, user))
    users.extend(
        _user(rng, f"cc-{c.code.lower()}", Role.COUNTER_CLERK, province_code, counter_id=c.id) for c in counters
    )
    users.extend(
        _user(rng, f"ac-{a.code.lower()}", Role.AGENCY_CLERK, province_code, agency_id=a.id) for a in agencies
    )
    session.add_all(users)
    session.flush()

    postmen = []
    for office, n, user in postman_users:
        early = rng.random() < 0.2  # a few start at 07:00 to clear the morning pickups
        postmen.append(
            Postman(
                user_id=user.id,
                post_office_id=office.id,
                shift_start=time(7, 0) if early else time(7, 30),
                shift_end=time(17, 0) if early else time(17, 30),
                break_earliest=time(11, 0),
                break_latest=time(13, 30),
                break_minutes=60,
                **_vehicle(rng, van=office is provincial and n == 1, small_ward=office.code in small_ward_offices),
            )
        )
    session.add_all(postmen)
    session.flush()
    return Staff(admin=admin, users=tuple(users), postmen=tuple(postmen))
