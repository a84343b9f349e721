"""The citizen's tracking page behind the SMS link: ``/t/{token}``.

``GET /t/{token}`` is a mobile-first HTML page in Vietnamese (``?lang=en`` for English),
``GET /t/{token}.json`` its JSON twin, ``POST /t/{token}/reschedule`` the citizen's new
delivery window or "hold at the post office". The token is the only credential: the
page shows nothing of the dossier and only masked personal data
(``notify.public_view``). Every request spends one lookup of the client's rate-limit
bucket (``tracking.links.LookupLimiter``; the client is ``request.client.host``, which
is the real address only when uvicorn runs with ``--proxy-headers`` behind the proxy).

The HTML page is rendered once per state (``notify.page_state``: one query says
whether the link is valid and everything the page depends on) and kept in
``app.state.tracking_pages`` (``web.rendered_pages``); a scan, a reschedule or a new
ETA window is a new state, so the next view shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection
from sqlmodel import Session

from api_core.deps import ReadingSessionDep, SessionDep, run_reading
from api_core.errors import error_responses
from logistics.exceptions import NotFound
from logistics.models.types import utcnow
from logistics.notify import page_state, public_view, reschedule
from logistics.notify.public_view import TrackingView
from logistics.tracking import links as tracking_links
from web import error_text
from web.rendered_pages import RenderedPages

router = APIRouter(tags=["tracking"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
templates.env.auto_reload = False  # compiled once: no stat() of the template files per page

Language = Literal["vi", "en"]
LangQuery = Annotated[Language, Query(description="page language: vi (default) or en")]

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Tra cứu bưu gửi", "status": "Trạng thái", "timeline": "Hành trình", "eta": "Dự kiến phát",
        "office": "Bưu cục phụ trách", "recipient": "Người nhận", "reschedule": "Đổi lịch phát",
        "choose": "Chọn khung giờ", "hold": "Tôi sẽ đến nhận tại bưu cục", "submit": "Xác nhận",
        "done": "Đã ghi nhận. Bưu điện sẽ nhắn tin xác nhận.", "switch": "English", "none": "Chưa có thông tin.",
        "not_found": "Liên kết tra cứu không hợp lệ hoặc đã hết hạn.", "held": "Quý khách đã chọn nhận tại bưu cục.",
        "call": "Gọi", "error": "Không thực hiện được",
    },
    "en": {
        "title": "Track your item", "status": "Status", "timeline": "Journey", "eta": "Expected delivery",
        "office": "Your post office", "recipient": "Recipient", "reschedule": "Change the delivery",
        "choose": "Choose a time slot", "hold": "I will collect it at the post office", "submit": "Confirm",
        "done": "Saved. We will text you a confirmation.", "switch": "Tiếng Việt", "none": "Nothing yet.",
        "not_found": "This tracking link is not valid or has expired.", "held": "You chose to collect it at the post office.",
        "call": "Call", "error": "Could not do this",
    },
}


# The reschedule form's refusals in the page's language, shown by code (the API's detail is English).
REFUSALS: dict[str, dict[str, str]] = {
    "vi": error_text.page_messages((
        "reschedule_window_missing", "reschedule_date_past", "reschedule_date_too_soon", "reschedule_not_working_day",
        "reschedule_date_too_far", "unknown_delivery_slot", "invalid_reschedule_choice", "reschedule_not_allowed",
        "reschedule_limit", "tracking_link_not_found", "tracking_link_expired", "too_many_requests",
    )),
    "en": {},
}


class RescheduleIn(BaseModel):
    choice: Literal["window", "hold_at_post_office"]
    date: dt.date | None = Field(default=None, description="a working day among the offered ones (window only)")
    slot: str | None = Field(default=None, max_length=11, examples=["14:00-16:00"])


async def lookup_allowed(request: Request) -> None:
    """Spend one lookup of the client's bucket; 429 with Retry-After when it is empty.
    Every route of this router calls it first (the two views) or depends on it.

    ``async``: a few microseconds under a lock, not worth a hop to the thread pool."""
    limiter = getattr(request.app.state, "tracking_limiter", None)
    if limiter is None:
        settings = tracking_links.get_link_settings()
        limiter = request.app.state.tracking_limiter = tracking_links.LookupLimiter(
            settings.lookup_rate_per_s, settings.lookup_burst
        )
    try:
        limiter.hit(request.client.host if request.client else "unknown")
    except tracking_links.RateLimited as limited:
        raise HTTPException(429, limited.detail, headers={"Retry-After": str(limited.retry_after_s)}) from None


Limited = Depends(lookup_allowed)


@router.get(
    "/t/{token}.json",
    response_model=TrackingView,
    summary="Tracking of one item (JSON)",
    responses=error_responses(404, 429),
)
async def tracking_json(request: Request, session: ReadingSessionDep, token: str, lang: LangQuery = "vi") -> Any:
    await lookup_allowed(request)
    return await run_reading(request, _json_view, session, token, lang)


@router.get(
    "/t/{token}",
    response_class=HTMLResponse,
    summary="Tracking page of one item (HTML)",
    responses=error_responses(429),
)
async def tracking_page(request: Request, session: ReadingSessionDep, token: str, lang: LangQuery = "vi") -> Response:
    # ``async`` with the database work in ONE hop to the thread pool: a sync route
    # costs a hop for the route and (through the session dependency) one more for the
    # commit; the page reads in autocommit and ends its session in that hop.
    # The limiter is called, not declared as a dependency: the same check (before any
    # query: the session opens no connection until then) for ~3 % less CPU a view.
    await lookup_allowed(request)
    return await run_reading(request, _page_response, request, session, token, lang)


def _json_view(session: Session, token: str, lang: Language) -> TrackingView:
    now = utcnow()
    with _reads_only(session) as connection:
        state = page_state.read_page_state(session, token, now=now, connection=connection)
        return page_state.page_view(session, state, language=lang, now=now)


def _page_response(request: Request, session: Session, token: str, lang: Language) -> Response:
    now = utcnow()
    with _reads_only(session) as connection:
        try:
            state = page_state.read_page_state(session, token, now=now, connection=connection)
        except NotFound:
            return templates.TemplateResponse(request, "tracking/not_found.html",
                                              {"lang": lang, "t": TEXT[lang]}, status_code=404)
        pages = _rendered_pages(request.app)
        body = pages.get((token, lang), state.key)
        if body is None:
            body = _render_page(page_state.page_view(session, state, language=lang, now=now), token, lang)
            pages.put((token, lang), state.key, body)
    return HTMLResponse(body)


@contextmanager
def _reads_only(session: Session) -> Iterator[Connection | None]:
    """Read without a transaction: the page's queries need no BEGIN and COMMIT round
    trips. Gives the connection to read the page's state on: a pooled one in
    autocommit, the session bound to it for what it reads itself (a page to render, an
    ETA), given back at the end with the session ended (the views' session dependency,
    ``ReadingSessionDep``, has no exit of its own). The state's read on it begins no
    session transaction: that and its end were ~7 % of a cached page's instructions
    (callgrind, 2026-12). A session already in a transaction (a caller's, a test's)
    reads in it (None: its own connection) and is left as it is."""
    if session.in_transaction():
        yield None
        return
    with session.get_bind().connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        session.bind = connection
        try:
            yield connection
        finally:
            session.close()


def _rendered_pages(app: FastAPI) -> RenderedPages:
    pages = getattr(app.state, "tracking_pages", None)
    if pages is None:
        pages = app.state.tracking_pages = RenderedPages()
    return pages


def _render_page(view: TrackingView, token: str, lang: Language) -> bytes:
    days: dict[str, list[dict[str, str]]] = {}
    for slot in view.slots:
        days.setdefault(slot.date, []).append(asdict(slot))
    context = {"lang": lang, "t": TEXT[lang], "refusals": REFUSALS[lang], "view": view, "days": days, "token": token,
               "other_lang": "en" if lang == "vi" else "vi"}
    return templates.get_template("tracking/page.html").render(context).encode()


@router.post(
    "/t/{token}/reschedule",
    response_model=TrackingView,
    summary="Choose another delivery window, or collecting at the post office",
    responses=error_responses(404, 409, 422, 429),
    dependencies=[Limited],
)
def reschedule_delivery(session: SessionDep, token: str, body: RescheduleIn, lang: LangQuery = "vi") -> Any:
    item = tracking_links.resolve(session, token)
    reschedule.reschedule(session, item=item, choice=body.choice, day=body.date, slot=body.slot)
    return public_view.tracking_view(session, item, language=lang)
