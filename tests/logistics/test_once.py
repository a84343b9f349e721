"""``built_once``: one object per arguments, whatever the threads racing for it."""

from __future__ import annotations

import threading
import time

from logistics.once import built_once


def test_threads_racing_on_the_first_call_all_get_the_one_object_built():
    calls: list[int] = []

    @built_once
    def build(dialect: str) -> object:
        calls.append(1)
        time.sleep(0.05)  # wide enough for every thread to arrive while the first builds
        return object()

    start = threading.Barrier(8)
    got: list[object] = []

    def caller() -> None:
        start.wait()
        got.append(build("postgresql"))

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(o) for o in got}) == 1
    assert build("sqlite") is not got[0] and build("sqlite") is build("sqlite") and len(calls) == 2


def test_the_statements_of_the_hot_paths_are_built_once():
    from logistics.notify import public_view
    from logistics.tracking import context, eta

    assert public_view._subject_query() is public_view._subject_query()
    assert eta._waiting_stops("one") is eta._waiting_stops("one")
    assert context._statements("postgresql") is context._statements("postgresql")
