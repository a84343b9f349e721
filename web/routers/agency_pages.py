"""Server-rendered pages for agency and counter clerks (Vietnamese by default, English
with ``?lang=en``; no JavaScript), and the public verification page of a printed
handover record.

Clerks sign in with their username and password at ``/desk/login``; the access token
lives in an HttpOnly, SameSite=Strict cookie, and every form carries a CSRF field (an
HMAC of the token under the secret key). Actions run in a savepoint: a refusal is shown
on the page and leaves nothing behind (a wrong code still counts, as in the API).

``/verify/handover/{code}?h=<sha256>`` needs no sign-in and shows only the record code,
kind, time, the two institutions, the number of items and whether it is genuine. Each
request spends one lookup of the client's bucket in the tracking page's limiter (the
same per-client budget for every public lookup by code or token): 429 with Retry-After.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api_core.deps import SessionDep
from logistics.accounts import tokens, users
from logistics.config import get_settings
from logistics.exceptions import DomainError, Forbidden, InvalidInput, Unauthorized
from logistics.handovers import confirmation, desk, documents, integrity, places, records, results, schemas
from logistics.models import User
from logistics.models.enums import LineOutcome, Role
from logistics.models.types import utcnow
from logistics.workdays import LOCAL_TZ
from web import desk_text, error_text
from web.routers.tracking_page import Limited

router = APIRouter(tags=["agency pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
templates.env.filters["vnd"] = documents.vnd
templates.env.filters["local"] = documents.local
COOKIE = "desk_session"
CLERKS = frozenset({Role.AGENCY_CLERK, Role.COUNTER_CLERK})


def _sign_in_required() -> HTTPException:
    # A redirect raised from a dependency: the project's error handler keeps the Location header.
    return HTTPException(303, "Sign in first.", headers={"Location": "/desk/login"})


def _csrf(token: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, b"desk-csrf:" + tokens.digest(token).encode(), hashlib.sha256).hexdigest()


class Clerk:
    def __init__(self, user: User, token: str) -> None:
        self.user, self.csrf = user, _csrf(token)


def _clerk(request: Request, session: SessionDep) -> Clerk:
    token = request.cookies.get(COOKIE)
    if not token:
        raise _sign_in_required()
    try:
        user, _ = tokens.authenticate(session, token)
    except Unauthorized:
        raise _sign_in_required() from None
    if user.role not in CLERKS:
        raise _sign_in_required()
    return Clerk(user, token)


ClerkDep = Annotated[Clerk, Depends(_clerk)]


def _lang(request: Request) -> desk_text.Language:
    return desk_text.choose(request.query_params.get("lang"), request.cookies.get(desk_text.COOKIE))


def _text(request: Request, key: str, **values: str) -> str:
    return desk_text.TEXT[_lang(request)][key].format(**values)


def _refusal(request: Request, exc: DomainError) -> str:
    """The domain's refusal in the page's language."""
    return error_text.sentence(exc, _lang(request))


def _page(request: Request, name: str, status_code: int = 200, *, here: str, **context: Any) -> HTMLResponse:
    """Render ``agency/name`` in the request's language; ``here`` is the page's GET address
    (the language switch links to it: a form's answer is not at an address one can reload)."""
    lang = _lang(request)
    other = "en" if lang == "vi" else "vi"
    sep = "&" if "?" in here else "?"
    response = templates.TemplateResponse(request, f"agency/{name}", {
        "lang": lang, "t": desk_text.TEXT[lang], "labels": desk_text.LABELS[lang],
        "switch_url": f"{here}{sep}lang={other}", **context,
    }, status_code=status_code)
    if request.query_params.get("lang") in desk_text.LANGUAGES:
        response.set_cookie(desk_text.COOKIE, lang, httponly=True, samesite="lax", path="/", max_age=365 * 86400)
    return response


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def _check_csrf(clerk: Clerk, csrf: str) -> None:
    if not hmac.compare_digest(clerk.csrf, csrf or ""):
        raise Forbidden("The form is stale; reload the page.", code="csrf_failed")


@router.get("/desk/login", response_class=HTMLResponse)
def login_form(request: Request) -> Any:
    return _page(request, "login.html", here="/desk/login")


@router.post("/desk/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=60)],
          password: Annotated[str, Form(max_length=200)]) -> Any:
    try:
        user = users.check_credentials(session, username=username.strip(), secret=password)
        if user.role not in CLERKS:
            raise Unauthorized("Trang này dành cho cán bộ cơ quan và bộ phận một cửa.", code="not_a_clerk")
    except Unauthorized:
        return _page(request, "login.html", status_code=401, here="/desk/login", error=_text(request, "login_failed"))
    pair = tokens.issue_pair(session, user=user)
    response = RedirectResponse("/desk", status_code=303)
    response.set_cookie(COOKIE, pair.access_token, httponly=True, samesite="strict", path="/",
                        secure=get_settings().public_base_url.startswith("https"))
    return response


@router.post("/desk/logout")
def logout() -> Response:
    response = RedirectResponse("/desk/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, session: SessionDep, clerk: ClerkDep, day: Annotated[date | None, Query()] = None) -> Any:
    view = desk.day_at_desk(session, user=clerk.user, day=day or _today())
    return _page(request, "desk.html", here="/desk", clerk=clerk, view=view)


def _handover_page(request: Request, session, clerk: Clerk, code: str, *, status_code: int = 200, **extra: Any) -> HTMLResponse:  # noqa: ANN001
    handover = places.get_visible(session, clerk.user, code)
    return _page(request, "handover.html", status_code=status_code, here=f"/desk/handovers/{handover.code}", clerk=clerk,
                 h=schemas.handover_out(session, handover), outcomes=list(LineOutcome), **extra)


@router.get("/desk/handovers/{code}", response_class=HTMLResponse)
def handover_page(request: Request, session: SessionDep, clerk: ClerkDep, code: str) -> Any:
    return _handover_page(request, session, clerk, code)


def _act(request: Request, session, clerk: Clerk, code: str, action: Callable[[], Any], done: str) -> Any:  # noqa: ANN001
    try:
        with session.begin_nested():
            action()
    except DomainError as exc:
        return _handover_page(request, session, clerk, code, status_code=exc.status_code, error=_refusal(request, exc))
    return _handover_page(request, session, clerk, code, message=_text(request, done))


@router.post("/desk/handovers/{code}/confirm", response_class=HTMLResponse)
async def confirm(request: Request, session: SessionDep, clerk: ClerkDep, code: str) -> Any:
    form = await request.form()
    _check_csrf(clerk, str(form.get("csrf", "")))
    handover = places.get_visible(session, clerk.user, code)
    typed = str(form.get("code", ""))
    fee_text = str(form.get("fees_handed_vnd", "")).replace(".", "").strip()
    try:
        appointments = {k.removeprefix("appointment:"): date.fromisoformat(str(v))
                        for k, v in form.items() if k.startswith("appointment:") and v}
        fees_handed = int(fee_text) if fee_text else None
        if fees_handed is not None and not 0 <= fees_handed <= 10_000_000_000:
            raise ValueError("fees out of range")
        places.require_clerk_of(clerk.user, handover)
        records.require_open(handover)
        confirmation.check_code(session, handover=handover, code=typed, now=utcnow())  # a wrong code counts
    except (DomainError, ValueError) as exc:
        detail = _refusal(request, exc) if isinstance(exc, DomainError) else _text(request, "bad_form")
        return _handover_page(request, session, clerk, code, status_code=getattr(exc, "status_code", 422), error=detail)
    return _act(request, session, clerk, code, lambda: confirmation.confirm_with_code(
        session, actor=clerk.user, handover=handover, code=typed, fees_handed_vnd=fees_handed,
        fees_note=str(form.get("fees_note", "")) or None, appointments=appointments), "done_confirm")


@router.post("/desk/handovers/{code}/discrepancy", response_class=HTMLResponse)
def discrepancy(request: Request, session: SessionDep, clerk: ClerkDep, code: str,
                csrf: Annotated[str, Form()], s10: Annotated[str, Form(max_length=20)],
                outcome: Annotated[LineOutcome, Form()], note: Annotated[str, Form(max_length=255)] = "",
                received_originals: Annotated[int | None, Form(ge=0, le=1000)] = None,
                received_copies: Annotated[int | None, Form(ge=0, le=1000)] = None) -> Any:
    _check_csrf(clerk, csrf)
    handover = places.get_visible(session, clerk.user, code)
    change = records.Discrepancy(s10, outcome, note or None, received_originals, received_copies)
    return _act(request, session, clerk, code, lambda: records.record_discrepancy(
        session, actor=clerk.user, handover=handover, change=change), "done_discrepancy")


@router.post("/desk/handovers/{code}/qr", response_class=HTMLResponse)
def show_qr(request: Request, session: SessionDep, clerk: ClerkDep, code: str, csrf: Annotated[str, Form()],
            fees_handed_vnd: Annotated[int | None, Form(ge=0, le=10_000_000_000)] = None) -> Any:
    _check_csrf(clerk, csrf)
    handover = places.get_visible(session, clerk.user, code)
    try:
        token, expires = confirmation.issue_qr_token(session, actor=clerk.user, handover=handover,
                                                     fees_handed_vnd=fees_handed_vnd)
    except DomainError as exc:
        return _handover_page(request, session, clerk, code, status_code=exc.status_code, error=_refusal(request, exc))
    return _handover_page(request, session, clerk, code, qr_svg=documents.qr_svg(token), qr_expires=expires)


@router.get("/desk/handovers/{code}/record.pdf")
def record_pdf(session: SessionDep, clerk: ClerkDep, code: str) -> Response:
    handover = places.get_visible(session, clerk.user, code)
    return Response(documents.handover_record_pdf(session, handover), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="bien-ban-{handover.code}.pdf"'})


def _desk_action(request: Request, session, clerk: Clerk, action: Callable[[], Any], done: str) -> Any:  # noqa: ANN001
    try:
        with session.begin_nested():
            action()
    except DomainError as exc:
        view = desk.day_at_desk(session, user=clerk.user, day=_today())
        return _page(request, "desk.html", status_code=exc.status_code, here="/desk", clerk=clerk, view=view,
                     error=_refusal(request, exc))
    view = desk.day_at_desk(session, user=clerk.user, day=_today())
    return _page(request, "desk.html", here="/desk", clerk=clerk, view=view, message=done)


@router.post("/desk/dossiers/{dossier_code}/appointment", response_class=HTMLResponse)
def appointment(request: Request, session: SessionDep, clerk: ClerkDep, dossier_code: str,
                csrf: Annotated[str, Form()], appointment_date: Annotated[date, Form()]) -> Any:
    _check_csrf(clerk, csrf)

    def act() -> None:
        dossier = results.dossier_for_agency(session, actor=clerk.user, code=dossier_code)
        results.set_appointment(session, actor=clerk.user, dossier=dossier, on=appointment_date, today=_today())

    return _desk_action(request, session, clerk, act, _text(request, "done_appointment", code=dossier_code))


@router.post("/desk/dossiers/{dossier_code}/result-ready", response_class=HTMLResponse)
def result_ready(request: Request, session: SessionDep, clerk: ClerkDep, dossier_code: str,
                 csrf: Annotated[str, Form()]) -> Any:
    _check_csrf(clerk, csrf)

    def act() -> None:
        dossier = results.dossier_for_agency(session, actor=clerk.user, code=dossier_code)
        results.mark_result_ready(session, actor=clerk.user, dossier=dossier)

    return _desk_action(request, session, clerk, act, _text(request, "done_result", code=dossier_code))


@router.get("/verify/handover/{code}", response_class=HTMLResponse, dependencies=[Limited])
def verify_page(request: Request, session: SessionDep, code: str,
                h: Annotated[str | None, Query(max_length=64)] = None) -> Any:
    if len(code) > 40:
        raise InvalidInput("No such record.", code="not_found")
    result = integrity.verify(session, code=code, given_hash=h)
    here = f"/verify/handover/{quote(result.code if result.found else code)}" + (f"?h={quote(h)}" if h else "")
    response = _page(request, "verify.html", status_code=200 if result.found else 404, here=here, v=result)
    response.headers["Cache-Control"] = "no-store"
    return response
