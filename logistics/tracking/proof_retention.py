"""How long proof-of-delivery photos and signatures are kept, and their removal.

Two jobs, run by beat (``logistics.system_tasks``), both through the file-store
interface (``logistics.filestore``) so that they work on a directory and on S3:

- **orphans**: an upload no scan of an item's history ever cited (the phone uploaded
  it, then the delivery failed, was refused, or was never sent) has its bytes deleted
  once it is ``orphan_age_days`` old; so have stray files the store holds without any
  record (an upload whose request was rolled back after the bytes were written);
- **retention**: a photo or signature that proved a delivery is kept
  ``retention_days`` after its item is done (delivered, handed over, returned,
  cancelled); then the bytes go and the record stays (what was proved, when, by whom),
  marked ``file_deleted_at``.

Each run handles at most ``batch`` files per job and is audited (ids and counts). A file
that the store fails to delete is left for the next run. Idempotent: a deleted file is
never selected again, and deleting a file already gone is not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from logistics import audit
from logistics.config import get_settings
from logistics.filestore import FileStore, get_file_store
from logistics.models import Item, ProofFile, ProofKind, ScanEvent
from logistics.models.types import utcnow
from logistics.tracking.fold import ON_PATH
from logistics.tracking.inputs import TRANSITION_NOT_ALLOWED
from logistics.tracking.states import TERMINAL

log = logging.getLogger(__name__)

ORPHAN, RETENTION = "orphan", "retention"


@dataclass(frozen=True)
class ProofRetention:
    """Defaults [guess]; each may be set as ``PROOF_<NAME>`` (``logistics.config``)."""

    # A phone offline for a day or two still sends the delivery that cites its upload.
    orphan_age_days: int = 7
    # Complaints about a delivery come within months; the record of the proof stays.
    retention_days: int = 180
    batch: int = 500

    @classmethod
    def from_settings(cls, settings: Any | None = None) -> ProofRetention:
        overrides = (settings or get_settings()).overrides("proof_")
        return replace(cls(), **{f.name: overrides[f.name] for f in fields(cls) if f.name in overrides})


def _citing_events(session: Session, refs: Sequence[str]) -> list[tuple[int | None, str | None, str | None]]:
    """(item id, signature ref, photo ref) of the scans in items' histories citing ``refs``."""
    if not refs:
        return []
    signature = ScanEvent.proof["signature_ref"].as_string()
    photo = ScanEvent.proof["photo_ref"].as_string()
    return list(session.exec(
        select(ScanEvent.item_id, signature, photo).where(
            or_(signature.in_(refs), photo.in_(refs)),
            or_(ScanEvent.outcome.in_(ON_PATH), ScanEvent.reject_code == TRANSITION_NOT_ALLOWED),
        )
    ).all())


def _pages(session: Session, size: int, *conditions: Any) -> Iterator[Sequence[ProofFile]]:
    """The files still in the store matching ``conditions``, ``size`` at a time, by id."""
    last_id = 0
    while True:
        page = session.exec(
            select(ProofFile).where(ProofFile.file_deleted_at.is_(None), ProofFile.id > last_id, *conditions)
            .order_by(ProofFile.id).limit(size)
        ).all()
        if not page:
            return
        yield page
        last_id = page[-1].id
        if len(page) < size:
            return


def _remove(session: Session, files: Sequence[ProofFile], *, reason: str, store: FileStore, now: datetime) -> list[int]:
    removed = []
    for file in files:
        try:
            store.delete(file.ref)
        except Exception:  # the store is down or refuses: try again on the next run
            log.warning("proof file %s could not be deleted from the store", file.id, exc_info=True)
            continue
        file.file_deleted_at = now
        file.file_deleted_reason = reason
        session.add(file)
        removed.append(file.id)
    if removed:
        audit.record(session, actor_user_id=None, action="tracking.proof_files_deleted", entity="proof_file",
                     entity_id=removed[0], reason=reason, count=len(removed), ids=removed)
    session.flush()
    return removed


