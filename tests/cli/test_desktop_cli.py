"""The rhi-desktop command as a user runs it: a real process, real profile, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "rhi_desktop"]


def run(*args: str, passphrase: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    environment.pop("RHI_PASSPHRASE", None)
    if passphrase is not None:
        environment["RHI_PASSPHRASE"] = passphrase
    return subprocess.run(
        [*EXE, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "demo"
    done = run("demo", "create", "--profile", str(root), "--seed", "11", "--children", "40")
    assert done.returncode == 0, done.stderr
    assert "passphrase: demo" in done.stdout
    return root


def test_demo_create_is_reproducible(demo_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    assert (
        run(
            "demo", "create", "--profile", str(other), "--seed", "11", "--children", "40"
        ).returncode
        == 0
    )
    first = json.loads(
        run("interviews", "--profile", str(demo_dir), "--json", passphrase="demo").stdout
    )
    second = json.loads(
        run("interviews", "--profile", str(other), "--json", passphrase="demo").stdout
    )
    key = lambda i: (i["child_local_id"], i["status"], i["revision"])  # noqa: E731
    assert sorted(map(key, first)) == sorted(map(key, second))
    assert first, "the demo profile has interviews"


def test_interviews_lists_and_filters(demo_dir: Path) -> None:
    done = run(
        "interviews", "--profile", str(demo_dir), "--json", "--status", "draft", passphrase="demo"
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert items and {i["status"] for i in items} == {"draft"}
    assert set(items[0]) == {
        "id",
        "child_id",
        "child_local_id",
        "child_name",
        "status",
        "revision",
        "form",
    }


def test_wrong_passphrase_is_one_sentence(demo_dir: Path) -> None:
    done = run("interviews", "--profile", str(demo_dir), passphrase="nope")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "passphrase" in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_passphrase_and_no_terminal(demo_dir: Path) -> None:
    done = run("interviews", "--profile", str(demo_dir))
    assert done.returncode != 0
    assert "RHI_PASSPHRASE" in done.stderr and "Traceback" not in done.stderr


def test_not_a_profile_folder(tmp_path: Path) -> None:
    done = run("interviews", "--profile", str(tmp_path), passphrase="x")
    assert done.returncode == 1
    assert "not an RHI Desktop profile" in done.stderr and "Traceback" not in done.stderr


def test_screenshot_of_the_caseload(tmp_path: Path) -> None:
    out = tmp_path / "caseload.png"
    done = run(
        "screenshot", "--demo", "--view", "caseload", "--out", str(out), "--size", "1200x800"
    )
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 800)


def test_screenshot_unknown_view(tmp_path: Path) -> None:
    done = run("screenshot", "--demo", "--view", "nonsense", "--out", str(tmp_path / "x.png"))
    assert done.returncode == 2 and "caseload" in done.stderr


def test_gui_without_a_display_says_how(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [*EXE, "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 3
    assert "xvfb-run" in done.stderr and "Traceback" not in done.stderr


def test_profile_create_and_change_passphrase(tmp_path: Path) -> None:
    root = tmp_path / "real"
    # The OS keychain is not available here: a real profile must refuse an insecure backend.
    done = run(
        "profile",
        "create",
        "--profile",
        str(root),
        "--worker",
        "Jane Smith",
        passphrase="correct horse battery staple",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert not (root / "profile.key").exists()


def test_change_passphrase_counts_wrong_passphrases_like_unlock(tmp_path: Path) -> None:
    """A wrong current passphrase is a guess: the throttle counts it, and makes the next one
    wait (before, `profile change-passphrase` was an unthrottled way to try passphrases)."""
    import time

    root = tmp_path / "demo"
    assert run("demo", "create", "--profile", str(root), "--children", "3").returncode == 0
    for _ in range(2):  # the two free slips
        done = run(
            "profile",
            "change-passphrase",
            "--profile",
            str(root),
            passphrase="wrong guess",
            RHI_NEW_PASSPHRASE="anything at all here",
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr
    state = root / "unlock-state.json"
    assert json.loads(state.read_text())["failures"] == 2
    # Ten wrong in a row, the last just now: the next attempt waits 256 s, even the right one.
    state.write_text(json.dumps({"failures": 10, "last_failure": time.time()}))
    done = run(
        "profile",
        "change-passphrase",
        "--profile",
        str(root),
        passphrase="demo",
        RHI_NEW_PASSPHRASE="anything at all here",
    )
    assert done.returncode == 1
    assert "Too many wrong passphrases in a row" in done.stderr
    assert run("interviews", "--profile", str(root), passphrase="demo").returncode == 1
