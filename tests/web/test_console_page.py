"""The console page and its vendored assets: served by the app itself (no CDN), the
language and the tile URL from the request and the settings."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from logistics.config import Settings
from web.app import create_app
from web.routers.console_page import working_day_from


def _client(tmp_path, **settings) -> TestClient:  # noqa: ANN001
    return TestClient(create_app(Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}", **settings)))


def test_page_in_vietnamese_with_the_configured_tiles(tmp_path):
    with _client(tmp_path, console_tile_url="https://tiles.example.vn/{z}/{x}/{y}.png") as client:
        page = client.get("/console")
    assert page.status_code == 200 and 'lang="vi"' in page.text
    assert 'data-tile-url="https://tiles.example.vn/{z}/{x}/{y}.png"' in page.text
    assert 'href="?lang=en"' in page.text and "/static/vendor/leaflet/leaflet.js" in page.text
    assets = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert assets and all(a.startswith(("/static/", "?lang=", "/reports", "/imports")) for a in assets), assets  # no CDN


def test_page_in_english(tmp_path):
    with _client(tmp_path) as client:
        page = client.get("/console?lang=en")
        bad = client.get("/console?lang=fr")
    assert 'lang="en"' in page.text and 'href="?lang=vi"' in page.text
    assert bad.status_code == 422


def test_leaflet_and_the_console_script_are_served_locally(tmp_path):
    with _client(tmp_path) as client:
        for path, kind in [("/static/vendor/leaflet/leaflet.js", "javascript"), ("/static/vendor/leaflet/leaflet.css", "css"),
                           ("/static/vendor/leaflet/images/marker-icon.png", "image/png"),
                           ("/static/console/console.js", "javascript")]:
            response = client.get(path)
            assert response.status_code == 200 and kind in response.headers["content-type"], path
        assert "BSD 2-Clause" in client.get("/static/vendor/leaflet/LICENSE").text
        assert "Leaflet 1.9.4" in client.get("/static/vendor/leaflet/leaflet.js").text[:200]
        assert client.get("/static/../app.py").status_code == 404


def test_the_console_opens_on_the_next_working_day():
    assert working_day_from(date(2026, 11, 20)) == date(2026, 11, 20)  # a Friday
    assert working_day_from(date(2026, 11, 21)) == date(2026, 11, 23)  # Saturday -> Monday
