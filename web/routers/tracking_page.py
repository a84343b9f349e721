"""The citizen's tracking page behind the SMS link: ``/t/{token}``.

``GET /t/{token}`` is a mobile-first HTML page in Vietnamese (``?lang=en`` for English),
``GET /t/{token}.json`` its JSON twin, ``POST /t/{token}/reschedule`` the citizen's new
delivery window or "hold at the post office". The token is the only credential: the
page shows nothing of the dossier and only masked personal data
(``notify.public_view``). Every request spends one lookup of the client's rate-limit
bucket (``tracking.links.LookupLimiter``; the client is ``request.client.host``, which
is the real address only when uvicorn runs with ``--proxy-headers`` behind the proxy).
"""

from __future__ import annotations

from dataclasses import asdict
import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.exceptions import NotFound
from logistics.notify import public_view, reschedule
from logistics.notify.public_view import TrackingView
from logistics.tracking import links as tracking_links

router = APIRouter(tags=["tracking"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

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


class RescheduleIn(BaseModel):
    choice: Literal["window", "hold_at_post_office"]
    date: dt.date | None = Field(default=None, description="a working day among the offered ones (window only)")
    slot: str | None = Field(default=None, max_length=11, examples=["14:00-16:00"])


def lookup_allowed(request: Request) -> None:
    """Spend one lookup of the client's bucket; 429 with Retry-After when it is empty."""
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
    dependencies=[Limited],
)
def tracking_json(session: SessionDep, token: str, lang: LangQuery = "vi") -> Any:
    subject = public_view.load_subject(session, token)
    return public_view.tracking_view(session, subject.item, language=lang, subject=subject)


@router.get(
    "/t/{token}",
    response_class=HTMLResponse,
    summary="Tracking page of one item (HTML)",
    responses=error_responses(429),
    dependencies=[Limited],
)
def tracking_page(request: Request, session: SessionDep, token: str, lang: LangQuery = "vi") -> Any:
    try:
        subject = public_view.load_subject(session, token)
    except NotFound:
        return templates.TemplateResponse(request, "tracking/not_found.html",
                                          {"lang": lang, "t": TEXT[lang]}, status_code=404)
    view = public_view.tracking_view(session, subject.item, language=lang, subject=subject)
    days: dict[str, list[dict[str, str]]] = {}
    for slot in view.slots:
        days.setdefault(slot.date, []).append(asdict(slot))
    context = {"lang": lang, "t": TEXT[lang], "view": view, "days": days, "token": token,
               "other_lang": "en" if lang == "vi" else "vi"}
    return templates.TemplateResponse(request, "tracking/page.html", context)


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
