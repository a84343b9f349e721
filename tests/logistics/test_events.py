"""Domain events reach their subscribers inside the publisher's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from logistics import events


@dataclass(frozen=True)
class Pinged:
    n: int


def test_subscribers_run_in_the_same_session():
    """A subscriber gets the publisher's session and the event, once per registration."""
    seen = []

    @events.subscribe(Pinged)
    def on_ping(session, event):
        seen.append((session, event.n))

    events.subscribe(Pinged)(on_ping)  # registering twice does not double-deliver
    marker = object()
    events.publish(marker, Pinged(3))
    assert seen == [(marker, 3)]


def test_event_without_subscribers_is_fine():
    """Publishing an event nobody listens to does nothing."""
    events.publish(object(), Pinged(1))
