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


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb on a free port), which the test may
    stop and start again: never the machine's shared server."""

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            unavailable("no PostgreSQL server answers and initdb/pg_ctl are not installed")
        self.pg_ctl = pg_ctl
        self.base = Path(tempfile.mkdtemp(prefix="bcci-pg-"))
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: drop to the postgres user
            shutil.chown(self.base, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.data = self.base / "data"
        subprocess.run([*self.as_postgres, initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                        "-E", "UTF8"], check=True, capture_output=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run([*self.as_postgres, self.pg_ctl, "-D", str(self.data), "-l", str(self.base / "log"), "-w",
                        "-o", options, "start"], check=True, capture_output=True)

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run([*self.as_postgres, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
                       capture_output=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, removed at the end."""
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@contextmanager
def _own_postgres() -> Iterator[str]:
    with private_postgres() as cluster:
        yield cluster.url


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
    with private_redis() as server:
        yield server.url


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence (a restart
    loses every queued message: the worst case), which the test may stop and start."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            unavailable("no Redis answers on 127.0.0.1:6379 and redis-server is not installed")
        self.base = Path(tempfile.mkdtemp(prefix="bcci-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.base)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if _redis_answers(self.url):
                return
            time.sleep(0.05)
        unavailable("a private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # no shutdown save: the data is gone, as after a crash
            self.process.wait(timeout=10)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)
