"""The central store installs and runs without the desktop: no Qt, no SQLCipher, no keychain, no
PDF stack on a server that never draws a window (issue: one shared core, two installable apps).

Two proofs. In `make test`: every rhi_central module imported in a fresh interpreter pulls in none
of the desktop's packages, and the declared dependency closure of rhi-central (read from the
installed metadata) contains none of them. In `make proofs`: a brand-new virtual environment gets
only ./core and ./central, and `rhi-central serve` answers /healthz.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import venv
from importlib import metadata
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP_ONLY = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6", "sqlcipher3",
                "keyring", "reportlab", "pyhanko", "rhi-desktop"}  # fmt: skip
DESKTOP_MODULES = ("PySide6", "shiboken6", "sqlcipher3", "keyring", "reportlab", "pyhanko",
                   "rhi_desktop")  # fmt: skip


def _name(requirement: str) -> str:
    return re.split(r"[\s;\[<>=!~(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _closure(dist: str) -> set[str]:
    """Every distribution ``dist`` needs, following installed metadata (extras not taken)."""
    seen: set[str] = set()
    todo = [dist]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if "extra ==" not in r]
    return seen


def test_the_central_dependency_closure_has_no_desktop_package() -> None:
    needed = _closure("rhi-central")
    assert {"rhi-core", "fastapi", "sqlalchemy"} <= needed
    assert not needed & DESKTOP_ONLY, sorted(needed & DESKTOP_ONLY)
    assert not _closure("rhi-core") & (DESKTOP_ONLY | {"sqlalchemy", "fastapi", "httpx"})


def test_importing_all_of_central_loads_nothing_of_the_desktop() -> None:
    script = f"""
import importlib, json, pkgutil, sys
import rhi_central
for m in pkgutil.walk_packages(rhi_central.__path__, "rhi_central."):
    if not m.name.startswith("rhi_central.migrations"):  # Alembic scripts, run by Alembic
        importlib.import_module(m.name)
from rhi_central.app import create_app
print(json.dumps(sorted(n for n in sys.modules if n.split(".")[0] in {DESKTOP_MODULES!r})))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_fresh_venv_with_only_core_and_central_serves(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    install = subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", str(ROOT / "core"), str(ROOT / "central")],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    listed = subprocess.run(
        [str(bin_dir / "pip"), "list", "--format=json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"rhi-core", "rhi-central"} <= installed
    assert not installed & DESKTOP_ONLY, sorted(installed & DESKTOP_ONLY)

    port = _free_port()
    env = {**os.environ, "RHI_CENTRAL_DATABASE_URL": f"sqlite:///{tmp_path / 'central.db'}"}
    env["RHI_CENTRAL_DATA_DIR"] = str(tmp_path / "data")
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        server = subprocess.Popen(
            [str(bin_dir / "rhi-central"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "rhi-central serve did not start in 60 s"
                time.sleep(0.3)
        assert answer.status_code == 200, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
