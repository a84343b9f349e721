"""Everything the public tracking page of one link depends on, read in one query.

Building the page (``public_view.tracking_view``) takes more queries and a template,
and most lookups of a link find nothing changed since the last one. :func:`read_page_state`
answers in one query whether the link is valid (unknown or expired: ``NotFound``
with the same codes as ``public_view.load_subject``) and returns a ``fingerprint``:
every stored value the page shows or is computed from — the link, the item's fields,
its post office, the three people it may name, the latest reschedule choice, and the
version of its scan history (how many scans and the newest id: scans are only ever
added). The ETA window, which moves with the route's progress and with the clock, is
computed afresh on every read (``public_view.eta_bounds``, the page's own rule; the
key holds its start and end, the text is formatted only for a page to render).

Two reads with equal ``key`` (the fingerprint, the ETA window and the local day, which
decides the offered slots: ``reschedule.offered_days``) give the same page, whatever
happened in between: a cache keyed by it needs no invalidation, and a scan or a
reschedule shows on the next read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from logistics.exceptions import NotFound
from logistics.models import DeliveryReschedule, Dossier, Item, Person, PostOffice, ScanEvent, TrackingToken
from logistics.models.types import utcnow
from logistics.notify import public_view, service
from logistics.once import built_once
from logistics.tracking import links as tracking_links
from logistics.workdays import LOCAL_TZ


@dataclass(frozen=True)
class PageState:
    row: Any  # the one query's row: the link, the item, its office and people, versions
    fingerprint: tuple[Any, ...]  # hashable: the stored values the page depends on
    eta_bounds: tuple[datetime, datetime] | None  # the ETA window's start and end
    day: date  # the local day: the offered slots are the next working days after it

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal keys, equal pages (for one token and language)."""
        return self.fingerprint, self.eta_bounds, self.day

    @property
    def eta(self) -> public_view.Window | None:
        """The ETA window as the page shows it (its text is only needed to render)."""
        return public_view.window_of(self.eta_bounds) if self.eta_bounds is not None else None


@built_once  # one object for every thread: see logistics.once
def _state_query() -> sa.Select:
    """Plain columns (no ORM entities to build) and scalar subqueries."""
    home, recipient, applicant = aliased(Person), aliased(Person), aliased(Person)
    latest_choice = (
        select(DeliveryReschedule.choice).where(DeliveryReschedule.item_id == Item.id)
        .order_by(DeliveryReschedule.created_at.desc(), DeliveryReschedule.id.desc())  # type: ignore[union-attr]
        .limit(1).scalar_subquery()
    )
    latest_reschedule = select(sa.func.max(DeliveryReschedule.id)).where(DeliveryReschedule.item_id == Item.id)
    scan_count = select(sa.func.count(ScanEvent.id)).where(ScanEvent.item_id == Item.id)
    newest_scan = select(sa.func.max(ScanEvent.id)).where(ScanEvent.item_id == Item.id)
    # Named as the attributes ``tracking_links.expires_at``, ``service.recipient_id`` and
    # ``public_view.eta_for`` read of an item (and its dossier).
    return public_view.subject_joins(
        select(
            TrackingToken.created_at, TrackingToken.expires_at.label("link_expires_at"),
            Item.id, Item.s10, Item.status, Item.status_at, Item.updated_at, Item.leg, Item.origin_kind,
            Item.destination_kind, Item.window_start, Item.window_end, Item.post_office_id, Item.person_id,
            Item.dossier_id,
            PostOffice.name.label("office_name"), PostOffice.address.label("office_address"),
            PostOffice.phone.label("office_phone"),
            Dossier.recipient_id, Dossier.applicant_id,
            home.full_name.label("home_name"), home.phone_e164.label("home_phone"),
            recipient.full_name.label("recipient_name"), recipient.phone_e164.label("recipient_phone"),
            applicant.full_name.label("applicant_name"), applicant.phone_e164.label("applicant_phone"),
            latest_choice.label("choice"), latest_reschedule.scalar_subquery().label("reschedule_version"),
            scan_count.scalar_subquery().label("scan_count"), newest_scan.scalar_subquery().label("scan_version"),
        ),
        home, recipient, applicant,
    )




class _Link:
    """The link's side of a state row, as ``tracking_links.expires_at`` reads a token."""

    __slots__ = ("created_at", "expires_at")

    def __init__(self, created_at: datetime, expires_at: datetime | None) -> None:
        self.created_at, self.expires_at = created_at, expires_at


def read_page_state(session: Session, token: str, *, now: datetime | None = None,
                    connection: Connection | None = None) -> PageState:
    """The state of the page behind ``token``; ``NotFound`` as ``public_view.load_subject``.

    ``connection``: read on it rather than on the session's own (``web.routers.tracking_page``
    reads in autocommit, without beginning the session's transaction)."""
    now = now or utcnow()
    if connection is None:
        # On the session's connection, without the ORM's execution layer (a third of the
        # query's cost here); flushed first, as Session.execute would autoflush.
        session.flush()
        connection = session.connection()
    row = connection.execute(_state_query(), {"token_sha256": tracking_links.hash_token(token)}).first()
    if row is None:
        raise NotFound("This tracking link is not valid; check the link in your SMS.", code="tracking_link_not_found")
    if tracking_links.expires_at(_Link(row.created_at, row.link_expires_at), row) <= now:
        raise NotFound("This tracking link has expired.", code="tracking_link_expired")
    return PageState(row=row, fingerprint=tuple(row),
                     eta_bounds=public_view.eta_bounds(session, row, now, connection=connection),
                     day=now.astimezone(LOCAL_TZ).date())


@dataclass(frozen=True)
class _Person:
    full_name: str
    phone_e164: str


def page_view(session: Session, state: PageState, *, language: str, now: datetime) -> public_view.TrackingView:
    """The page of ``state`` (``public_view.tracking_view``) from the row already read and
    the ETA window computed with it (``now`` the state's): one more query, for the timeline."""
    row = state.row
    person_id = service.recipient_id(row, row)  # the row reads as the item and as its dossier
    people = ((row.person_id, row.home_name, row.home_phone), (row.recipient_id, row.recipient_name, row.recipient_phone),
              (row.applicant_id, row.applicant_name, row.applicant_phone))
    person = next((_Person(name, phone) for pid, name, phone in people if pid is not None and pid == person_id), None)
    office = (public_view.Office(row.office_name, row.office_address, row.office_phone)
              if row.office_name is not None else None)
    subject = public_view.Subject(item=row, office=office, person=person, choice=row.choice)
    return public_view.tracking_view(session, row, language=language, now=now, subject=subject, eta=state.eta)
