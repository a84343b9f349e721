"""Everything a batch of scans needs from the database, read in a few queries.

One query per kind of row for the whole batch (items, routes, hand-overs, proof files,
procedures, recipients) rather than per event: a batch of 500 costs the same handful
of round trips as a batch of one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from logistics.models import (
    Dossier,
    Handover,
    Item,
    Person,
    Postman,
    Procedure,
    ProofFile,
    Route,
    RouteStop,
    RouteStopItem,
    ScanEvent,
)
from logistics.models.enums import Role, ScanCode
from logistics.once import built_once
from logistics.tracking import proofs
from logistics.tracking.inputs import Actor, ScanInput


def one_of(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``, as a plain equality for one value: a one-event request (the
    common case) then skips the re-rendering of an expanding IN on every execution. On
    PostgreSQL a list is one array parameter (``= ANY(...)``): an IN of 100 parameters
    is a new, long query string that psycopg parses again on every batch."""
    if len(values) == 1:
        return column == values[0]
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("one_of", list(values), type_=ARRAY(column.type), unique=True))
    return column.in_(values)


@dataclass
class BatchContext:
    actor: Actor
    items: dict[str, Item]  # S10 as scanned -> the newest item with that identifier
    route_stops: dict[int, list[tuple[date, int]]] = field(default_factory=dict)  # item id -> (day, stop id)
    handovers: dict[int, Handover] = field(default_factory=dict)
    files: dict[str, ProofFile] = field(default_factory=dict)
    procedures: dict[int, Procedure | None] = field(default_factory=dict)  # item id -> procedure
    recipients: dict[int, Person | None] = field(default_factory=dict)  # item id -> person
    _postman_id: int | None | bool = False  # False: not looked up yet

    def postman_id(self, session: Session) -> int | None:
        """The actor's postman id (None if he is not a postman), looked up once."""
        if self._postman_id is False:
            self._postman_id = session.exec(select(Postman.id).where(Postman.user_id == self.actor.id)).first()
        return self._postman_id


def among(dialect: str, column: Any, name: str) -> Any:
    """``column`` among the values of parameter ``name``: one array parameter on
    PostgreSQL, an expanding IN elsewhere; for ``dialect`` "one", a plain equality to
    a single value (an array parameter costs psycopg ~25 us more to send, 2026-11)."""
    if dialect == "one":
        return column == sa.bindparam(name)
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


def among_key(session: Session, *lists: Collection[Any]) -> str:
    """The ``dialect`` of :func:`among` for parameters of these ``lists``: "one" when
    each holds a single value (a one-event request; pass each list's value), else the
    session's dialect (pass the lists)."""
    return "one" if all(len(values) == 1 for values in lists) else _dialect(session)


def among_value(key: str, values: Collection[Any]) -> Any:
    """What to pass for an :func:`among` parameter of ``values`` under ``key`` (from
    :func:`among_key`): the single value itself for "one", else the list."""
    return next(iter(values)) if key == "one" else list(values)


def _for(session: Session, values: Collection[Any]) -> tuple[SimpleNamespace, Any]:
    """The statements for a list of ``values`` and the parameter to give them."""
    key = among_key(session, values)
    return _statements(key), among_value(key, values)


