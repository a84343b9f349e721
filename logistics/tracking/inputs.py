"""What a phone sends for one scan, and what the server answers for it (plain data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from logistics.models.enums import FailureAction, FailureReason, ItemStatus, Role, ScanCode, ScanOutcome


class Actor(Protocol):
    """Who scans: a ``User``, or the lean grant a phone's token gives (``accounts.tokens.Grant``)."""

    @property
    def id(self) -> int | None: ...
    @property
    def role(self) -> Role: ...
    @property
    def post_office_id(self) -> int | None: ...
    @property
    def counter_id(self) -> int | None: ...

# Reject codes that depend on the event alone (or on data that does not change with
# the order of events): final. ``transition_not_allowed`` is different: it is decided
# by the event's place among the item's events in device-time order, and a late
# event can make it fit (see ``fold``).
TRANSITION_NOT_ALLOWED = "transition_not_allowed"


@dataclass(frozen=True)
class ProofInput:
    """Proof offered with a delivery: what the item's procedure requires is checked."""

    id_last4: str | None = None  # read from the recipient's ID; compared, never stored
    signature_ref: str | None = None  # from POST /proofs
    photo_ref: str | None = None
    otp_code: str | None = None  # the code the recipient received by SMS


@dataclass(frozen=True)
class ScanInput:
    client_event_id: uuid.UUID
    s10: str
    code: ScanCode
    device_time: datetime  # timezone-aware
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    failure_reason: FailureReason | None = None
    failure_action: FailureAction | None = None
    retry_on: date | None = None
    handover_id: int | None = None
    proof: ProofInput = field(default_factory=ProofInput)


@dataclass(frozen=True)
class ScanResult:
    """The answer for one event.

    ``outcome`` is ``applied`` (on the item's status path), ``history`` (on the path
    but arrived after a later event: recorded without moving the state back) or
    ``rejected`` (``reject_code`` says why). A duplicate (same client id seen before)
    gives the event's recorded outcome with ``duplicate=True``.
    """

    client_event_id: uuid.UUID
    outcome: ScanOutcome
    duplicate: bool = False
    reject_code: str | None = None
    status_after: ItemStatus | None = None  # the item's status right after this event
    item_status: ItemStatus | None = None  # the item's status after the whole batch
    flags: tuple[str, ...] = ()
    scan_event_id: int | None = None
