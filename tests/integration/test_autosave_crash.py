"""Kill a real app process mid-typing: every answer it reported saved is there after restart,
and the encrypted database is intact."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rhi_core.domain.codes import EpisodeCategory
from rhi_desktop.services import answers
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.demo_profile import DEMO_KDF
from rhi_desktop.services.profiles import create_profile, open_profile
from rhi_desktop.store.engine import check_readable
from rhi_desktop.store.models import ReturnInterview

SCRIPT = Path(__file__).with_name("typing_app.py")
KILLS = 4
# The long proof (marker `slow`, run by `make proofs` and CI): 200 kills at random moments,
# from process start (so some land during unlock and start-up) to well into the typing.
LONG_KILLS = int(os.environ.get("RHI_CRASH_KILLS", "200"))


def _demo_like_profile(root: Path) -> str:
    now = datetime.now(UTC)
    p = create_profile(root, worker_name="Crash Test", passphrase="demo", demo=True, kdf=DEMO_KDF)
    with p.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="K1",
                first_name="Kit",
                last_name="Test",
                dob=now.date() - timedelta(days=5000),
            ),
            actor="Crash Test",
            today=now.date(),
        )
        record_episode(
            s,
            NewEpisode(
                child.id, EpisodeCategory.MISSING, now - timedelta(days=2), now - timedelta(hours=5)
            ),
            actor="Crash Test",
            now=now,
        )
    p.close()
    return child.id


def test_kill_mid_typing_loses_nothing_saved(tmp_path: Path) -> None:
    _crash_loop(tmp_path, kills=KILLS, seed=1234, after_ready=True)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # 200 app starts on 2 loaded cores: ~5-10 minutes
def test_kill_at_200_random_moments(tmp_path: Path) -> None:
    _crash_loop(tmp_path, kills=LONG_KILLS, seed=2026, after_ready=False)


def _crash_loop(tmp_path: Path, *, kills: int, seed: int, after_ready: bool) -> None:
    root = tmp_path / "profile"
    child_id = _demo_like_profile(root)
    rng = random.Random(seed)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RHI_PASSPHRASE": "demo"}
    total_saved = 0
    kept: dict[str, str] = {}  # everything ever reported saved, across restarts
    for _ in range(kills):
        proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(root), child_id],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        saved: dict[str, object] = {}
        if after_ready:
            line = proc.stdout.readline()
            assert line.strip() == "READY", proc.stderr.read()
            stop_at = time.monotonic() + rng.uniform(0.3, 2.0)
        else:
            stop_at = time.monotonic() + rng.uniform(0.0, 4.0)
        os.set_blocking(proc.stdout.fileno(), False)
        while time.monotonic() < stop_at and proc.poll() is None:
            chunk = proc.stdout.readline()
            if chunk.startswith("SAVED "):
                saved.update(json.loads(chunk[6:]))
            elif not chunk:
                time.sleep(0.01)
        if proc.poll() is not None and proc.returncode != 0:
            raise AssertionError(f"the app failed on its own: {proc.stderr.read()[-2000:]}")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        os.set_blocking(proc.stdout.fileno(), True)
        for chunk in proc.stdout.read().splitlines():  # saves reported just before the kill
            if chunk.startswith("SAVED "):
                saved.update(json.loads(chunk[6:]))
        proc.stdout.close()
        proc.stderr.close()

        profile = open_profile(root, "demo")  # opens (full integrity check): intact
        with profile.sessions() as s:
            interview = s.query(ReturnInterview).filter_by(child_id=child_id).one()
            stored = answers.load_answers(s, interview.id, interview.revision)
        profile.close()
        check_readable(root / "rhi.db", _key(root))
        kept.update({k: str(v) for k, v in saved.items()})
        for name, value in kept.items():
            # Typing only appends, so what is stored is what was reported, or more.
            assert isinstance(stored.get(name), str), name
            assert stored[name].startswith(value), (name, value, stored.get(name))
        total_saved += len(saved)
    assert total_saved > 0, "the typing process never reported a save"


def _key(root: Path) -> bytes:
    from rhi_desktop.security import keys

    return keys.unlock(root / "profile.key", "demo", secret_store=None)
