"""Rendered pages kept in memory, keyed by everything they were rendered from.

A key must name every input of the page (``logistics.notify.page_state`` gives the
stored ones; the caller adds the language, the minute, the ETA window): a changed
input is a new key, so nothing is ever invalidated, and an entry that is no longer
asked for simply ages out. One instance per application (``app.state``), bounded,
least recently used out first (``cachetools.LRUCache``); thread-safe (sync routes run
in a thread pool).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from cachetools import LRUCache

DEFAULT_ENTRIES = 4096  # a tracking page is ~6 KB: ~25 MB per worker at most


class RenderedPages:
    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        self._pages: LRUCache[Hashable, bytes] = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
            else:
                self.hits += 1
            return page

    def put(self, key: Hashable, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page

    def __len__(self) -> int:
        return len(self._pages)
