"""``built_once``: ``functools.cache`` for builders whose object must be one and the same.

A SQLAlchemy statement is compiled once and the compiled form is cached under the
statement's structure, but it stays tied to the object first compiled. With
``functools.cache`` (which does not lock) two threads racing on the first requests
can each build their own copy; the cache keeps one, and when that is not the one
compiled first, every execution of it adapts its result columns to the cached form
(~9 % of the tracking page's CPU in py-spy, 2026-11). Builders of statements kept for
the life of the process use this instead: the first caller builds under a lock, every
caller gets that object.
"""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def built_once(build: Callable[..., T]) -> Callable[..., T]:
    """``build(*args)`` called once per ``args`` (hashable), under a lock; its result kept."""
    built: dict[tuple, T] = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def get(*args):  # noqa: ANN202 - as ``build``
        try:
            return built[args]
        except KeyError:
            pass
        with lock:
            if args not in built:
                built[args] = build(*args)
            return built[args]

    get.cache_clear = built.clear  # type: ignore[attr-defined] - as functools.cache's, for tests
    return get
