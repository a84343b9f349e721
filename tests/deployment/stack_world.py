"""What the deployment tests run against: a migrated database with phones that have
routes (``bench/scan_ingest.py``'s seed: postmen, a route each, home deliveries), a
demo province to plan (``logistics.demo``), the processes of ``support.stack``, and a
client that speaks to them as a phone does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from bench.scan_ingest import PIN, seed as seed_phones
from logistics.migrate import upgrade
from support.fake_twilio import FakeTwilio
from support.stack import Stack, stack_env

DEMO_PROVINCE = "Cao Bằng"  # a small province: seeded in a few seconds


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sql(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(dsn(url), connect_timeout=5) as conn:
        return conn.execute(query, params).fetchall()


def event(s10: str, code: str, at: datetime | None = None) -> dict:
    """One scan as a phone sends it (its own event id, in Quy Nhơn, a minute ago)."""
    at = at or datetime.now(UTC) - timedelta(minutes=1)
    return {"client_event_id": str(uuid.uuid4()), "s10": s10, "code": code, "device_time": at.isoformat(),
            "lat": 13.76, "lon": 109.21, "accuracy_m": 10.0}


def sign_in(base_url: str, username: str) -> dict[str, str]:
    response = httpx.post(base_url + "/mobile/v1/auth/sign-in", timeout=30,
                          json={"username": username, "pin": PIN, "device_id": f"phone-{username}"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def next_working_day() -> date:
    from logistics.workdays import LOCAL_TZ, WorkCalendar

    calendar, day = WorkCalendar.default(), datetime.now(LOCAL_TZ).date()
    while True:
        day = date.fromordinal(day.toordinal() + 1)
        if calendar.is_working_day(day):
            return day


def seed_demo(url: str, day: date, volume: int = 60) -> int:
    """Seed the demo province for ``day``; the id of its busiest post office."""
    from sqlmodel import Session

    from logistics.db import make_engine
    from logistics.demo import seed_province

    engine = make_engine(url)
    with Session(engine) as session:
        seed_province(session, province=DEMO_PROVINCE, seed=7, day=day, volume=volume)
        session.commit()
    engine.dispose()
    return sql(url, "SELECT post_office_id FROM item WHERE post_office_id IS NOT NULL "
                    "GROUP BY post_office_id ORDER BY count(*) DESC LIMIT 1")[0][0]


@dataclass
class World:
    url: str
    stack: Stack
    fake: FakeTwilio
    phones: dict[str, list[str]]  # username -> the S10s on its route

    def scans_of(self, client_event_ids: list[str]) -> dict[str, int]:
        rows = sql(self.url, "SELECT client_event_id::text, count(*) FROM scan_event "
                             "WHERE client_event_id = ANY(%s::uuid[]) GROUP BY 1", client_event_ids)
        return dict(rows)

    def notifications(self) -> dict[str, int]:
        return dict(sql(self.url, "SELECT status, count(*) FROM notification GROUP BY status"))


@contextmanager
def deployed(database_url: str, redis_url: str, tmp_path: Path, *, phones: int = 2,
             start: bool = True, **env: str) -> Iterator[World]:
    """Migrate and seed ``database_url`` (empty), then run the stack on it and ``redis_url``."""
    upgrade(database_url)
    items = seed_phones(database_url, phones, 0)
    with FakeTwilio() as fake:
        environment = stack_env(database_url=database_url, redis_url=redis_url, var_dir=tmp_path / "var",
                                twilio_url=fake.url, **env)
        with Stack(environment, tmp_path) as stack:
            if start:
                stack.start_all()
            yield World(url=database_url, stack=stack, fake=fake, phones=items)
