"""SMS providers behind one interface; the only module that imports ``twilio``.

A provider has a ``name`` and one method::

    send(to_e164, body, *, status_callback) -> ProviderReceipt(sid, status)

raising :class:`SmsTransientError` when trying again later may work (HTTP 429, 5xx,
network trouble: the outbox retries with backoff) or :class:`SmsPermanentError` when
it never will (an invalid or unsubscribed number: recorded, not retried).

``console`` (the embedded default) keeps messages in memory and logs them masked;
``twilio`` calls the real SDK. A local gateway (eSMS.vn, a carrier's brandname API,
Zalo ZNS) is a class with that one method, mapping its own error codes to the two
exceptions, registered with ``@register_provider("esms")``.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol
from urllib.parse import urlsplit, urlunsplit

from logistics.config import Settings, get_settings
from logistics.phones import mask_phone

log = logging.getLogger(__name__)
# The SDK logs every request's URL and headers at INFO; a worker at -l info would print
# one block per SMS. Warnings and errors still show.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

STATUS_CALLBACK_PATH: Final = "/webhooks/twilio/status"

# Twilio error codes that no retry can fix (PLATFORM.md §1 and Twilio's error list).
PERMANENT_TWILIO_CODES: Final = frozenset({
    21211,  # invalid 'To' number
    21212,  # invalid 'From' (the sender)
    21408,  # no permission to send to the region
    21606,  # 'From' cannot send SMS
    21608,  # unverified number (trial account)
    21610,  # recipient unsubscribed (STOP)
    21612,  # unroutable 'To'
    21614,  # 'To' is not a mobile number
    21617,  # body too long
})


@dataclass(frozen=True)
class ProviderReceipt:
    sid: str
    status: str  # the provider's word: queued, accepted, sent...


class SmsError(Exception):
    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, code)
        self.message, self.code = message, code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


class SmsTransientError(SmsError):
    """Try again later: the message was not accepted, but may be."""


class SmsPermanentError(SmsError):
    """The provider refused this message for good."""


class SmsProvider(Protocol):
    name: str

    def send(self, to_e164: str, body: str, *, status_callback: str | None = None) -> ProviderReceipt: ...


def redact(to_e164: str, body: str) -> str:
    """What a log line may say about a message: a masked number and the body's size."""
    try:
        phone = mask_phone(to_e164)
    except Exception:  # noqa: BLE001 - never let logging fail a send
        phone = "***"
    return f"to={phone} chars={len(body)}"


# ------------------------------------------------------------------ console


@dataclass(frozen=True)
class ConsoleMessage:
    sid: str
    to_e164: str
    body: str
    status_callback: str | None


class ConsoleProvider:
    """Stores messages in memory (for the demo and tests) and logs that it did, masked."""

    name = "console"

    def __init__(self) -> None:
        self.outbox: list[ConsoleMessage] = []
        self._lock = threading.Lock()

    def send(self, to_e164: str, body: str, *, status_callback: str | None = None) -> ProviderReceipt:
        sid = "CO" + uuid.uuid4().hex
        with self._lock:
            self.outbox.append(ConsoleMessage(sid, to_e164, body, status_callback))
        log.info("SMS stored by the console provider: sid=%s %s", sid, redact(to_e164, body))
        return ProviderReceipt(sid=sid, status="sent")


# ------------------------------------------------------------------- twilio


