"""Tracking links: 128-bit tokens stored hashed, unknown or expired -> 404, lookups rate-limited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from logistics.exceptions import NotFound
from logistics.models import TrackingToken
from logistics.models.enums import ItemStatus
from logistics.tracking import links
from tests.logistics.notify.notify_factories import make_item

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_issue_and_resolve(session, place):
    """The link is <public>/t/<22 characters>; only the token's SHA-256 is stored."""
    item = make_item(session, place)
    url = links.issue_link(session, item_id=item.id, now=NOW)
    base, token = url.rsplit("/t/", 1)
    assert base == "http://testserver" and len(token) == 22
    stored = session.exec(select(TrackingToken).where(TrackingToken.item_id == item.id)).one()
    assert stored.token_sha256 == links.hash_token(token) and token not in stored.token_sha256
    assert links.resolve(session, token, now=NOW).id == item.id
    assert links.issue_link(session, item_id=item.id) != url, "every link is fresh"


@pytest.mark.parametrize("token", ["", "short", "A" * 22, "../../etc/passwd", "A" * 21 + "!", "Ä" * 22])
def test_unknown_or_malformed_token_is_404(session, token):
    with pytest.raises(NotFound) as raised:
        links.resolve(session, token, now=NOW)
    assert raised.value.code == "tracking_link_not_found" and raised.value.status_code == 404


def test_link_expires_days_after_the_item_is_done(session, place):
    """A delivered item's link works for ttl_days_after_done days after delivery, then 404."""
    item = make_item(session, place, status=ItemStatus.DELIVERED)
    item.status_at = NOW
    token = links.issue_token(session, item_id=item.id, now=NOW - timedelta(days=3))
    settings = links.LinkSettings(ttl_days_after_done=30, max_age_days=180)
    assert links.resolve(session, token, now=NOW + timedelta(days=29), settings=settings).id == item.id
    with pytest.raises(NotFound) as raised:
        links.resolve(session, token, now=NOW + timedelta(days=30, seconds=1), settings=settings)
    assert raised.value.code == "tracking_link_expired"


def test_link_of_an_item_on_its_way_lives_until_max_age(session, place):
    item = make_item(session, place, status=ItemStatus.IN_TRANSIT)
    token = links.issue_token(session, item_id=item.id, now=NOW)
    settings = links.LinkSettings(max_age_days=180)
    assert links.resolve(session, token, now=NOW + timedelta(days=179), settings=settings)
    with pytest.raises(NotFound):
        links.resolve(session, token, now=NOW + timedelta(days=181), settings=settings)


def test_limiter_token_bucket():
    """Burst 3 then one a second, per client; other clients are not affected."""
    limiter = links.LookupLimiter(rate_per_s=1.0, burst=3)
    for _ in range(3):
        limiter.hit("10.0.0.1", now=100.0)
    with pytest.raises(links.RateLimited) as raised:
        limiter.hit("10.0.0.1", now=100.0)
    assert raised.value.status_code == 429 and raised.value.retry_after_s == 1
    limiter.hit("10.0.0.2", now=100.0)
    limiter.hit("10.0.0.1", now=101.0)
    with pytest.raises(links.RateLimited):
        limiter.hit("10.0.0.1", now=101.2)


def test_limiter_forgets_old_clients():
    limiter = links.LookupLimiter(rate_per_s=1.0, burst=1, max_keys=2)
    for ip in ("a", "b", "c"):
        limiter.hit(ip, now=0.0)
    limiter.hit("a", now=0.0)  # "a" was forgotten: a fresh bucket


def test_link_settings_follow_the_current_settings(monkeypatch):
    """Built once per Settings object, and afresh when the settings are read again."""
    from logistics.config import reset_settings_cache

    reset_settings_cache()
    first = links.get_link_settings()
    assert links.get_link_settings() is first
    monkeypatch.setenv("TRACKING_LINK_TTL_DAYS_AFTER_DONE", str(first.ttl_days_after_done + 7))
    reset_settings_cache()
    try:
        assert links.get_link_settings().ttl_days_after_done == first.ttl_days_after_done + 7
    finally:
        monkeypatch.delenv("TRACKING_LINK_TTL_DAYS_AFTER_DONE")
        reset_settings_cache()
    assert links.get_link_settings().ttl_days_after_done == first.ttl_days_after_done
