"""The dispatcher console page (``/console``): one HTML page and its script, both static
but for the language and the map tile URL; everything else comes from the dispatcher
API (``/api/v1/dispatch``) with the bearer token of ``POST /api/v1/auth/token``.

Leaflet is vendored under ``web/static/vendor/leaflet`` (BSD-2-Clause), so the page
works with no internet: the map then shows no tiles, and all the rest.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from logistics.workdays import LOCAL_TZ, WorkCalendar

router = APIRouter(tags=["dispatcher console"], include_in_schema=False)
WEB_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def working_day_from(today: date) -> date:
    """The day the console opens on: today if it is a working day, else the next one."""
    calendar = WorkCalendar.default()
    return today if calendar.is_working_day(today) else calendar.next_working_day(today)


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, lang: Literal["vi", "en"] | None = None) -> HTMLResponse:
    settings = request.app.state.settings
    chosen = lang or settings.default_language
    return templates.TemplateResponse(request, "console/index.html", {
        "lang": chosen, "other_lang": "en" if chosen == "vi" else "vi",
        "default_day": working_day_from(datetime.now(LOCAL_TZ).date()).isoformat(),
        "tile_url": settings.console_tile_url, "tile_attribution": settings.console_tile_attribution,
    }, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