def _local_http_client(base_url: str, timeout: float):  # noqa: ANN202 - SDK type
    from twilio.http.http_client import TwilioHttpClient

    class LocalTwilioHttpClient(TwilioHttpClient):
        """Sends the SDK's requests to a Twilio-compatible server (PLATFORM.md §1)."""

        def __init__(self, base: str, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._base = urlsplit(base)

        def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN202 - SDK signature
            parts = urlsplit(url)
            local = urlunsplit((self._base.scheme, self._base.netloc, parts.path, parts.query, parts.fragment))
            return super().request(method, local, *args, **kwargs)

    return LocalTwilioHttpClient(base_url, timeout=timeout)


class TwilioProvider:
    """Twilio's Messages API through the official SDK, from an alphanumeric sender."""

    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str, sender: str, base_url: str = "", timeout: float = 10.0) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        http_client = _local_http_client(base_url, timeout) if base_url else TwilioHttpClient(timeout=timeout)
        # requests reads the proxy variables from the whole environment on every request
        # (2 ms of CPU per SMS in a worker, measured with cProfile): read them once.
        http_client.session.proxies = urllib.request.getproxies()
        http_client.session.trust_env = False
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.sender = sender

    def send(self, to_e164: str, body: str, *, status_callback: str | None = None) -> ProviderReceipt:
        import requests
        from twilio.base.exceptions import TwilioRestException, TwilioServiceException

        try:
            message = self.client.messages.create(to=to_e164, from_=self.sender, body=body, status_callback=status_callback)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(int(exc.status or 0), exc.code, getattr(exc, "msg", None) or str(exc)) from None
        except requests.RequestException as exc:
            # A timeout may come after Twilio accepted the message: the retry can
            # duplicate it (Twilio has no idempotency key). Not retrying would lose it.
            raise SmsTransientError(f"network error talking to Twilio: {type(exc).__name__}", "network") from None
        return ProviderReceipt(sid=message.sid, status=str(message.status or "queued"))


def _classify(status: int, code: int | None, message: str) -> SmsError:
    text = f"HTTP {status}: {message}"[:250]
    code_text = str(code) if code else str(status)
    if code in PERMANENT_TWILIO_CODES:
        return SmsPermanentError(text, code_text)
    # 429 was never processed and 5xx are Twilio's trouble; 401/403 are our
    # configuration, fixed by an operator, after which the message can still go.
    if status == 429 or status >= 500 or status in (401, 403) or status == 0:
        return SmsTransientError(text, code_text)
    return SmsPermanentError(text, code_text)


def verify_twilio_signature(url: str, params: dict[str, str], signature: str, *, auth_token: str) -> bool:
    """Whether ``signature`` (``X-Twilio-Signature``) signs ``url`` + ``params`` with ``auth_token``."""
    from twilio.request_validator import RequestValidator

    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


# ----------------------------------------------------------------- registry

ProviderFactory = Callable[[Settings], SmsProvider]
_FACTORIES: dict[str, ProviderFactory] = {}
_instances: dict[tuple[str, str, str], SmsProvider] = {}
_instances_lock = threading.Lock()


def register_provider(name: str) -> Callable[[ProviderFactory], ProviderFactory]:
    """Register ``factory(settings) -> provider`` under ``name`` (the ``SMS_BACKEND`` value)."""

    def register(factory: ProviderFactory) -> ProviderFactory:
        _FACTORIES[name] = factory
        return factory

    return register


@register_provider("console")
def _console(settings: Settings) -> SmsProvider:
    return ConsoleProvider()


@register_provider("twilio")
def _twilio(settings: Settings) -> SmsProvider:
    return TwilioProvider(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        sender=settings.sms_sender,
        base_url=settings.twilio_base_url,
    )


def get_provider(settings: Settings | None = None) -> SmsProvider:
    """The configured provider, one per process and configuration (it pools connections)."""
    settings = settings or get_settings()
    key = (settings.sms_backend, settings.twilio_base_url, settings.twilio_account_sid)
    with _instances_lock:
        provider = _instances.get(key)
        if provider is None:
            factory = _FACTORIES.get(settings.sms_backend)
            if factory is None:
                known = ", ".join(sorted(_FACTORIES))
                raise SmsPermanentError(f"unknown SMS_BACKEND {settings.sms_backend!r} (known: {known})", "config")
            provider = _instances[key] = factory(settings)
        return provider


def reset_providers() -> None:
    """Forget the provider instances (tests that change the settings call this)."""
    with _instances_lock:
        _instances.clear()


def status_callback_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.public_base_url.rstrip("/") + STATUS_CALLBACK_PATH
