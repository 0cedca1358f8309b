"""Helpers shared by the benchmarks that need more than a cached demo profile: a scratch copy of
one, a fresh laptop profile, a Qt application, percentiles, a durable PostgreSQL server and
``rhi-central serve`` in a subprocess.

The PostgreSQL server is the test suite's (``tests/pg.py``: Debian's PostgreSQL 15 binaries,
run as the ``postgres`` user when root), always started ``durable`` (fsync on) so the figures do
not flatter the store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks import fixtures

TESTS = fixtures.REPO / "tests"
WORKER = "Bench Worker"
PASSPHRASE = "correct horse battery staple"


def tests_on_path() -> None:
    """Make the test helpers (``pg``, ``keyring_memory``, ``central.kit``) importable."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))


def memory_keyring() -> None:
    """Device tokens and secrets go to memory, never to the keyring of the machine."""
    tests_on_path()
    import keyring
    from keyring_memory import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return float(ordered[int(rank) - 1])


@contextlib.contextmanager
def scratch_copy(profile: fixtures.CachedProfile) -> Iterator[Path]:
    """A throwaway copy of a cached profile folder, for benchmarks that write to it."""
    with tempfile.TemporaryDirectory(prefix="rhi-bench-", dir=fixtures.cache_dir()) as tmp:
        target = Path(tmp) / "profile"
        shutil.copytree(profile.root, target)
        yield target


@contextlib.contextmanager
def fresh_profile(worker: str = WORKER) -> Iterator[Any]:
    """A new, empty, encrypted laptop profile (a cheap KDF: unlocking is not measured)."""
    from rhi_desktop.security.keys import KdfParams
    from rhi_desktop.services.profiles import create_profile

    memory_keyring()
    with tempfile.TemporaryDirectory(prefix="rhi-bench-") as tmp:
        profile = create_profile(
            Path(tmp) / "laptop",
            worker_name=worker,
            passphrase=PASSPHRASE,
            kdf=KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1),
        )
        try:
            yield profile
        finally:
            profile.close()


def qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    from rhi_desktop.app import make_app

    app = QApplication.instance()
    return app if app is not None else make_app(["rhi-desktop-bench"])


def pg_available() -> bool:
    tests_on_path()
    import pg

    return pg.available()


@contextlib.contextmanager
def postgres() -> Iterator[Any]:
    """A durable (fsync on) PostgreSQL 15 server in a temp dir, stopped and deleted afterwards."""
    tests_on_path()
    import pg

    with pg.running_server(durable=True) as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raw_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextlib.contextmanager
def central_server(database_url: str, data_dir: Path, workers: int | None = 1) -> Iterator[str]:
    """``rhi-central serve`` on a free loopback port in its own process; yields its base URL.
    ``workers=None``: serve's default (one process per core on PostgreSQL)."""
    import httpx

    port = free_port()
    env = dict(os.environ, RHI_CENTRAL_DATA_DIR=str(data_dir))
    log = open(data_dir / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "rhi_central.cli", "serve", "--port", str(port),
         *(["--workers", str(workers)] if workers is not None else []),
         "--database-url", database_url],
        stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=fixtures.REPO,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"rhi-central serve exited with {server.returncode}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("rhi-central serve did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


def enrol_codes(
    database_url: str,
    n: int,
    data_dir: Path,
    form_text: str | None = None,
    workers: list[str] | None = None,
) -> list:
    """Publish `form_text` (default: the built-in questionnaire) and make `n` enrol codes (for
    `workers`, default "Bench Worker 0..n-1"): central takes interviews only from the worker a
    laptop is enrolled for."""
    from rhi_central import ops
    from rhi_central.db import Database, open_engine
    from rhi_core.forms.bundled import builtin_path

    os.environ["RHI_CENTRAL_DATA_DIR"] = str(data_dir)
    text = form_text or Path(builtin_path("rhi-v1")).read_text(encoding="utf-8")
    db = Database(open_engine(database_url))
    try:
        with db.transaction() as s:
            ops.publish_form(s, text, "bench")
            names = workers or [f"{WORKER} {i}" for i in range(n)]
            return [ops.create_enrol_code(s, name, "bench")[0] for name in names[:n]]
    finally:
        db.dispose()
