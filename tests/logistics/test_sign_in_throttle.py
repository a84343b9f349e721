"""Sign-in attempt limits: counted per username on a device, per username, per address;
locks that double; cleared by a success; shared by every process through the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from logistics.accounts import throttle
from logistics.accounts.throttle import Attempt, SignInPolicy
from logistics.db import make_engine
from logistics.exceptions import TooManyRequests, Unauthorized
from logistics.models import AuditLog, SignInThrottle
from logistics.models.enums import Role
from logistics.models.types import utcnow
from tests.web.factories import PASSWORD, build_world

POLICY = SignInPolicy(max_failures_per_device=3, max_failures_per_user=5, max_failures_per_address=8,
                      window_s=600, lockout_s=60, max_lockout_s=300)


def _fail(session, attempt, now, times=1):
    for _ in range(times):
        throttle.record_failure(session, attempt, now=now, policy=POLICY)


def test_a_key_locks_at_its_limit_and_doubles_after(session):
    """The 3rd failure on a device locks it 60 s; after the lock, the next failure locks it 120 s."""
    now = utcnow()
    attempt = Attempt("postman_a", "phone-1", "10.0.0.1")
    _fail(session, attempt, now, times=2)
    throttle.ensure_allowed(session, attempt, now=now)  # not locked yet
    _fail(session, attempt, now)
    with pytest.raises(TooManyRequests) as locked:
        throttle.ensure_allowed(session, attempt, now=now)
    assert locked.value.code == "sign_in_locked" and 59 <= locked.value.retry_after_s <= 61
    later = now + timedelta(seconds=61)
    throttle.ensure_allowed(session, attempt, now=later)  # the lock has run out
    _fail(session, attempt, later)
    with pytest.raises(TooManyRequests) as again:
        throttle.ensure_allowed(session, attempt, now=later)
    assert 119 <= again.value.retry_after_s <= 121
    audits = session.exec(select(AuditLog).where(AuditLog.action == "auth.sign_in_locked")).all()
    assert [(a.detail["scope"], a.detail["locked_for_s"]) for a in audits] == [("device", 60), ("device", 120)]
    assert "10.0.0.1" not in str([a.detail for a in audits]) and "postman_a" not in str([a.detail for a in audits])


def test_another_device_is_not_locked_until_the_user_limit(session):
    """A locked phone leaves the user's other phone usable up to the per-user limit."""
    now = utcnow()
    _fail(session, Attempt("postman_a", "phone-1", None), now, times=3)
    other = Attempt("postman_a", "phone-2", None)
    throttle.ensure_allowed(session, other, now=now)
    _fail(session, other, now, times=2)  # 5 failures for the username in all
    with pytest.raises(TooManyRequests):
        throttle.ensure_allowed(session, Attempt("postman_a", "phone-3", None), now=now)


def test_rotating_usernames_from_one_address_is_limited(session):
    """Guessing across usernames from one address locks the address."""
    now = utcnow()
    for k in range(8):
        _fail(session, Attempt(f"user{k}", "pc", "192.0.2.7"), now)
    with pytest.raises(TooManyRequests):
        throttle.ensure_allowed(session, Attempt("someone_else", "pc", "192.0.2.7"), now=now)
    throttle.ensure_allowed(session, Attempt("someone_else", "pc", "192.0.2.8"), now=now)


def test_old_failures_are_forgotten_after_the_window(session):
    """Failures older than the window (and no lock in force) start the count again."""
    now = utcnow()
    attempt = Attempt("postman_a", "phone-1", None)
    _fail(session, attempt, now - timedelta(seconds=700), times=2)
    _fail(session, attempt, now, times=2)
    throttle.ensure_allowed(session, attempt, now=now)


def test_success_clears_the_username_but_not_the_address(session):
    """A right PIN forgets the username's failures; the address keeps counting."""
    world = build_world(session)
    username = world.a.users[Role.DISPATCHER].username
    attempt = Attempt(username, "phone-1", "10.0.0.9")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            throttle.sign_in(session, attempt, secret="wrong!", policy=POLICY)
    assert throttle.sign_in(session, attempt, secret=PASSWORD, policy=POLICY).username == username
    rows = {r.scope: r.failures for r in session.exec(select(SignInThrottle)).all()}
    assert rows == {"address": 2}


def test_a_locked_key_refuses_even_the_right_secret(session):
    """While locked, the right PIN is refused too (the lock is not an oracle)."""
    world = build_world(session)
    username = world.a.users[Role.DISPATCHER].username
    attempt = Attempt(username, "phone-1", None)
    _fail(session, attempt, utcnow(), times=3)
    with pytest.raises(TooManyRequests):
        throttle.sign_in(session, attempt, secret=PASSWORD, policy=POLICY)


def test_counts_are_shared_between_processes(fresh_database_url):
    """Two engines (as two API processes) add to the same counters, committed."""
    engines = [make_engine(fresh_database_url), make_engine(fresh_database_url)]
    attempt = Attempt("postman_x", "phone-9", None)
    now = utcnow()
    try:
        for k in range(3):
            with Session(engines[k % 2]) as s:
                throttle.record_failure(s, attempt, now=now, policy=POLICY)
                s.commit()
        with Session(engines[1]) as s, pytest.raises(TooManyRequests):
            throttle.ensure_allowed(s, attempt, now=now)
    finally:
        for engine in engines:
            engine.dispose()