@built_once
def _statements(dialect: str) -> SimpleNamespace:
    """The statements every batch runs, built once per dialect (and once for one value,
    ``among``): building a select costs about as much CPU as running it (cProfile,
    one-event requests, 2026-11)."""
    return SimpleNamespace(
        lock_items=select(Item).where(among(dialect, Item.s10, "s10s")).order_by(Item.id).with_for_update(),
        existing_ids=sa.select(ScanEvent.__table__.c.id).where(among(dialect, ScanEvent.__table__.c.client_event_id, "ids")),
        events_by_id=select(ScanEvent).where(among(dialect, ScanEvent.id, "ids")),
        route_stops=(
            select(RouteStopItem.item_id, Route.day, RouteStop.id, Postman.id)
            .join(RouteStop, RouteStop.id == RouteStopItem.stop_id)
            .join(Route, Route.id == RouteStop.route_id)
            .join(Postman, Postman.id == Route.postman_id)
            .where(Postman.user_id == sa.bindparam("user_id"), among(dialect, RouteStopItem.item_id, "item_ids"))
        ),
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def lock_items(session: Session, s10s: Collection[str]) -> dict[str, Item]:
    """The items scanned, locked for the transaction (PostgreSQL; SQLite serialises
    writers anyway), in id order so that two batches never deadlock on each other.

    An identifier may be reused after 24 months: a scan means the newest item."""
    if not s10s:
        return {}
    statements, wanted = _for(session, sorted(set(s10s)))
    rows = session.exec(statements.lock_items, params={"s10s": wanted}).all()
    newest: dict[str, Item] = {}
    for item in rows:
        if item.s10 not in newest or item.created_at >= newest[item.s10].created_at:
            newest[item.s10] = item
    return newest


def existing_events(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ScanEvent]:
    """The recorded events among client ids ``ids``. Looked for by a Core query first:
    there usually are none, and an ORM query costs twice as much even when it finds
    nothing (2026-11); the ones found are then loaded as entities (a re-fold in this
    batch may change them, and their answer with them)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    statements, ids = _for(session, wanted)
    found = session.connection().execute(statements.existing_ids, {"ids": ids}).scalars().all()
    if not found:
        return {}
    statements, ids = _for(session, found)
    rows = session.exec(statements.events_by_id, params={"ids": ids}).all()
    return {row.client_event_id: row for row in rows}


def load_context(session: Session, *, actor: Actor, items: dict[str, Item], events: list[ScanInput]) -> BatchContext:
    ctx = BatchContext(actor=actor, items=items)
    item_ids = sorted({items[e.s10].id for e in events if e.s10 in items})
    if actor.role == Role.POSTMAN and item_ids:
        # The actor's postman row and his routes carrying these items, in one query.
        statements, ids = _for(session, item_ids)
        rows = session.connection().execute(  # columns only: Core, without the ORM's cost per execution
            statements.route_stops, {"user_id": actor.id, "item_ids": ids}
        ).all()
        stops: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for item_id, day, stop_id, postman_id in rows:
            stops[item_id].append((day, stop_id))
            ctx._postman_id = postman_id
        ctx.route_stops = dict(stops)
    handover_ids = sorted({e.handover_id for e in events if e.handover_id is not None})
    if handover_ids:
        ctx.handovers = {h.id: h for h in session.exec(select(Handover).where(one_of(session, Handover.id, handover_ids))).all()}
    delivered = sorted({items[e.s10].id for e in events if e.code in proofs.NEEDS_PROOF and e.s10 in items})
    if delivered:
        ctx.files = proofs.load_proof_files(
            session, [r for e in events for r in (e.proof.signature_ref, e.proof.photo_ref) if r]
        )
        rows = session.exec(
            select(Item.id, Item.person_id, Dossier.recipient_id, Dossier.applicant_id, Procedure)
            .join(Dossier, Dossier.id == Item.dossier_id)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(one_of(session, Item.id, delivered))
        ).all()
        person_of = {item_id: person_id or recipient_id or applicant_id for item_id, person_id, recipient_id, applicant_id, _ in rows}
        ctx.procedures = {item_id: procedure for item_id, *_, procedure in rows}
        people = {p.id: p for p in session.exec(select(Person).where(one_of(session, Person.id, sorted(set(person_of.values()))))).all()}
        ctx.recipients = {item_id: people.get(pid) for item_id, pid in person_of.items()}
    return ctx


def stop_for(ctx: BatchContext, item_id: int, on: date, slack_days: int) -> int | None:
    """The stop of the postman's route nearest to day ``on`` that carries the item, if
    that route's day is within ``slack_days``."""
    best: tuple[int, int] | None = None
    for day, stop_id in ctx.route_stops.get(item_id, ()):
        gap = abs((day - on).days)
        if gap <= slack_days and (best is None or gap < best[0]):
            best = (gap, stop_id)
    return best[1] if best else None


# Scans only a postman with the item on his route may make; the others (office and
# counter scans) any staff of the item's post office may make.
ROUTE_BOUND = frozenset({
    ScanCode.PICKED_UP_AT_HOME, ScanCode.COLLECTED_FROM_AGENCY, ScanCode.COLLECTED_FROM_COUNTER, ScanCode.OUT_FOR_DELIVERY,
    ScanCode.HANDED_OVER, ScanCode.DELIVERY_FAILED, ScanCode.DELIVERED, ScanCode.RETURNED_TO_AGENCY,
})
