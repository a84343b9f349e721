"""Housekeeping tasks run by beat."""

from __future__ import annotations

from logistics.accounts import tokens
from logistics.db import session_scope
from logistics.worker import celery_app


@celery_app.task(name="system.purge_expired_tokens", acks_late=True)
def purge_expired_tokens() -> int:
    """Delete API tokens that expired or were revoked more than a day ago."""
    with session_scope() as session:
        return tokens.purge_expired(session)
