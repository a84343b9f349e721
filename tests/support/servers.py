"""Find or start the real servers the tests need.

Order (PLATFORM.md §3): an explicit URL from the environment, then the service on its
standard port (the development and CI machines run PostgreSQL and Redis), then a
private server started on a free port. When none can be had, tests are skipped with
the reason, except under ``CI=true`` where that is a failure: CI must never pass by
skipping the real-server tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("select 1")
        return True
    except psycopg.Error:
        return False


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@contextmanager
def _own_postgres() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        unavailable("no PostgreSQL server answers and initdb/pg_ctl are not installed")
    base = Path(tempfile.mkdtemp(prefix="bcci-pg-"))
    port = free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: drop to the postgres user
        shutil.chown(base, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    subprocess.run([*as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-l", str(base / "log"), "-w", "-o", options, "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """A URL of a PostgreSQL server where the tests may create databases."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        if not _pg_answers(explicit):
            unavailable(f"TEST_DATABASE_URL={explicit} does not answer")
        yield explicit
        return
    if _pg_answers(DEFAULT_PG):
        yield DEFAULT_PG
        return
    with _own_postgres() as url:
        yield url


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"bcci_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(server_url)
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_server() -> Iterator[str]:
    """A URL of a Redis database the tests own (flushed before use)."""
    explicit = os.environ.get("TEST_REDIS_URL")
    if explicit:
        if not _redis_answers(explicit):
            unavailable(f"TEST_REDIS_URL={explicit} does not answer")
        yield explicit
        return
    if _redis_answers(DEFAULT_REDIS):
        # A database number of our own on the shared server (databases 1-15, by process,
        # so two test runs on one machine do not consume each other's tasks); only it is
        # flushed.
        yield f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}"
        return
    binary = shutil.which("redis-server")
    if not binary:
        unavailable("no Redis answers on 127.0.0.1:6379 and redis-server is not installed")
    base = Path(tempfile.mkdtemp(prefix="bcci-redis-"))
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(base)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            if _redis_answers(url):
                break
            time.sleep(0.05)
        else:
            unavailable("a private redis-server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)
