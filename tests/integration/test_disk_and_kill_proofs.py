"""Fault proofs (issue 11, ``make proofs``): the laptop's disk fills during a backup and during a
sync, and ``backup restore`` is killed with SIGKILL at random moments. Each time: nothing lost,
nothing half-written left behind. Real SQLCipher profiles on a real tiny tmpfs (mounting needs
root: we are root here and in CI), a real central on loopback, real processes for the kills.

Bounded: a fixed seed, a fixed number of rounds, a few minutes in all.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CHEAP_KDF, PASSPHRASE, WORKER
from integration.harness import CentralStore, completed_interview, served_central
from sqlalchemy import func, select

from rhi_desktop.services import sync_service
from rhi_desktop.services.backups import create_backup, list_backups
from rhi_desktop.services.profiles import create_profile, open_profile
from rhi_desktop.store.engine import connect_raw
from rhi_desktop.store.errors import DiskFull, StoreError
from rhi_desktop.store.models import Child, OutboxItem, ReturnInterview
from rhi_desktop.sync import outbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
SEED = 1107
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _free(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def _ballast(folder: Path, leave: int) -> Path:
    path = folder / "ballast"
    with open(path, "wb") as fh:
        fh.write(b"\0" * max(0, _free(folder) - leave))
    return path


def _no_partials(root: Path) -> None:
    left = [p.name for p in root.rglob("*") if p.name.startswith(".partial-")]
    left += [p.name for p in root.rglob("*-journal")]
    assert left == [], f"half-written files left behind: {left}"


def test_the_disk_fills_during_backups(tiny_disk: Path) -> None:
    rng = random.Random(SEED)
    root = tiny_disk / "profile"
    profile = create_profile(root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    try:
        with profile.transaction() as s:
            for n in range(400):
                s.add(Child(local_id=f"C{n:04d}", first_name="Zainab" * 12, last_name="O", dob=NOW))
        # The rows are in the -wal until a checkpoint: the copy is about as big as both.
        size = sum(p.stat().st_size for p in root.glob("rhi.db*"))
        made = refused = 0
        for _ in range(12):
            leave = rng.randint(8 * 1024, 3 * size)
            ballast = _ballast(tiny_disk, leave=leave)
            try:
                create_backup(profile)
                made += 1
            except DiskFull as exc:
                assert str(exc).startswith("The disk is full, so the backup was not written")
                refused += 1
            except StoreError as exc:  # the audit event after a good backup found no room
                assert "disk is full" in str(exc).lower()
                refused += 1
            _no_partials(root)
            ballast.unlink()
            listing = list_backups(root, profile._key)
            assert listing.unusable == []  # every file named like a backup is a good one
            for b in listing.usable:
                conn = connect_raw(b.path, profile._key)
                try:
                    assert conn.execute("SELECT count(*) FROM child").fetchone() == (400,)
                finally:
                    conn.close()
        assert made and refused, (made, refused)  # both outcomes were exercised
    finally:
        profile.close()
    again = open_profile(root, PASSPHRASE)
    try:
        with again.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Child)) == 400
    finally:
        again.close()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralStore]:
    with served_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "data") as store:
        yield store


def test_the_disk_fills_during_sync(tiny_disk: Path, central: CentralStore) -> None:
    rng = random.Random(SEED + 1)
    root = tiny_disk / "profile"
    profile = create_profile(root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    sync_service.enrol(profile, central.url, central.enrol_code(WORKER))
    ids = [completed_interview(profile, n, NOW) for n in range(1, 9)]
    full = 0
    try:
        for _ in range(10):
            # Sealing the signed PDFs, recording central's answers and the pull all write.
            ballast = _ballast(tiny_disk, leave=rng.randint(4 * 1024, 256 * 1024))
            try:
                sync_service.sync_once(profile)
            except StoreError as exc:
                assert "disk is full" in str(exc).lower(), str(exc)
                assert "\n" not in str(exc)
                full += 1
            ballast.unlink()
            _no_partials(root)
        done = sync_service.sync_once(profile)  # room again: everything goes
        assert done.queued == 0 and not done.needs_attention
    finally:
        profile.close()
    assert full, "the disk never filled: the proof proved nothing"
    again = open_profile(root, PASSPHRASE)
    try:
        with again.sessions() as s:
            states = set(s.scalars(select(OutboxItem.state)))
            assert states == {outbox.CONFIRMED}
            assert sorted(s.scalars(select(ReturnInterview.id))) == sorted(ids)
    finally:
        again.close()
    # Central holds each interview exactly once.
    assert sorted(r[0] for r in central.interview_rows()) == sorted(ids)


def _cli_env() -> dict[str, str]:
    return {**os.environ, "RHI_PASSPHRASE": "demo", "QT_QPA_PLATFORM": "offscreen"}


def _children(db: Path, key: bytes) -> set[str]:
    conn = connect_raw(db, key)
    try:
        return {r[0] for r in conn.execute("SELECT local_id FROM child")}
    finally:
        conn.close()


def test_kill_9_during_backup_restore(tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    root = tmp_path / "demo"
    made = subprocess.run(
        [sys.executable, "-m", "rhi_desktop", "demo", "create", "--profile", str(root)]
        + ["--children", "120"],
        env=_cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    profile = open_profile(root, "demo")
    key = profile._key
    create_backup(profile)
    with profile.transaction() as s:
        s.add(Child(local_id="AFTER-BACKUP", first_name="Late", last_name="Entry", dob=NOW))
    with profile.sessions() as s:
        everyone = set(s.scalars(select(Child.local_id)))
    profile.close()

    # How long a whole restore takes here, so the kills land before, during and after it.
    started = time.monotonic()
    probe = subprocess.run(
        [sys.executable, "-m", "rhi_desktop", "backup", "restore", "--profile", str(root)],
        env=_cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    whole = time.monotonic() - started
    kills = 0
    for _ in range(14):
        proc = subprocess.Popen(
            [sys.executable, "-m", "rhi_desktop", "backup", "restore", "--profile", str(root)],
            env=_cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3 * whole, 1.1 * whole))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(60)
        # The profile opens, whole: either its database as it was or the backup.
        again = open_profile(root, "demo")
        try:
            with again.sessions() as s:
                now_there = set(s.scalars(select(Child.local_id)))
        finally:
            again.close()
        assert now_there in (everyone, everyone - {"AFTER-BACKUP"})
        _no_partials(root)
        # Nothing lost: every child ever entered is in the database or a kept copy.
        kept = [p for p in root.iterdir() if p.name.startswith("rhi.db.replaced-")]
        kept = [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
        found = set(now_there)
        for copy in kept:
            found |= _children(copy, key)
        assert everyone <= found
    assert kills >= 5, f"only {kills} restores were cut short"
