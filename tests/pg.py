"""A throwaway PostgreSQL server for tests: a session-scoped fixture and a small helper class.

Debian's PostgreSQL 15 binaries (``initdb``, ``pg_ctl``) run in a temp dir, listening on
127.0.0.1 at a free port with trust auth, fsync off (a test database need not survive a power
cut). PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(``runuser``); otherwise as the current user. Each test that wants a clean database asks for
one with ``new_database()`` (CREATE DATABASE is ~50 ms; far cheaper than a server per test).

Use it from a conftest::

    from pg import postgresql_server  # noqa: F401  (re-exported fixture)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")
SUPERUSER = "postgres"


def _bin(name: str) -> str | None:
    for folder in PG_BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One running server; ``url(db)`` for SQLAlchemy, ``new_database()`` for a clean one."""

    def __init__(
        self, root: Path, port: int, as_postgres_user: bool, durable: bool = False
    ) -> None:
        self.root = root
        self.durable = durable
        self.data = root / "data"
        self.port = port
        self.host = "127.0.0.1"
        self._as_postgres = as_postgres_user

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        cmd = list(argv)
        if self._as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        assert initdb and pg_ctl
        done = self._run(
            initdb, "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = f"-h {self.host} -p {self.port} -k {self.root} -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = self._run(
            pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        if done.returncode:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()}\n{log}")

    def stop(self) -> None:
        pg_ctl = _bin("pg_ctl")
        if pg_ctl and (self.data / "postmaster.pid").exists():
            self._run(pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        dsn = f"host={self.host} port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def available() -> bool:
    return bool(_bin("initdb") and _bin("pg_ctl"))


@contextlib.contextmanager
def running_server(durable: bool = False) -> Iterator[PostgresServer]:
    """Start a server in a temp dir; stop it and delete everything afterwards.

    ``durable`` keeps fsync on (for performance measurements that should not flatter us)."""
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="rhi-pg-"))
    try:
        if as_root:
            shutil.chown(root, user=SUPERUSER, group=SUPERUSER)
        server = PostgresServer(root, _free_port(), as_root, durable)
        try:
            server.start()
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session (skips if PostgreSQL is not installed)."""
    if not available():
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    with running_server() as server:
        yield server