def delete_orphans(session: Session, *, store: FileStore | None = None, now: datetime | None = None,
                   policy: ProofRetention | None = None) -> list[int]:
    """Delete uploads older than the orphan age that no scan of an item's history cites;
    returns their ids."""
    now = now or utcnow()
    policy = policy or ProofRetention.from_settings()
    store = store or get_file_store()
    removed: list[int] = []
    for candidates in _pages(session, policy.batch, ProofFile.used_at.is_(None),
                             ProofFile.created_at < now - timedelta(days=policy.orphan_age_days)):
        # Belt and braces (and files uploaded before ``used_at`` was kept): a cited file stays.
        cited = {ref for _, *refs in _citing_events(session, [f.ref for f in candidates]) for ref in refs if ref}
        for file in candidates:
            if file.ref in cited:
                file.used_at = file.created_at
                session.add(file)
        orphans = [f for f in candidates if f.ref not in cited]
        removed += _remove(session, orphans, reason=ORPHAN, store=store, now=now)
    return removed


def delete_stray_files(session: Session, *, store: FileStore | None = None, now: datetime | None = None,
                       policy: ProofRetention | None = None) -> list[str]:
    """Delete the store's proof files older than the orphan age that no record names;
    returns their references."""
    now = now or utcnow()
    policy = policy or ProofRetention.from_settings()
    store = store or get_file_store()
    before = now - timedelta(days=policy.orphan_age_days)
    removed: list[str] = []
    for kind in ProofKind:
        refs = list(store.refs_before(kind.value, before))
        for start in range(0, len(refs), policy.batch):
            page = refs[start:start + policy.batch]
            known = set(session.exec(select(ProofFile.ref).where(ProofFile.ref.in_(page))).all())
            for ref in page:
                if ref in known:
                    continue
                try:
                    store.delete(ref)
                except Exception:
                    log.warning("stray proof file could not be deleted from the store", exc_info=True)
                    continue
                removed.append(ref)
    if removed:
        audit.record(session, actor_user_id=None, action="tracking.stray_files_deleted", entity="file_store",
                     entity_id="proofs", count=len(removed))
    return removed


def expire_proofs(session: Session, *, store: FileStore | None = None, now: datetime | None = None,
                  policy: ProofRetention | None = None) -> list[int]:
    """Delete the bytes of proofs whose items were done more than the retention period
    ago; the records stay. Returns the ids of the files whose bytes went."""
    now = now or utcnow()
    policy = policy or ProofRetention.from_settings()
    store = store or get_file_store()
    cutoff = now - timedelta(days=policy.retention_days)
    removed: list[int] = []
    for candidates in _pages(session, policy.batch, ProofFile.used_at.is_not(None), ProofFile.used_at < cutoff):
        removed += _expire_page(session, candidates, cutoff=cutoff, store=store, now=now)
    return removed


def _expire_page(session: Session, candidates: Sequence[ProofFile], *, cutoff: datetime, store: FileStore,
                 now: datetime) -> list[int]:
    citing = _citing_events(session, [f.ref for f in candidates])
    items_of: dict[str, set[int]] = {}
    for item_id, *refs in citing:
        for ref in refs:
            if ref and item_id is not None:
                items_of.setdefault(ref, set()).add(item_id)
    item_ids = sorted({i for ids in items_of.values() for i in ids})
    done = set(session.exec(
        select(Item.id).where(Item.id.in_(item_ids), Item.status.in_(TERMINAL), Item.status_at < cutoff)
    ).all()) if item_ids else set()
    # Every item the file proved must be done long enough (one signature may serve a stop's items).
    due = [f for f in candidates if items_of.get(f.ref) and items_of[f.ref] <= done]
    return _remove(session, due, reason=RETENTION, store=store, now=now)
