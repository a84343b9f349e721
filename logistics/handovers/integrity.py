"""The record's fingerprint and its public verification.

``record_sha256`` is a SHA-256 over a canonical JSON of the confirmed record (keys
sorted, no spaces, UTF-8, times in UTC to the second, lines sorted by S10): the QR code
on the printed record carries it, and ``verify`` recomputes it from the database, so a
record edited behind the application's back, or a paper whose QR does not match the
stored record, shows as changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlmodel import Session

from logistics.config import get_settings
from logistics.handovers import places
from logistics.models import Dossier, Handover, HandoverLine, Item, Postman, ProofFile
from logistics.models.enums import HandoverKind, HandoverStatus


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).replace(microsecond=0).isoformat() if at is not None else None


def line_rows(session: Session, handover_id: int) -> list[tuple[HandoverLine, Item, Dossier]]:
    """The lines of a record with their items and dossiers, in S10 order."""
    rows = session.execute(
        select(HandoverLine, Item, Dossier)
        .join(Item, Item.id == HandoverLine.item_id)
        .join(Dossier, Dossier.id == Item.dossier_id)
        .where(HandoverLine.handover_id == handover_id)
        .order_by(Item.s10, HandoverLine.id)
    ).all()
    return [(line, item, dossier) for line, item, dossier in rows]


def canonical(session: Session, handover: Handover) -> dict[str, Any]:
    """What the hash covers: every fact of the record, by stable identifiers (S10, dossier
    codes, ids of the parties), so that only a change to the record itself shows."""
    supersedes = session.get(Handover, handover.supersedes_id) if handover.supersedes_id else None
    signature = None
    if handover.signature_ref:
        signature = session.execute(select(ProofFile.sha256).where(ProofFile.ref == handover.signature_ref)).scalar()
    return {
        "v": 1,
        "code": handover.code,
        "kind": handover.kind.value,
        # Ids, not names: an agency renamed in a reform must not turn its old records "changed".
        "agency_id": handover.agency_id,
        "counter_id": handover.counter_id,
        "postman_id": handover.postman_id,
        "opened_at": _iso(handover.opened_at),
        "confirmed_at": _iso(handover.confirmed_at),
        "method": handover.method.value if handover.method else None,
        "confirmed_by_user_id": handover.confirmed_by_user_id,
        "received_by_name": handover.received_by_name,
        "fees": {"expected": handover.fees_expected_vnd, "handed": handover.fees_handed_vnd, "note": handover.fees_note},
        "supersedes": supersedes.code if supersedes else None,
        "signature_sha256": signature,
        "note": handover.note,
        "lines": [
            {
                "s10": item.s10, "dossier": dossier.code, "originals": line.originals, "copies": line.copies,
                "received_originals": line.received_originals, "received_copies": line.received_copies,
                "fee_vnd": line.fee_vnd, "outcome": line.outcome.value, "note": line.note,
            }
            for line, item, dossier in line_rows(session, handover.id)
        ],
    }


def record_hash(session: Session, handover: Handover) -> str:
    data = json.dumps(canonical(session, handover), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def verify_url(handover: Handover) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/verify/handover/{quote(handover.code)}?h={handover.record_sha256 or ''}"


@dataclass(frozen=True)
class Verification:
    """What a stranger may learn from the QR on a paper record: nothing personal."""

    found: bool
    genuine: bool = False
    code: str | None = None
    kind: HandoverKind | None = None
    confirmed_at: datetime | None = None
    place_name: str | None = None
    post_office_name: str | None = None
    item_count: int = 0
    superseded: bool = False
    reason: str | None = None  # not_found, not_confirmed, hash_mismatch, record_changed


def verify(session: Session, *, code: str, given_hash: str | None) -> Verification:
    """Whether the record ``code`` exists, is confirmed, matches ``given_hash`` and is unchanged."""
    handover = session.execute(select(Handover).where(Handover.code == code.strip().upper())).scalars().first()
    if handover is None:
        return Verification(found=False, reason="not_found")
    if handover.status is not HandoverStatus.CONFIRMED or not handover.record_sha256:
        return Verification(found=False, reason="not_confirmed")
    place = places.place_of(session, handover)
    postman = session.get(Postman, handover.postman_id)
    count = session.execute(
        select(func.count()).select_from(HandoverLine).where(HandoverLine.handover_id == handover.id)
    ).scalar_one()
    superseded = session.execute(
        select(Handover.id).where(Handover.supersedes_id == handover.id, Handover.status == HandoverStatus.CONFIRMED)
    ).first() is not None
    reason = None
    if not given_hash or not hmac.compare_digest(given_hash.strip().lower(), handover.record_sha256):
        reason = "hash_mismatch"
    elif not hmac.compare_digest(record_hash(session, handover), handover.record_sha256):
        reason = "record_changed"
    return Verification(
        found=True, genuine=reason is None, code=handover.code, kind=handover.kind, confirmed_at=handover.confirmed_at,
        place_name=place.name, post_office_name=places.post_office_name(session, postman) if postman else None,
        item_count=int(count), superseded=superseded, reason=reason,
    )
