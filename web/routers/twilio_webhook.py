"""``POST /webhooks/twilio/status``: Twilio's delivery reports for the SMS we sent.

The request must carry a valid ``X-Twilio-Signature``: an HMAC of the URL Twilio called
and the form fields, keyed with our auth token. Twilio signs the PUBLIC URL (the one in
``StatusCallback``: ``PUBLIC_BASE_URL`` + this path); behind a proxy the app sees
another scheme and host, so the URL is rebuilt from the setting rather than from the
request's Host and X-Forwarded-* headers (which a forger controls). A forged or unsigned
report gets 403 in the one error shape and changes nothing. A replayed report is valid
and harmless: reports only ever move a message forward (``notify.delivery_status``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel

from api_core.deps import SessionDep
from api_core.errors import error_responses
from logistics.config import Settings, get_settings
from logistics.exceptions import Forbidden, InvalidInput
from logistics.notify import delivery_status, sms

router = APIRouter(tags=["webhooks"])


class StatusReportAck(BaseModel):
    matched: bool
    changed: bool
    status: str | None


async def twilio_form(request: Request) -> dict[str, str]:
    """The form fields as Twilio signed them (one value per name)."""
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


def _settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or get_settings()


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio called: the configured public base, this path, the query if any."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


@router.post(
    sms.STATUS_CALLBACK_PATH,
    response_model=StatusReportAck,
    summary="Twilio delivery report (signed)",
    responses=error_responses(403, 422),
)
def twilio_status(
    request: Request,
    session: SessionDep,
    form: Annotated[dict[str, str], Depends(twilio_form)],
    x_twilio_signature: Annotated[str | None, Header()] = None,
) -> Any:
    settings = _settings(request)
    token = settings.twilio_auth_token.get_secret_value()
    if not sms.verify_twilio_signature(public_url(request, settings), form, x_twilio_signature or "", auth_token=token):
        raise Forbidden("The request is not signed by Twilio for this address.", code="invalid_signature")
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if not sid or not status:
        raise InvalidInput("A status report needs MessageSid and MessageStatus.", code="incomplete_status_report")
    update = delivery_status.record_status(session, sid=sid, provider_status=status, error_code=form.get("ErrorCode"))
    return StatusReportAck(matched=update.matched, changed=update.changed,
                           status=update.status.value if update.status else None)
