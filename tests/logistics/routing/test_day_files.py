"""Days uploaded in the open format: validated before anything is kept, planned by the
task body into a plan the scoring rule accepts, idempotent, re-queued when lost; and a
day planned from the database exported in the same format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from postal_day_checker import score_day_plan
from sqlmodel import Session, func, select
from day_samples import tiny_day
from test_routing_service import DAY, _item, _world

from logistics.exceptions import Conflict, InvalidInput, NotFound
from logistics.jobs import pending
from logistics.models import AuditLog, DayFile, DayFileStatus, Route, User
from logistics.models.enums import LegKind, Role
from logistics.routing import day_files
from logistics.routing.day_export import export_planned_day
from logistics.routing.postal_day import day_to_problem
from logistics.routing.service import plan_post_office_day


def _actor(session: Session, role: Role = Role.DISPATCHER, name: str = "disp", post_office_id: int | None = None) -> User:
    user = User(username=name, full_name="Điều phối", role=role, secret_hash="x", post_office_id=post_office_id)
    session.add(user)
    session.flush()
    return user


def _bytes(day: dict) -> bytes:
    return json.dumps(day).encode()


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(DayFile)).one()


def test_a_valid_day_is_kept_and_queued_then_planned_feasibly(session):
    actor = _actor(session)
    row = day_files.submit_day_file(session, actor=actor, filename="tiny.json", content=_bytes(tiny_day()),
                                    time_limit_s=1)
    assert (row.status, row.items, row.vehicles, row.name) == (DayFileStatus.QUEUED, 8, 2, "tiny")
    assert [(j.name, j.kwargs) for j in pending(session)] == [(day_files.TASK_NAME, {"day_file_id": row.id})]
    with pytest.raises(Conflict) as not_ready:
        day_files.read_plan(session, actor, row.id)
    assert not_ready.value.code == "plan_not_ready"

    done = day_files.plan_day_file(session, row.id)
    assert done.status is DayFileStatus.DONE and done.finished_at is not None
    assert done.summary["served"] == done.summary["items"] == 8
    assert done.summary["mandatory_served"] == done.summary["mandatory"]
    plan = day_files.read_plan(session, actor, row.id)
    errors, metrics = score_day_plan(day_files.read_day(session, actor, row.id), plan)
    assert errors == []
    assert metrics["served"] == 8
    # A redelivered task leaves the planned file as it is.
    again = day_files.plan_day_file(session, row.id)
    assert again.plan_ref == done.plan_ref


@pytest.mark.parametrize(
    ("mutate", "code", "field"),
    [
        (lambda d: d["items"][3]["delivery"].pop("windows"), "invalid_day", ("items[3]", "R3", "delivery.windows")),
        (lambda d: d["vehicles"][1].update(capacity_items="ten"), "invalid_day", ("vehicles[1]", "capacity_items")),
        (lambda d: d.pop("vehicles"), "invalid_day", ("vehicles",)),
    ],
)
def test_a_malformed_day_names_the_field_and_keeps_nothing(session, mutate, code, field):
    actor = _actor(session)
    day = tiny_day()
    mutate(day)
    before = (_count(session), session.exec(select(func.count()).select_from(AuditLog)).one())
    with pytest.raises(InvalidInput) as refused:
        day_files.submit_day_file(session, actor=actor, filename="bad.json", content=_bytes(day), time_limit_s=1)
    assert refused.value.code == code
    assert all(part in refused.value.context["field"] for part in field)
    assert (_count(session), session.exec(select(func.count()).select_from(AuditLog)).one()) == before
    assert pending(session) == []


@pytest.mark.parametrize(
    ("content", "limit", "code"),
    [(b"{not json", 1, "invalid_day_file"), (b"[1, 2]", 1, "invalid_day_file"),
     (b"\xff\xfe", 1, "invalid_day_file"), (None, 0.1, "invalid_time_limit"), (None, 3600, "invalid_time_limit")],
)
def test_broken_files_and_limits_are_refused(session, content, limit, code):
    actor = _actor(session)
    with pytest.raises(InvalidInput) as refused:
        day_files.submit_day_file(session, actor=actor, filename="x.json",
                                  content=content if content is not None else _bytes(tiny_day()), time_limit_s=limit)
    assert refused.value.code == code
    assert _count(session) == 0


def test_files_are_seen_within_the_uploaders_post_office(session):
    w = _world(session, postmen=1)
    mine = _actor(session, post_office_id=w["office"].id)
    colleague = _actor(session, name="disp2", post_office_id=w["office"].id)
    stranger = _actor(session, name="other")
    admin = _actor(session, role=Role.ADMIN, name="root")
    row = day_files.submit_day_file(session, actor=mine, filename="t", content=_bytes(tiny_day()), time_limit_s=1)
    assert [r.id for r in day_files.list_day_files(session, colleague)] == [row.id]
    assert [r.id for r in day_files.list_day_files(session, admin)] == [row.id]
    assert day_files.list_day_files(session, stranger) == []
    with pytest.raises(NotFound):
        day_files.get_day_file(session, stranger, row.id)


def test_files_whose_message_was_lost_are_queued_again(session):
    actor = _actor(session)
    row = day_files.submit_day_file(session, actor=actor, filename="t", content=_bytes(tiny_day()), time_limit_s=1)
    session.commit()  # the first message is sent (to the tests' in-memory broker) and forgotten
    assert day_files.requeue_stale(session) == 0  # too young to be stale
    row.created_at -= timedelta(minutes=5)
    session.add(row)
    session.flush()
    assert day_files.requeue_stale(session) == 1
    assert [j.kwargs for j in pending(session)] == [{"day_file_id": row.id}]


def test_a_planned_day_exports_in_the_open_format_and_scores(session):
    """The day read back by the format's parser, the saved plan accepted by its scoring rule."""
    w = _world(session)
    _item(session, w, 1, LegKind.HOME_PICKUP, window=(9, 11))
    _item(session, w, 2, LegKind.COUNTER_TO_AGENCY)
    _item(session, w, 3, LegKind.AGENCY_TO_COUNTER)
    _item(session, w, 4, LegKind.HOME_DELIVERY)
    _item(session, w, 5, LegKind.HOME_DELIVERY, window=(14, 16))
    with pytest.raises(NotFound):
        export_planned_day(session, post_office_id=w["office"].id, day=DAY)
    plan_post_office_day(session, post_office_id=w["office"].id, day=DAY, time_limit_s=2)
    routes = session.exec(select(Route)).all()
    assert all(r.departs_at and r.returns_at and r.break_starts_at for r in routes)

    out = export_planned_day(session, post_office_id=w["office"].id, day=DAY)
    day_to_problem(json.loads(json.dumps(out["day"])))
    errors, metrics = score_day_plan(out["day"], out["plan"])
    assert errors == []
    assert metrics["served"] == metrics["items"] == 5
    assert out["plan"]["unserved"] == []
