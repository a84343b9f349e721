"""Rendered pages kept in memory, one per page address, with what they were rendered from.

A page is asked for by its address (for the tracking page: the link and the
language) and the ``state`` it must show: everything it is rendered from
(``logistics.notify.page_state`` gives the stored inputs, the caller adds the
rest). A kept page whose state is not equal is not answered, and the page rendered
for the new state replaces it: nothing is ever invalidated, and a page no longer
asked for ages out. Looking a page up hashes its address only and compares the
state: hashing a state of ~30 values (dates with their zones) on every view cost
more (~34,000 instructions a tracking page, callgrind, 2026-12). One instance per
application (``app.state``), bounded, least recently used out first
(``cachetools.LRUCache``); thread-safe (the views read in a thread pool).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from cachetools import LRUCache

DEFAULT_ENTRIES = 4096  # a tracking page is ~6 KB: ~25 MB per worker at most


class RenderedPages:
    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        self._pages: LRUCache[Hashable, tuple[Any, bytes]] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, address: Hashable, state: Any) -> bytes | None:
        """The page kept at ``address`` if it was rendered from ``state``."""
        with self._lock:
            kept = self._pages.get(address)
            if kept is None or kept[0] != state:
                self.misses += 1
                return None
            self.hits += 1
            return kept[1]

    def put(self, address: Hashable, state: Any, page: bytes) -> None:
        with self._lock:
            self._pages[address] = (state, page)

    def __len__(self) -> int:
        return len(self._pages)
