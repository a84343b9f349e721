"""A one-stop system's webhook receiver on loopback, for tests: it checks each request's
signature with ``logistics.webhooks.signing.verify``, records it, and answers a status
taken from a script (e.g. 500 twice, then 200), or sleeps past the client's timeout.

    with WebhookReceiver(secret="whsec_...", script=[500, 500]) as hook:
        ... POST to hook.url ...
        hook.received  # [Received(...), ...]
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from logistics.webhooks import signing


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, *, secret: str = "", script: list[int | str] | None = None) -> None:
        self.secret = secret
        self.script: deque[int | str] = deque(script or [])  # an int status, or "sleep:<s>"
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    step = receiver.script.popleft() if receiver.script else 200
                if isinstance(step, str) and step.startswith("sleep:"):
                    time.sleep(float(step.split(":", 1)[1]))
                    step = 200
                ok = signing.verify(receiver.secret, dict(self.headers.items()), body)
                status = int(step) if ok else 401
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body, ok, status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "try again"}')

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/bcci"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.answered < 300]

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
