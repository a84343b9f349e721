"""Rendered pages: answered only for the state they were rendered from, replaced by the
page of a new state, bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from web.rendered_pages import RenderedPages

AT = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_a_page_is_answered_only_for_its_state():
    pages = RenderedPages()
    pages.put(("tok", "vi"), (1, AT), b"one")
    assert pages.get(("tok", "vi"), (1, datetime(2026, 12, 6, 8, 0, tzinfo=UTC))) == b"one"  # equal, not the same
    assert pages.get(("tok", "vi"), (2, AT)) is None  # a scan since: a new state
    assert pages.get(("tok", "en"), (1, AT)) is None
    pages.put(("tok", "vi"), (2, AT), b"two")
    assert pages.get(("tok", "vi"), (2, AT)) == b"two" and pages.get(("tok", "vi"), (1, AT)) is None
    assert len(pages) == 1 and (pages.hits, pages.misses) == (2, 3)


def test_least_recently_used_out_first():
    pages = RenderedPages(max_entries=2)
    pages.put("a", 0, b"a")
    pages.put("b", 0, b"b")
    assert pages.get("a", 0) == b"a"
    pages.put("c", 0, b"c")
    assert pages.get("b", 0) is None and pages.get("a", 0) == b"a" and pages.get("c", 0) == b"c"
