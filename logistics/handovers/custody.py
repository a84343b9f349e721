"""What a confirmed handover does to its items: the tracking domain's scans.

Each line the receiver took becomes one scan made by the record's postman, citing the
record (``handover_id``): ``handed_over`` when the place receives (the item then belongs
to the agency or counter), ``collected_from_agency`` or ``collected_from_counter`` when
the postman takes a result or a dossier from it. The scans go through ``tracking.scans.ingest_scans`` like any phone's,
so they are applied once, folded in order and announced (SMS) as usual; a scan the
state machine refuses makes the whole confirmation fail, and nothing changes.

A dossier the counter accepted (``accepted_at_counter``) and the postman collects on
a ``from_counter`` record gets ``collected_from_counter``: it stays ACCEPTED and the
postman becomes its holder, in the item's history like any other scan.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from logistics.exceptions import Conflict
from logistics.handovers.places import SCAN_FOR_KIND
from logistics.models import Handover, Item, Postman, User
from logistics.models.enums import ScanOutcome
from logistics.tracking import scans as tracking_scans
from logistics.tracking.inputs import ScanInput

# A fixed namespace: the scan of (record, item) always has the same client id, so a
# retried confirmation can never scan an item twice.
_NAMESPACE = uuid.UUID("6b1f3f9e-8d0a-4f7e-9a53-2f1c0d7c6a11")
_TICK = timedelta(milliseconds=1)


class CustodyScanRejected(Conflict):
    code = "custody_scan_rejected"


def client_event_id(handover: Handover, item: Item) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{handover.code}:{item.id}")


def _after_known_scans(item: Item, at: datetime) -> datetime:
    """The handover's scan time for ``item``: ``at``, or just after the item's newest scan.

    Tracking folds scans in device-time order; a phone clock running ahead, or an earlier
    record confirmed within the same instant, must not put the hand-over before a scan
    that physically came first.
    """
    if item.last_scan_at is not None and item.last_scan_at >= at:
        return item.last_scan_at + _TICK
    return at


def apply(session: Session, *, handover: Handover, items: Sequence[Item], at: datetime) -> int:
    """Record the custody change of ``items`` (the taken lines) at ``at``; the number of scans applied."""
    if not items:
        return 0
    postman = session.get(Postman, handover.postman_id)
    postman_user = session.get(User, postman.user_id)
    code = SCAN_FOR_KIND[handover.kind]
    events = [ScanInput(client_event_id=client_event_id(handover, item), s10=item.s10, code=code,
                        device_time=_after_known_scans(item, at), handover_id=handover.id) for item in items]
    # In a savepoint: refused scans are recorded by tracking, and must vanish with the refusal.
    with session.begin_nested():
        results = tracking_scans.ingest_scans(session, actor=postman_user, device_id=f"handover:{handover.code}"[:64],
                                              events=events, now=at)
        refused = sorted({(e.s10, r.reject_code or "") for e, r in zip(events, results, strict=True)
                          if r.outcome is ScanOutcome.REJECTED})
        if refused:
            codes = ", ".join(f"{s10}: {reason}" for s10, reason in refused)
            raise CustodyScanRejected(f"The tracking scans of this handover were refused ({codes}).", items=codes)
    return len(events)
