"""Fixtures for the console: a served central with staff of every role (SQLite for the shared
session server; SQLite and a real PostgreSQL where the database matters), and for the browser
tests a session-scoped headless Chromium (Debian's package, driven by Playwright) with axe-core
from npm (tests/console/node, installed by make from its lockfile)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from console.browser import Console
from console.kit import OPEN_CLIENTS, ConsoleServer, episode_of, put_child, served_console
from pg import PostgresServer, postgresql_server  # noqa: F401  (session fixture)

from rhi_central.oversight.tasks import raise_due
from rhi_central.settings import (
    ENV_CA_PASSPHRASE,
    ENV_COUNCIL_NAME,
    ENV_DATA_DIR,
    ENV_DATABASE_URL,
    ENV_RETENTION_DAYS,
)

NODE = Path(__file__).with_name("node")
AXE_JS = NODE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("RHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Nothing leaves the machine: Chromium's own lookups of Google hosts resolve to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        ENV_CA_PASSPHRASE,
        ENV_DATABASE_URL,
        ENV_DATA_DIR,
        ENV_COUNCIL_NAME,
        ENV_RETENTION_DAYS,
    ):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("RHI_CENTRAL_OIDC_", "RHI_CENTRAL_SMTP_", "RHI_CENTRAL_DIGEST")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.new_database()


@pytest.fixture
def fresh(database_url: str, tmp_path: Path) -> Iterator[ConsoleServer]:
    """A console of its own, on SQLite and on PostgreSQL."""
    with served_console(database_url, tmp_path / "data") as server:
        yield server


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """One console for the whole session (tests use their own children: unique case numbers)."""
    root = tmp_path_factory.mktemp("console")
    with served_console(f"sqlite:///{root / 'central.db'}", root / "data") as server:
        yield server


@pytest.fixture(scope="session")
def world(console: ConsoleServer) -> dict[str, str]:
    """A child of each kind the pages need, and the ids the route matrix fills paths with."""
    now = datetime.now(UTC)
    put_child(console.central, "00000000-0000-4000-8000-00000000a001", worker="Jane Smith",
              case_number="W000001", started=now - timedelta(days=6), returned=None,
              first_name="Alex", last_name="Missing")  # fmt: skip
    put_child(console.central, "00000000-0000-4000-8000-00000000a002", worker="Otto Other",
              case_number="W000002", started=now - timedelta(days=2), returned=now - timedelta(hours=30),
              first_name="Billie", last_name="Back")  # fmt: skip
    with console.central.db.transaction() as s:
        raised = raise_due(s, now)
    return {
        "own_child": "00000000-0000-4000-8000-00000000a001",
        "other_child": "00000000-0000-4000-8000-00000000a002",
        "episode": episode_of("00000000-0000-4000-8000-00000000a001"),
        "task": raised[0].id,
    }


# --- The browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event
    loop running in the main thread while it is open, and later tests (pyHanko's asyncio.run)
    must not find one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make venv` (npm ci in {NODE})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser: object, console: ConsoleServer) -> Iterator[Console]:
    """A fresh browser profile (no cookies) on the session console. Its content security policy
    is bypassed so axe-core can be injected; ``test_console_pages`` checks the pages under the
    real policy too."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    try:
        yield Console(context.new_page(), console.url, str(AXE_JS))
    finally:
        context.close()
