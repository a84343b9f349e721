"""ROUTING_OSRM_URL picks the planner's matrix provider: OSRM's table service when set,
straight-line travel times when empty; one provider (and its cache) per URL."""

from __future__ import annotations

from logistics.config import Settings
from logistics.routing.matrix import OsrmTableProvider, configured_provider


def test_empty_url_means_haversine():
    assert configured_provider(Settings().routing_osrm_url) is None
    assert configured_provider("  ") is None


def test_url_gives_one_cached_osrm_provider(monkeypatch):
    monkeypatch.setenv("ROUTING_OSRM_URL", "http://osrm:5000/")
    url = Settings().routing_osrm_url
    provider = configured_provider(url)
    assert isinstance(provider, OsrmTableProvider) and provider.base_url == "http://osrm:5000"
    assert configured_provider(url) is provider
