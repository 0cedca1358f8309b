"""Fixtures for rhi-central: a fresh store per test on SQLite and on a real PostgreSQL, served
by uvicorn on a loopback port and spoken to with httpx over real HTTP, and a kit of helpers
(admin tokens, enrolled laptops, signed payloads).

Real HTTP everywhere rather than Starlette's TestClient: it costs ~50 ms per test and proves the
whole stack (uvicorn, thread pool, connection pool), and it avoids TestClient's deprecation of
httpx in favour of a package we do not otherwise need."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from central.kit import COUNCIL, Kit, LiveServer
from fastapi import FastAPI
from pg import PostgresServer, postgresql_server  # noqa: F401  (session fixture)

from rhi_central.app import create_app
from rhi_central.settings import (
    ENV_CA_PASSPHRASE,
    ENV_COUNCIL_NAME,
    ENV_DATA_DIR,
    ENV_DATABASE_URL,
    ENV_RETENTION_DAYS,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's shell must not leak a real database or CA passphrase into a test.
    for name in (
        ENV_CA_PASSPHRASE,
        ENV_DATABASE_URL,
        ENV_DATA_DIR,
        ENV_COUNCIL_NAME,
        ENV_RETENTION_DAYS,
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.new_database()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(database_url: str, data_dir: Path) -> Iterator[FastAPI]:
    application = create_app(database_url, data_dir=data_dir, council_name=COUNCIL)
    yield application
    application.state.central.db.dispose()


@pytest.fixture
def server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture
def kit(app: FastAPI, client: httpx.Client) -> Kit:
    return Kit(app.state.central, client)
