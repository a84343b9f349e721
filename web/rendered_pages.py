"""Rendered pages kept in memory, keyed by everything they were rendered from.

A key must name every input of the page (``logistics.notify.page_state`` gives the
stored ones; the caller adds the language, the minute, the ETA window): a changed
input is a new key, so nothing is ever invalidated, and an entry that is no longer
asked for simply ages out. One instance per application (``app.state``), bounded,
least recently used out first; thread-safe (sync routes run in a thread pool).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_ENTRIES = 4096  # a tracking page is ~6 KB: ~25 MB per worker at most


class RenderedPages:
    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        self.max_entries = max_entries
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)
