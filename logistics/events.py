"""In-process domain events, published inside the transaction that causes them.

A domain announces what happened (``publish(session, ItemStatusChanged(...))``) and
the subscribers run at once, in the same session, so what they write (an SMS in the
outbox) commits or rolls back with the cause. The publisher never imports its
subscribers: ``SUBSCRIBER_MODULES`` names them, and they are imported on first use
and register themselves with ``@subscribe``. This keeps ``tracking`` free of
``notify`` while no event can slip past an unimported subscriber.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

SUBSCRIBER_MODULES: tuple[str, ...] = ("logistics.notify.subscriptions", "logistics.webhooks.subscriptions")

E = TypeVar("E")
Handler = Callable[[Session, Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)
_loaded = False


@dataclass(frozen=True)
class ItemStatusChanged:
    """An applied scan moved an item to a new status."""

    item_id: int
    scan_event_id: int
    scan_code: str
    status: str
    previous_status: str
    at: datetime  # device time of the scan


@dataclass(frozen=True)
class ItemCreated:
    """A new item entered the system (a booked pickup, a result ready for return...)."""

    item_id: int
    leg: str


def subscribe(event_type: type[E]) -> Callable[[Callable[[Session, E], None]], Callable[[Session, E], None]]:
    def register(handler: Callable[[Session, E], None]) -> Callable[[Session, E], None]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def _load_subscribers() -> None:
    global _loaded
    if not _loaded:
        for module in SUBSCRIBER_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as missing:
                if missing.name != module:  # the module exists but is broken: say so
                    raise
        _loaded = True


def publish(session: Session, event: object) -> None:
    """Run every subscriber of ``type(event)`` now, inside ``session``'s transaction."""
    _load_subscribers()
    for handler in list(_handlers.get(type(event), ())):
        handler(session, event)
