"""The production processes of docker-compose.yml, without containers: the API under
uvicorn with worker processes, a Celery worker and the one beat, on a real PostgreSQL
database and a real Redis. Each runs in its own process group, so a drill can kill -9
a whole service (uvicorn's master and its workers, Celery's main process and its pool)
the way a container dies, and start it again.

    with Stack(env, tmp_path) as stack:
        stack.start_all()
        stack.kill("api"); stack.start("api")
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from logistics.cli.serve import beat_command, worker_command
from logistics.config import Settings
from support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
from support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def stack_env(*, database_url: str, redis_url: str, var_dir: Path, twilio_url: str, **extra: str) -> dict[str, str]:
    """The environment docker-compose.yml gives the app services, pointed at loopback
    servers, with the recovery delays shortened so a drill fits in a minute."""
    return {
        "APP_ENV": "test", "DATABASE_URL": database_url, "JOBS_BROKER_URL": redis_url,
        "JOBS_RESULT_BACKEND": redis_url, "VAR_DIR": str(var_dir), "PUBLIC_BASE_URL": "https://bcci.example.vn",
        "SMS_BACKEND": "twilio", "SMS_SENDER": "BUUDIEN", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_BASE_URL": twilio_url,
        # Quiet hours off (the tests run at any hour); a crashed send's lease and a lost
        # dispatch's grace in seconds, not minutes.
        "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00",
        "NOTIFY_SENDING_LEASE_S": "5", "NOTIFY_DISPATCH_GRACE_S": "2",
        # Longer than any task of the drills (plans of a few seconds), so Redis hands a
        # dead worker's task to the next worker within the drill.
        "BROKER_VISIBILITY_TIMEOUT_S": "20",
        **extra,
    }


class Stack:
    def __init__(self, env: dict[str, str], log_dir: Path, *, api_workers: int = 2, concurrency: int = 1) -> None:
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.settings = Settings(var_dir=Path(env["VAR_DIR"]), database_url=env["DATABASE_URL"],
                                 jobs_broker_url=env["JOBS_BROKER_URL"], jobs_result_backend=env["JOBS_RESULT_BACKEND"])
        self.log_dir = log_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.commands = {
            # The commands of docker-compose.yml's api, worker(s) and beat services.
            "api": [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
                    "--port", str(self.port), "--workers", str(api_workers), "--log-level", "warning"],
            "worker": worker_command(concurrency=concurrency, extra=["-n", f"worker{self.port}@%h"]),
            "beat": beat_command(self.settings),
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self._log_offsets: dict[str, int] = {}

    def __enter__(self) -> Stack:
        Path(self.env["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: Any) -> None:
        for name in list(self.processes):
            self.stop(name)

    # ------------------------------------------------------------ processes

    def start(self, name: str, *, wait: bool = True) -> subprocess.Popen:
        path = self.log_dir / f"{name}.log"
        self._log_offsets[name] = path.stat().st_size if path.exists() else 0
        log = open(path, "ab")  # noqa: SIM115 - the child keeps it
        process = subprocess.Popen(self.commands[name], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log.close()
        self.processes[name] = process
        if wait and name == "api":
            self.wait_for_api()
        if wait and name == "worker":
            self.wait_for_log("worker", "ready.")
        return process

    def start_all(self) -> None:
        self.start("worker", wait=False)
        self.start("beat", wait=False)
        self.start("api")
        self.wait_for_log("worker", "ready.")

    def kill(self, name: str) -> None:
        """kill -9 the service's whole process group, as when its container dies."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        """A graceful stop (SIGTERM, as docker stop), then kill after 20 s."""
        process = self.processes.pop(name)
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass

    # ------------------------------------------------------------ waiting

    def wait_for_api(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes["api"].poll() is not None:
                raise AssertionError("the API exited:\n" + self.tail("api"))
            try:
                if httpx.get(self.base_url + "/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("the API did not start:\n" + self.tail("api"))

    def wait_for_log(self, name: str, text: str, timeout: float = 60) -> None:
        path = self.log_dir / f"{name}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and text in path.read_bytes()[self._log_offsets.get(name, 0):].decode(errors="replace"):
                return
            time.sleep(0.2)
        raise AssertionError(f"{name} never logged {text!r}:\n" + self.tail(name))

    def tail(self, name: str, chars: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.tail(name)}" for name in self.commands)


def wait_until(predicate, timeout: float, what: str, stack: Stack | None = None, every: float = 0.25) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{stack.logs()}" if stack else ""))
