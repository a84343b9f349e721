"""Short tracking links for citizens: ``https://<public host>/t/<token>``.

The token is 128 random bits (``secrets.token_urlsafe(16)``, 22 characters), so links
cannot be guessed or enumerated; only its SHA-256 is stored, so a leaked table gives no
working link. A link works until some days after its item is done (delivered, returned,
handed over), and never longer than a hard maximum after it was issued.

Lookups are rate-limited per client by :class:`LookupLimiter`, an in-process token
bucket: right for one API process. Several API processes or hosts each keep their own
buckets, so the effective limit multiplies; production behind a load balancer should
keep the buckets in Redis (a Lua token bucket or ``INCR`` + ``EXPIRE`` per IP and
window) or rate-limit at the proxy (nginx ``limit_req``) as well.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Final

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from logistics.config import get_settings
from logistics.exceptions import DomainError, NotFound
from logistics.models import Item, TrackingToken
from logistics.models.types import utcnow
from logistics.tracking.states import TERMINAL

TOKEN_BYTES: Final = 16  # 128 bits
TOKEN_LENGTH: Final = 22  # len(token_urlsafe(16))
# Stands for a token in a stored SMS body until the moment of sending (same length, so
# the segment count is exact; "*" is in the GSM-7 basic set).
TOKEN_PLACEHOLDER: Final = "*" * TOKEN_LENGTH
PATH_PREFIX: Final = "/t/"
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{%d}" % TOKEN_LENGTH)


class LinkSettings(BaseModel):
    """Tracking-link knobs; ``TRACKING_LINK_*`` variables (read by config.Settings) override them."""

    model_config = ConfigDict(frozen=True)

    ttl_days_after_done: int = 30  # [guess] long enough to check a delivery or complain
    max_age_days: int = 180  # complaints are allowed within 6 months (DOMAIN.md §2)
    lookup_rate_per_s: float = 2.0
    lookup_burst: int = 30


def get_link_settings() -> LinkSettings:
    return get_settings().section("tracking_link_", LinkSettings)


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after_s: int, **context: object) -> None:
        super().__init__(detail, **context)
        self.retry_after_s = retry_after_s


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def link_url(token: str, *, base_url: str | None = None) -> str:
    base = (base_url if base_url is not None else get_settings().public_base_url).rstrip("/")
    return f"{base}{PATH_PREFIX}{token}"


def placeholder_url(*, base_url: str | None = None) -> str:
    """The link as stored in an SMS body before sending; see :func:`fill_placeholder`."""
    return link_url(TOKEN_PLACEHOLDER, base_url=base_url)


def issue_token(session: Session, *, item_id: int, now: datetime | None = None) -> str:
    """A new token for ``item_id`` (its hash flushed in ``session``); the caller builds the URL."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # A Core insert: the send path issues one token per SMS and needs no ORM object.
    session.execute(sa.insert(TrackingToken).values(token_sha256=hash_token(token), item_id=item_id,
                                                    created_at=now or utcnow()))
    return token


def issue_link(session: Session, *, item_id: int, now: datetime | None = None) -> str:
    """A new short tracking link for ``item_id``: ``<public_base_url>/t/<token>``."""
    return link_url(issue_token(session, item_id=item_id, now=now))


def fill_placeholder(session: Session, body: str, *, item_id: int, now: datetime | None = None) -> str:
    """``body`` with its link placeholder (if any) replaced by a freshly issued token."""
    if TOKEN_PLACEHOLDER not in body:
        return body
    return body.replace(TOKEN_PLACEHOLDER, issue_token(session, item_id=item_id, now=now))


def expires_at(token: TrackingToken, item: Item, settings: LinkSettings | None = None) -> datetime:
    """When the link stops working (it may move later while the item is on its way)."""
    settings = settings or get_link_settings()
    limit = token.created_at + timedelta(days=settings.max_age_days)
    if token.expires_at is not None:
        limit = min(limit, token.expires_at)
    if item.status in TERMINAL:
        done_at = item.status_at or item.updated_at
        limit = min(limit, done_at + timedelta(days=settings.ttl_days_after_done))
    return limit


def resolve(session: Session, token: str, *, now: datetime | None = None, settings: LinkSettings | None = None) -> Item:
    """The item behind ``token``; ``NotFound`` (404) when unknown, malformed or expired."""
    now = now or utcnow()
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise NotFound("This tracking link is not valid; check the link in your SMS.", code="tracking_link_not_found")
    row = session.exec(select(TrackingToken).where(TrackingToken.token_sha256 == hash_token(token))).first()
    if row is None:
        raise NotFound("This tracking link is not valid; check the link in your SMS.", code="tracking_link_not_found")
    item = session.get(Item, row.item_id)
    if item is None or expires_at(row, item, settings) <= now:
        raise NotFound("This tracking link has expired.", code="tracking_link_expired")
    return item


class LookupLimiter:
    """A token bucket per client key: ``burst`` lookups at once, then ``rate`` per second.

    Thread-safe (the API serves sync routes from a thread pool); remembers at most
    ``max_keys`` clients, forgetting the least recently seen first.
    """

    def __init__(self, rate_per_s: float, burst: int, *, max_keys: int = 50_000) -> None:
        self.rate, self.burst, self.max_keys = rate_per_s, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float | None = None) -> None:
        """Spend one lookup of ``key``'s bucket, or raise ``RateLimited`` (429)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = max(1, int((1.0 - tokens) / self.rate + 0.999)) if self.rate > 0 else 60
                raise RateLimited("Too many tracking lookups from this address; wait a moment.", retry_after_s=wait)
            self._buckets[key] = (tokens - 1.0, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
