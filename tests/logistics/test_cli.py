"""The `logistics` command line, run as a user runs it (a subprocess, its own var/)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.servers import free_port

LOGISTICS = str(Path(sys.executable).with_name("logistics"))
pytestmark = pytest.mark.slow


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cli.db'}",
           "JOBS_BROKER_URL": "embedded", "JOBS_RESULT_BACKEND": "", "APP_ENV": "development"}
    env.update(extra)
    return env


def run_cli(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([LOGISTICS, *args], env=_env(tmp_path, **extra), capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)


def test_db_upgrade_and_current(tmp_path):
    """`logistics db upgrade` migrates an empty database; `db current` names the head revision."""
    result = run_cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    current = run_cli(tmp_path, "db", "current")
    assert current.returncode == 0 and current.stdout.strip().isdigit()


def test_seed_twice_and_unknown_province(tmp_path):
    """Seeding prints a summary; seeding the same province again or an unknown one is a clear error."""
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    first = run_cli(tmp_path, "seed", "--province", "Bắc Ninh", "--volume", "80", "--seed", "3")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Seeded Bắc Ninh" in first.stdout
    again = run_cli(tmp_path, "seed", "--province", "Bắc Ninh", "--volume", "80")
    assert again.returncode == 2
    assert "province_already_seeded" in again.stderr
    unknown = run_cli(tmp_path, "seed", "--province", "Atlantis")
    assert unknown.returncode == 2
    assert "unknown_province" in unknown.stderr


def test_serve_answers_health_and_docs_with_a_seeded_province(tmp_path):
    """`logistics serve` on a fresh var/ migrates, seeds, starts worker and beat, and answers."""
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen([LOGISTICS, "serve", "--port", str(port)], env=_env(tmp_path), cwd=tmp_path,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert health is not None and health.status_code == 200, (tmp_path / "serve.log").read_text()[-3000:]
        assert health.json()["database"] == "ok"
        assert httpx.get(f"{base}/docs", timeout=5).status_code == 200
        token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "admin", "password": "123456"}, timeout=10)
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        offices = httpx.get(f"{base}/api/v1/post-offices", headers=headers, timeout=10)
        assert offices.status_code == 200 and len(offices.json()) > 1
        items = httpx.get(f"{base}/api/v1/items", headers=headers, timeout=10)
        assert items.status_code == 200
        worker_log = tmp_path / "var" / "log" / "worker.log"
        for _ in range(60):
            if worker_log.exists() and "ready" in worker_log.read_text():
                break
            time.sleep(0.5)
        assert "ready" in worker_log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    # Stopping serve stops the worker and beat it started (no orphans left running).
    children = [int(line.split("pid ")[1].split(")")[0]) for line in (tmp_path / "serve.log").read_text().splitlines()
                if line.startswith("started ") and "pid " in line]
    assert len(children) == 2
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its (gone) parent: /proc says so.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_seed_refuses_a_real_sms_backend(tmp_path):
    """Demo data (generated but valid phone numbers) is never seeded where SMS really go out."""
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, "seed", "--province", "Lai Châu", "--volume", "10", SMS_BACKEND="twilio")
    assert result.returncode == 2
    assert "demo_needs_console_sms" in result.stderr


def test_plan_command_plans_a_seeded_office(tmp_path):
    """`logistics plan` plans a seeded post office's day and prints the summary table."""
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0
    assert run_cli(tmp_path, "seed", "--province", "Lai Châu", "--volume", "60", "--date", "2026-11-23").returncode == 0
    from sqlmodel import Session, select

    from logistics.db import make_engine
    from logistics.models import PostOffice

    engine = make_engine(_env(tmp_path)["DATABASE_URL"])
    with Session(engine) as session:
        code = session.exec(select(PostOffice.code).order_by(PostOffice.id)).first()
    engine.dispose()
    result = run_cli(tmp_path, "plan", "--post-office", code, "--date", "2026-11-23", "--time-limit", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Plan of {code}" in result.stdout
    again = run_cli(tmp_path, "plan", "--post-office", code, "--date", "2026-11-23", "--time-limit", "3", "--reoptimise")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Plan of {code}" in again.stdout
    missing = run_cli(tmp_path, "plan", "--post-office", "NOPE", "--date", "2026-11-23")
    assert missing.returncode == 2 and "post_office_not_found" in missing.stderr
