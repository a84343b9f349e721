"""Reliability: 10,000 events from 50 phones, duplicated, out of order, partly invalid,
in batches some of which are sent twice, give exactly the device-time result."""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from logistics import events as domain_events
from logistics.accounts import users
from logistics.models import Item, Postman, Route, ScanEvent
from logistics.models.enums import FailureAction, FailureReason, ItemStatus, Role, RouteStatus, ScanCode, ScanOutcome
from logistics.tracking.inputs import ScanInput
from logistics.tracking.scans import ingest_scans
from logistics.tracking.states import RULES
from tests.logistics.tracking.scan_world import DAY, NOW, T0, add_delivery_items, build_scan_world, scan

C = ScanCode
PHONES = 50
DUPLICATE_SHARE, OUT_OF_ORDER_SHARE, INVALID_SHARE = 0.20, 0.30, 0.05

# Per item, the valid stories a day can tell (each scan a step); the last one ends
# with a scan the machine refuses (delivered twice), which must be kept as rejected.
STORIES = [
    [C.OUT_FOR_DELIVERY, C.DELIVERED],
    [C.OUT_OF_POST_OFFICE, C.OUT_FOR_DELIVERY, C.DELIVERED],
    [C.OUT_FOR_DELIVERY, C.DELIVERY_FAILED, C.OUT_FOR_DELIVERY, C.DELIVERED],
    [C.OUT_FOR_DELIVERY, C.DELIVERY_FAILED, C.INTO_POST_OFFICE, C.HELD_AT_POST_OFFICE],
    [C.OUT_FOR_DELIVERY, C.DELIVERED, C.DELIVERED],
]
INVALID = ["unknown_item", "timestamp_in_future", "coordinates_outside_vietnam", "not_assigned"]


@dataclass
class Sent:
    event: ScanInput
    item_id: int | None
    expected_reject: str | None  # for the invalid ones


def _event(item, code, at):
    extra = {}
    if code is C.DELIVERY_FAILED:
        extra = {"failure_reason": FailureReason.NOT_HOME, "failure_action": FailureAction.RETRY_NEXT_DAY}
    at_home = item if code in (C.DELIVERED, C.DELIVERY_FAILED) else None
    return scan(item, code, at, at_home=at_home, **extra)


