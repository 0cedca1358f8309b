"""Issue 11 item 9 on the laptop: every file holding child data is this user's only (0600),
and the profile folder and its backups folder are 0700, however they came to exist."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from conftest import NOW, PASSPHRASE, WORKER
from integration.harness import completed_interview

from rhi_desktop.security.keys import KdfParams
from rhi_desktop.services.backups import create_backup
from rhi_desktop.services.demo_profile import create_demo_profile
from rhi_desktop.services.profiles import create_profile, open_profile

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
CHEAP = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)


def _modes(root: Path) -> dict[str, str]:
    out = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        out[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return out


def _all_private(root: Path) -> None:
    modes = _modes(root)
    for name, mode in modes.items():
        want = "0o700" if (root / name).is_dir() else "0o600"
        assert mode == want, f"{name} is {mode}, expected {want}: {modes}"


def test_a_profile_made_in_an_open_folder_is_private_with_its_wal_and_backups(
    tmp_path: Path,
) -> None:
    root = tmp_path / "profile"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)  # made by hand, world-readable
    old_umask = os.umask(0o022)
    try:
        profile = create_profile(root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP)
        try:
            completed_interview(profile, 1, NOW)  # child data through the WAL
            create_backup(profile)
            assert (root / "rhi.db-wal").exists()
            _all_private(root)
        finally:
            profile.close()
    finally:
        os.umask(old_umask)


def test_opening_an_older_profile_closes_what_was_left_open(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    create_profile(root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP).close()
    for name in ("rhi.db", "rhi.db-wal", "rhi.db-shm"):
        path = root / name
        path.touch()
        os.chmod(path, 0o644)  # as versions before this one left the side files
    os.chmod(root, 0o755)
    open_profile(root, PASSPHRASE).close()
    _all_private(root)


def test_a_demo_profile_is_private_too(tmp_path: Path) -> None:
    demo = create_demo_profile(tmp_path / "demo", seed=3, n_children=5, now=NOW)
    try:
        _all_private(tmp_path / "demo")
    finally:
        demo.close()
