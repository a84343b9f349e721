"""Proof files leave the store: orphan uploads after their age, proofs after the
retention period following the item's end; the records stay, the jobs are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from logistics import events as domain_events
from logistics.filestore import LocalFileStore
from logistics.models import AuditLog, ProofFile, ProofKind
from logistics.models.enums import ItemStatus, ScanCode, ScanOutcome
from logistics.models.types import utcnow
from logistics.tracking.inputs import ProofInput
from logistics.tracking.proof_retention import ProofRetention, delete_orphans, expire_proofs
from logistics.tracking.proof_uploads import store_proof
from logistics.tracking.scans import ingest_scans
from tests.logistics.tracking.scan_world import NOW, T0, build_scan_world, scan

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
POLICY = ProofRetention(orphan_age_days=7, retention_days=180, batch=2)  # small pages: the paging is exercised


@pytest.fixture(autouse=True)
def no_subscribers(monkeypatch):
    monkeypatch.setattr(domain_events, "_handlers", {})
    monkeypatch.setattr(domain_events, "_loaded", True)


def _upload(session, sw, store, salt: bytes):
    return store_proof(session, actor=sw.postman_user, device_id="phone", kind=ProofKind.SIGNATURE,
                       content_type="image/png", data=PNG + salt, store=store)


def _deliver(session, sw, item, ref, minutes):
    events = [scan(item, ScanCode.OUT_FOR_DELIVERY, T0 + timedelta(minutes=minutes)),
              scan(item, ScanCode.DELIVERED, T0 + timedelta(minutes=minutes + 30), at_home=item,
                   proof=ProofInput(signature_ref=ref))]
    return ingest_scans(session, actor=sw.postman_user, device_id="phone", events=events, now=NOW)


def _on_disk(root, ref):
    return (root / ref.removeprefix("local:")).is_file()


def test_orphans_go_after_their_age_and_cited_files_stay(session, tmp_path):
    sw = build_scan_world(session, n_items=2, proof_signature=True)
    store = LocalFileStore(tmp_path)
    used = _upload(session, sw, store, b"used")
    orphans = [_upload(session, sw, store, bytes([k])) for k in range(3)]
    assert [r.outcome for r in _deliver(session, sw, sw.items[0], used.ref, 0)] == [ScanOutcome.APPLIED] * 2
    assert used.used_at == NOW
    used.used_at = None  # as a file uploaded before the column was kept: still found cited

    assert delete_orphans(session, store=store, now=utcnow() + timedelta(days=6), policy=POLICY) == []
    removed = delete_orphans(session, store=store, now=utcnow() + timedelta(days=8), policy=POLICY)
    assert sorted(removed) == sorted(o.id for o in orphans)
    assert not any(_on_disk(tmp_path, o.ref) for o in orphans) and _on_disk(tmp_path, used.ref)
    for o in orphans:
        session.refresh(o)
        assert (o.file_deleted_reason, o.file_deleted_at is not None) == ("orphan", True)
    assert used.used_at is not None and used.file_deleted_at is None
    audits = session.exec(select(AuditLog).where(AuditLog.action == "tracking.proof_files_deleted")).all()
    assert sum(a.detail["count"] for a in audits) == 3 and {a.detail["reason"] for a in audits} == {"orphan"}
    # Idempotent, and a deleted orphan proves nothing any more.
    assert delete_orphans(session, store=store, now=utcnow() + timedelta(days=8), policy=POLICY) == []
    late = _deliver(session, sw, sw.items[1], orphans[0].ref, 60)
    assert late[1].reject_code == "proof_missing"


def test_proofs_are_kept_the_retention_period_after_the_item_is_done(session, tmp_path):
    sw = build_scan_world(session, n_items=2, proof_signature=True)
    store = LocalFileStore(tmp_path)
    delivered = _upload(session, sw, store, b"a")
    pending = _upload(session, sw, store, b"b")
    _deliver(session, sw, sw.items[0], delivered.ref, 0)
    # The second item's delivery failed after its proof was cited by an event refused
    # for order: the file is cited, the item is not done, so its proof stays.
    item = sw.items[1]
    ingest_scans(session, actor=sw.postman_user, device_id="phone", now=NOW, events=[
        scan(item, ScanCode.DELIVERED, T0 + timedelta(minutes=5), at_home=item, proof=ProofInput(signature_ref=pending.ref)),
    ])
    session.refresh(sw.items[0])
    assert sw.items[0].status == ItemStatus.DELIVERED and pending.used_at is not None
    done_at = sw.items[0].status_at

    assert expire_proofs(session, store=store, now=done_at + timedelta(days=179), policy=POLICY) == []
    assert expire_proofs(session, store=store, now=done_at + timedelta(days=181), policy=POLICY) == [delivered.id]
    session.refresh(delivered)
    assert (delivered.file_deleted_reason, _on_disk(tmp_path, delivered.ref)) == ("retention", False)
    assert session.get(ProofFile, delivered.id) is not None  # the record stays
    assert _on_disk(tmp_path, pending.ref) and pending.file_deleted_at is None
    assert expire_proofs(session, store=store, now=done_at + timedelta(days=181), policy=POLICY) == []


def test_a_store_failure_leaves_the_file_for_the_next_run(session, tmp_path):
    sw = build_scan_world(session, n_items=1, proof_signature=True)
    store = LocalFileStore(tmp_path)
    orphan = _upload(session, sw, store, b"x")

    class Down(LocalFileStore):
        def delete(self, ref):
            raise OSError("store unreachable")

    assert delete_orphans(session, store=Down(tmp_path), now=utcnow() + timedelta(days=8), policy=POLICY) == []
    assert orphan.file_deleted_at is None and _on_disk(tmp_path, orphan.ref)
    assert delete_orphans(session, store=store, now=utcnow() + timedelta(days=8), policy=POLICY) == [orphan.id]


def test_beat_runs_both_jobs():
    """Both jobs are Celery tasks on beat's schedule."""
    from logistics import system_tasks  # noqa: F401 - registers the tasks
    from logistics.worker import celery_app

    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    jobs = {"system.delete_orphan_proofs", "system.expire_proofs"}
    assert jobs <= scheduled and jobs <= set(celery_app.tasks)


def test_stray_files_without_a_record_go_after_the_orphan_age(session, tmp_path):
    """Bytes written by a request that then rolled back (no record) are deleted once old; recorded files stay."""
    import os

    from logistics.tracking.proof_retention import delete_stray_files

    sw = build_scan_world(session, n_items=1, proof_signature=True)
    store = LocalFileStore(tmp_path)
    recorded = _upload(session, sw, store, b"kept")
    stray = store.put("photo/2026/11/stray.jpg", b"\xff\xd8\xff", "image/jpeg")
    old = (utcnow() - timedelta(days=30)).timestamp()
    for ref in (recorded.ref, stray):
        os.utime(tmp_path / ref.removeprefix("local:"), (old, old))
    assert delete_stray_files(session, store=store, now=utcnow(), policy=POLICY) == [stray]
    assert not _on_disk(tmp_path, stray) and _on_disk(tmp_path, recorded.ref)
    assert session.exec(select(AuditLog).where(AuditLog.action == "tracking.stray_files_deleted")).one().detail["count"] == 1
