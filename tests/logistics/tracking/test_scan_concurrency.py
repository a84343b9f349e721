"""The same batch sent twice at once (a phone retrying a slow request) is applied once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from logistics import events as domain_events
from logistics.db import make_engine
from logistics.models import ScanEvent, User
from logistics.models.enums import ItemStatus, ScanCode, ScanOutcome
from logistics.tracking.scans import ingest_scans
from tests.logistics.tracking.scan_world import NOW, T0, build_scan_world, scan


@pytest.fixture
def race_engine(fresh_database_url, monkeypatch):
    """An engine on a fresh PostgreSQL database (SQLite serialises writers: no race to
    see), with the domain events' handlers left out."""
    if fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    monkeypatch.setattr(domain_events, "_handlers", {})
    monkeypatch.setattr(domain_events, "_loaded", True)
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()


def _run_at_once(target, *calls: tuple) -> None:  # noqa: ANN001
    threads = [threading.Thread(target=target, args=args) for args in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_concurrent_copies_of_a_batch_apply_once(race_engine):
    """Two transactions ingesting the same batch: one applies it, the other answers duplicates."""
    with Session(race_engine, expire_on_commit=False) as session:
        sw = build_scan_world(session, n_items=20, proof_signature=False)
        session.commit()
        user_id, item_ids = sw.postman_user.id, [i.id for i in sw.items]
        batch = [scan(item, ScanCode.OUT_FOR_DELIVERY, T0 + timedelta(seconds=k)) for k, item in enumerate(sw.items)]
    answers: list[list] = []
    barrier = threading.Barrier(2)

    def upload() -> None:
        with Session(race_engine, expire_on_commit=False) as s:
            actor = s.get(User, user_id)
            barrier.wait()
            answers.append(ingest_scans(s, actor=actor, device_id="phone", events=batch, now=NOW))
            s.commit()

    _run_at_once(upload, (), ())
    assert len(answers) == 2
    assert sorted(all(r.duplicate for r in a) for a in answers) == [False, True]
    assert all(r.outcome == ScanOutcome.APPLIED for a in answers for r in a)
    with Session(race_engine) as s:
        assert s.exec(select(func.count()).select_from(ScanEvent)).one() == len(batch)
        from logistics.models import Item

        assert {s.get(Item, i).status for i in item_ids} == {ItemStatus.OUT_FOR_DELIVERY}


def test_a_copy_refused_by_the_database_falls_back_event_by_event(race_engine):
    """Unknown items lock nothing: two copies of a batch race to the bulk insert, the
    second is refused by the unique event id and answers every event as a duplicate."""
    with Session(race_engine, expire_on_commit=False) as session:
        sw = build_scan_world(session, n_items=1, proof_signature=False)
        session.commit()
        user_id = sw.postman_user.id
    batch = [scan(f"EB{90_000_000 + k:08d}5VN", ScanCode.OUT_FOR_DELIVERY, T0 + timedelta(seconds=k)) for k in range(20)]
    answers: list[list] = []
    first_inserted, release = threading.Event(), threading.Event()

    def upload(wait_for_other: bool) -> None:
        with Session(race_engine, expire_on_commit=False) as s:
            actor = s.get(User, user_id)
            if wait_for_other:
                first_inserted.wait(30)
            answer = ingest_scans(s, actor=actor, device_id="phone", events=batch, now=NOW)
            if not wait_for_other:
                first_inserted.set()
                release.wait(2)  # the other copy reaches its insert and waits on our rows
            s.commit()
            answers.append(answer)

    _run_at_once(upload, (False,), (True,))
    release.set()
    assert len(answers) == 2
    first, second = answers
    assert all(r.reject_code == "unknown_item" and not r.duplicate for r in first)
    assert all(r.reject_code == "unknown_item" and r.duplicate for r in second)
    with Session(race_engine) as s:
        assert s.exec(select(func.count()).select_from(ScanEvent)).one() == len(batch)


def test_a_single_scan_refused_by_the_database_fails_whole(race_engine):
    """A one-event batch runs without a savepoint: the same event id sent at once for two
    items (a broken phone) applies once; the copy the database refuses raises, and its
    item is left as it was (the request fails whole and the phone resends)."""
    from sqlalchemy.exc import IntegrityError

    from logistics.models import Item

    with Session(race_engine, expire_on_commit=False) as session:
        sw = build_scan_world(session, n_items=2, proof_signature=False)
        session.commit()
        user_id, item_ids = sw.postman_user.id, [i.id for i in sw.items]
        first = scan(sw.items[0], ScanCode.OUT_FOR_DELIVERY, T0)
        copy = scan(sw.items[1], ScanCode.OUT_FOR_DELIVERY, T0, client_event_id=first.client_event_id)
    outcomes: dict[bool, object] = {}  # by wait_for_other
    first_inserted, release = threading.Event(), threading.Event()

    def upload(event, wait_for_other: bool) -> None:  # noqa: ANN001
        with Session(race_engine, expire_on_commit=False) as s:
            actor = s.get(User, user_id)
            if wait_for_other:
                first_inserted.wait(30)
            try:
                answer = ingest_scans(s, actor=actor, device_id="phone", events=[event], now=NOW)
            except IntegrityError as refused:
                s.rollback()
                outcomes[wait_for_other] = refused
                return
            if not wait_for_other:
                first_inserted.set()
                release.wait(2)  # the other copy reaches its insert and waits on our row
            s.commit()
            outcomes[wait_for_other] = answer

    _run_at_once(upload, (first, False), (copy, True))
    release.set()
    assert outcomes[False][0].outcome == ScanOutcome.APPLIED and isinstance(outcomes[True], IntegrityError)
    with Session(race_engine) as s:
        assert s.exec(select(func.count()).select_from(ScanEvent)).one() == 1
        assert [s.get(Item, i).status for i in item_ids] == [ItemStatus.OUT_FOR_DELIVERY, ItemStatus.ACCEPTED]
