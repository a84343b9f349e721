"""Housekeeping tasks run by beat."""

from __future__ import annotations

from logistics.accounts import tokens
from logistics.db import session_scope
from logistics.tracking import proof_retention
from logistics.worker import celery_app


@celery_app.task(name="system.purge_expired_tokens", acks_late=True)
def purge_expired_tokens() -> int:
    """Delete API tokens that expired or were revoked more than a day ago."""
    with session_scope() as session:
        return tokens.purge_expired(session)


@celery_app.task(name="system.delete_orphan_proofs", acks_late=True)
def delete_orphan_proofs() -> int:
    """Delete proof uploads no delivery ever cited, and stray files, once they are old enough."""
    with session_scope() as session:
        return len(proof_retention.delete_orphans(session)) + len(proof_retention.delete_stray_files(session))


@celery_app.task(name="system.expire_proofs", acks_late=True)
def expire_proofs() -> int:
    """Delete the bytes of proofs kept their retention period after the item was done."""
    with session_scope() as session:
        return len(proof_retention.expire_proofs(session))
