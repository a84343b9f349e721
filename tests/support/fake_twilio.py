"""A Twilio-compatible HTTP server on loopback for tests and benchmarks (PLATFORM.md §1).

It answers ``POST /2010-04-01/Accounts/{sid}/Messages.json`` the way Twilio does (201
and a JSON message with an ``SM…`` sid), records every request, can be told to answer
429, 500 or a 400 with a Twilio error code for given numbers, and posts status
callbacks signed the way Twilio signs them (``RequestValidator.compute_signature``).

    with FakeTwilio() as fake:
        settings = Settings(sms_backend="twilio", twilio_base_url=fake.url, ...)
        ...
        fake.fail("+84912345678", status=429, code=20429, times=2)
        fake.post_status(sid, "delivered")
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test_auth_token_0123456789abcdef"


@dataclass(frozen=True)
class Recorded:
    sid: str | None  # None when the fake answered an error
    to: str
    sender: str
    body: str
    status_callback: str | None
    answered: int  # HTTP status the fake answered
    authorization: str
    at: float


@dataclass
class _Failure:
    status: int
    code: int
    remaining: int | None  # None: for ever


@dataclass
class FakeTwilio:
    auth_token: str = AUTH_TOKEN
    account_sid: str = ACCOUNT_SID
    latency_s: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    _failures: dict[str, deque[_Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's pooled session expects
            # Headers and body leave in two writes: without this, Nagle + delayed ACK
            # cost 40 ms per request (measured: 48 ms -> under 2 ms per send).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, payload = fake._answer(self.path, form, self.headers.get("Authorization", ""))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionResetError:  # a client killed mid-connection (the crash tests)
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-twilio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------ behaviour

    def fail(self, to: str, *, status: int, code: int, times: int | None = None) -> None:
        """Answer ``status`` with Twilio error ``code`` for messages to ``to`` (``times`` times, or always)."""
        with self._lock:
            self._failures.setdefault(to, deque()).append(_Failure(status, code, times))

    def _answer(self, path: str, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        if self.latency_s:
            time.sleep(self.latency_s)
        if not path.endswith("/Messages.json") or f"/Accounts/{self.account_sid}/" not in path:
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        to = form.get("To", "")
        with self._lock:
            failure = self._next_failure(to)
            if failure is not None:
                self.requests.append(Recorded(None, to, form.get("From", ""), form.get("Body", ""),
                                              form.get("StatusCallback"), failure.status, authorization, time.time()))
                return failure.status, {
                    "code": failure.code, "message": f"fake error {failure.code}",
                    "more_info": f"https://www.twilio.com/docs/errors/{failure.code}", "status": failure.status,
                }
            sid = "SM" + uuid.uuid4().hex
            self.requests.append(Recorded(sid, to, form.get("From", ""), form.get("Body", ""),
                                          form.get("StatusCallback"), 201, authorization, time.time()))
        return 201, {
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": form.get("From"), "body": form.get("Body"),
            "status": "queued", "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
            "error_code": None, "error_message": None, "price": None, "uri": f"{path[:-5]}/{sid}.json",
        }

    def _next_failure(self, to: str) -> _Failure | None:
        queue = self._failures.get(to)
        while queue:
            failure = queue[0]
            if failure.remaining is None:
                return failure
            if failure.remaining > 0:
                failure.remaining -= 1
                if failure.remaining == 0:
                    queue.popleft()
                return failure
            queue.popleft()
        return None

    # ------------------------------------------------------------ callbacks

    def accepted(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.sid is not None]

    def callback_params(self, sid: str, status: str, *, error_code: str | None = None) -> dict[str, str]:
        sent = next(r for r in self.accepted() if r.sid == sid)
        params = {
            "MessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid, "MessageStatus": status,
            "SmsStatus": status, "To": sent.to, "From": sent.sender, "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        return params

    def sign(self, url: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    def post_status(self, sid: str, status: str, *, url: str | None = None, error_code: str | None = None) -> int:
        """POST a signed status callback for ``sid`` to its StatusCallback (or ``url``); the HTTP status."""
        sent = next(r for r in self.accepted() if r.sid == sid)
        target = url or sent.status_callback
        assert target, "the message had no StatusCallback"
        params = self.callback_params(sid, status, error_code=error_code)
        request = urllib.request.Request(
            target, data=urllib.parse.urlencode(params).encode(), method="POST",
            headers={"X-Twilio-Signature": self.sign(target, params),
                     "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code