def _build(session, rng: random.Random, size: int):
    sw = build_scan_world(session, n_items=0, proof_signature=False)
    office = sw.world.a.post_office
    unique_per_phone = round(size / PHONES * (1 - DUPLICATE_SHARE))
    invalid_per_phone = round(size / PHONES * INVALID_SHARE)
    phones = []
    for p in range(PHONES):
        user = users.create_user(session, username=f"phone{p}", full_name=f"Bưu tá {p}", role=Role.POSTMAN,
                                 secret="1234", post_office_id=office.id)
        postman = Postman(user_id=user.id, post_office_id=office.id)
        session.add(postman)
        session.flush()
        route = Route(day=DAY, post_office_id=office.id, postman_id=postman.id, status=RouteStatus.PLANNED)
        session.add(route)
        session.flush()
        sent: list[Sent] = []
        shortest = min(map(len, STORIES))  # enough items for the events wanted; the spare ones stay unscanned
        for item in add_delivery_items(session, sw, route, (unique_per_phone - invalid_per_phone) // shortest + 1):
            start = T0 + timedelta(seconds=rng.randrange(0, 6 * 3600))
            for step, code in enumerate(rng.choice(STORIES)):
                at = start + timedelta(seconds=600 * step + rng.randrange(0, 500))
                sent.append(Sent(_event(item, code, at), item.id, None))
        phones.append((user, route, sent[: unique_per_phone - invalid_per_phone]))
    # The invalid events, spread over the phones.
    for p, (user, route, sent) in enumerate(phones):
        neighbour_items = [s for s in phones[(p + 1) % PHONES][2] if s.item_id is not None]
        valid = list(sent)
        for k in range(invalid_per_phone):
            kind = INVALID[k % len(INVALID)]
            base = rng.choice(valid).event
            at = base.device_time
            if kind == "unknown_item":
                ev = scan(f"ZZ{rng.randrange(10**8):08d}0VN", C.OUT_FOR_DELIVERY, at)
            elif kind == "timestamp_in_future":
                ev = scan(base.s10, C.OUT_FOR_DELIVERY, NOW + timedelta(hours=3))
            elif kind == "coordinates_outside_vietnam":
                ev = scan(base.s10, C.OUT_FOR_DELIVERY, at, lat=35.68, lon=139.69)
            else:
                ev = scan(rng.choice(neighbour_items).event.s10, C.OUT_FOR_DELIVERY, at)
            sent.append(Sent(ev, None, kind))
    return sw, phones


def _batches(rng: random.Random, sent: list[Sent], size: int) -> list[list[Sent]]:
    """One phone's uploads: device order with 30% of events displaced, cut in batches,
    some batches sent twice and single events repeated, up to ``size`` events sent."""
    events = sorted(sent, key=lambda s: s.event.device_time)
    moved = rng.sample(range(len(events)), round(len(events) * OUT_OF_ORDER_SHARE))
    displaced = [events[i] for i in moved]
    events = [e for i, e in enumerate(events) if i not in set(moved)]
    for e in displaced:
        events.insert(rng.randrange(len(events) + 1), e)
    batches, i = [], 0
    while i < len(events):
        n = rng.randrange(15, 45)
        batches.append(events[i: i + n])
        i += n
    total = len(events)
    while total < size:
        if rng.random() < 0.3:  # the whole batch again (the answer was lost)
            again = list(rng.choice(batches))
            again = again[: size - total]
        else:  # a few single events again, inside a later upload
            again = rng.sample(events, min(rng.randrange(1, 6), size - total))
        batches.insert(rng.randrange(len(batches) + 1), again)
        total += len(again)
    return batches


def _reference(valid: list[ScanInput]) -> tuple[ItemStatus, set[uuid.UUID]]:
    status, path = ItemStatus.ACCEPTED, set()
    for ev in sorted(valid, key=lambda e: (e.device_time, e.client_event_id)):
        rule = RULES[ev.code]
        if status in rule.allowed_from:
            status = rule.status_after
            path.add(ev.client_event_id)
    return status, path


@pytest.mark.slow
def test_ten_thousand_events_give_the_device_time_result(session, engine, monkeypatch):
    """Every event is accounted for once, and each item ends as its valid events folded in device-time order."""
    # Full size on PostgreSQL (~35 s of ingestion); 2,000 on SQLite keeps the suite short.
    size = 10_000 if engine.dialect.name == "postgresql" else 2_000
    published = []
    monkeypatch.setattr(domain_events, "_handlers", {domain_events.ItemStatusChanged: [lambda s, e: published.append(e)]})
    monkeypatch.setattr(domain_events, "_loaded", True)
    rng = random.Random(20261120)
    sw, phones = _build(session, rng, size)
    uploads = [(user, batch) for user, _route, sent in phones for batch in _batches(rng, sent, size // PHONES)]
    rng.shuffle(uploads)  # phones sync whenever they find signal
    assert sum(len(b) for _, b in uploads) == size

    started = time.perf_counter()
    answered: dict[uuid.UUID, list] = defaultdict(list)
    for user, batch in uploads:
        results = ingest_scans(session, actor=user, device_id=f"dev-{user.id}", events=[s.event for s in batch], now=NOW)
        assert [r.client_event_id for r in results] == [s.event.client_event_id for s in batch]
        for r in results:
            answered[r.client_event_id].append(r)
    elapsed = time.perf_counter() - started
    print(f"\n{engine.dialect.name}: {size} events in {elapsed:.1f} s ({size / elapsed:.0f} events/s)")

    sent = {s.event.client_event_id: s for _, _, ss in phones for s in ss}
    rows = {r.client_event_id: r for r in session.exec(select(ScanEvent)).all()}
    assert set(rows) == set(sent) and len(rows) == round(size * (1 - DUPLICATE_SHARE))
    for cid, answers in answered.items():  # first answer fresh, every later one a duplicate
        assert [a.duplicate for a in answers] == [False] + [True] * (len(answers) - 1)
    for cid, s in sent.items():
        if s.expected_reject:
            assert (rows[cid].outcome, rows[cid].reject_code) == (ScanOutcome.REJECTED, s.expected_reject), (rows[cid].device_time, rows[cid].s10, s.event)
    by_item: dict[int, list[ScanInput]] = defaultdict(list)
    for s in sent.values():
        if s.expected_reject is None:
            by_item[s.item_id].append(s.event)
    last_published = {e.item_id: e.status for e in published}
    items = {i.id: i for i in session.exec(select(Item).where(Item.id.in_(list(by_item)))).all()}
    for item_id, valid in by_item.items():
        status, path = _reference(valid)
        assert items[item_id].status == status
        on_path = {e.client_event_id for e in valid if rows[e.client_event_id].outcome in (ScanOutcome.APPLIED, ScanOutcome.HISTORY)}
        assert on_path == path
        for e in valid:
            if e.client_event_id not in path:
                assert rows[e.client_event_id].reject_code == "transition_not_allowed"
        if status != ItemStatus.ACCEPTED:
            assert last_published[item_id] == status.value
