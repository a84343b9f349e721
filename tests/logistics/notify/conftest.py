"""Fixtures of the SMS tests: deterministic outbox settings, a place, a console provider,
and a session factory that commits into the rolled-back test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from logistics.notify import sms
from logistics.config import reset_settings_cache
from support.sessions import savepoint
from tests.logistics.notify.notify_factories import Place, make_place


@pytest.fixture(autouse=True)
def no_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Quiet hours off unless a test turns them on: the wall clock must not decide."""
    monkeypatch.setenv("NOTIFY_QUIET_START", "00:00")
    monkeypatch.setenv("NOTIFY_QUIET_END", "00:00")
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.fixture()
def place(session: Session) -> Place:
    return make_place(session)


@pytest.fixture()
def console() -> sms.ConsoleProvider:
    return sms.ConsoleProvider()


@pytest.fixture()
def nested(session: Session):
    """A ``session_factory`` for ``outbox.deliver``: each unit of work is a savepoint."""

    def factory():  # noqa: ANN202
        return savepoint(session)

    return factory
