"""Encrypted backups, restore that never deletes, and the audit chain check from the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, PASSPHRASE
from sqlalchemy import select, text

from rhi_desktop.security import audit
from rhi_desktop.services.backups import (
    KEEP,
    NoGoodBackup,
    automatic_backup,
    create_backup,
    list_backups,
    restore_backup,
)
from rhi_desktop.services.profiles import Profile, open_profile
from rhi_desktop.store.errors import DatabaseCorrupt
from rhi_desktop.store.models import Child


def _add(profile: Profile, local_id: str) -> None:
    with profile.transaction() as s:
        s.add(Child(local_id=local_id, first_name="Zainab", last_name="Okonkwo", dob=NOW.date()))


def test_backup_is_encrypted_and_restorable(profile: Profile) -> None:
    _add(profile, "BEFORE")
    made = create_backup(profile)
    assert not made.path.read_bytes().startswith(b"SQLite format 3")
    assert b"Okonkwo" not in made.path.read_bytes()
    _add(profile, "AFTER")
    root = profile.paths.root
    profile.close()
    # Damage the live database: opening refuses, restore brings back the backup.
    db = root / "rhi.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\0" * 64
    db.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt):
        open_profile(root, PASSPHRASE)
    chosen = restore_backup(root, PASSPHRASE)
    assert chosen.path == made.path
    kept = [p.name for p in root.iterdir() if p.name.startswith("rhi.db.replaced-")]
    assert kept, "the damaged database is kept, not deleted"
    again = open_profile(root, PASSPHRASE)
    with again.sessions() as s:
        assert s.scalars(select(Child.local_id)).all() == ["BEFORE"]
    again.close()


def test_restore_skips_damaged_backups_and_says_when_none(profile: Profile) -> None:
    made = create_backup(profile)
    root = profile.paths.root
    profile.close()
    made.path.write_bytes(b"garbage" * 1000)
    with pytest.raises(NoGoodBackup):
        restore_backup(root, PASSPHRASE)


def test_automatic_backups_rotate_daily(profile: Profile) -> None:
    assert automatic_backup(profile, NOW) is not None
    assert automatic_backup(profile, NOW + timedelta(hours=2)) is None  # once a day
    manual = create_backup(profile, reason="manual")
    for day in range(1, KEEP + 3):
        # Backups are named by the real clock; make each look a day older than the next.
        automatic_backup(profile, NOW + timedelta(days=day * 2))
        newest = [
            b for b in list_backups(profile.paths.root, profile._key).usable if b.reason == "auto"
        ][0]
        stamp = (NOW + timedelta(days=day * 2)).strftime("%Y%m%dT%H%M%S%f") + "Z"
        newest.path.rename(newest.path.with_name(f"rhi-{stamp}-auto.db"))
    autos = [b for b in list_backups(profile.paths.root, profile._key).usable if b.reason == "auto"]
    assert len(autos) <= KEEP + 1
    assert manual.path.exists(), "manual backups are never rotated away"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RHI_PASSPHRASE": "demo"}
    return subprocess.run(
        [sys.executable, "-m", "rhi_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("tamper", ["edit", "remove", "reorder"])
def test_audit_verify_detects_tampering(demo_profile: Profile, tamper: str) -> None:
    root = demo_profile.paths.root
    with demo_profile.transaction() as s:
        for n in range(3):
            audit.record(s, actor="w", action="test.event", detail={"n": n})
    ok = _cli("audit", "verify", "--profile", str(root))
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with demo_profile.engine.begin() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_event ORDER BY seq"))]
        middle = seqs[len(seqs) // 2]
        if tamper == "edit":
            conn.execute(
                text("UPDATE audit_event SET detail = :d WHERE seq = :s"),
                {"d": json.dumps({"n": 99}), "s": middle},
            )
        elif tamper == "remove":
            conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": middle})
        else:
            a, b = seqs[-1], seqs[-2]
            conn.execute(text("UPDATE audit_event SET seq = -1 WHERE seq = :a"), {"a": a})
            conn.execute(text("UPDATE audit_event SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
            conn.execute(text("UPDATE audit_event SET seq = :b WHERE seq = -1"), {"b": b})
    demo_profile.close()
    bad = _cli("audit", "verify", "--profile", str(root))
    assert bad.returncode == 1
    assert "TAMPERED" in bad.stdout and "Traceback" not in bad.stderr


def test_backup_cli_round_trip(demo_profile: Profile) -> None:
    root = demo_profile.paths.root
    demo_profile.close()
    made = _cli("backup", "create", "--profile", str(root))
    assert made.returncode == 0, made.stderr
    listed = _cli("backup", "list", "--profile", str(root))
    assert "manual" in listed.stdout
    restored = _cli("backup", "restore", "--profile", str(root))
    assert restored.returncode == 0, restored.stderr
    assert list(Path(root).glob("rhi.db.replaced-*")), "the replaced database is kept"


# --- issue 11 item 2: backups whole or not at all; only good ones offered ----------------------


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """A ballast file that leaves ``leave`` bytes free on ``folder``'s file system."""
    ballast = folder / "ballast"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(ballast, "wb") as fh:
        fh.truncate(0)
        fh.write(b"\0" * max(0, free - leave))
    return ballast


def test_a_full_disk_leaves_no_backup_behind_and_says_so_in_one_sentence(tiny_disk: Path) -> None:
    from conftest import CHEAP_KDF, WORKER

    from rhi_desktop.services.profiles import create_profile
    from rhi_desktop.store.errors import DiskFull

    root = tiny_disk / "profile"
    profile = create_profile(root, worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    try:
        with profile.transaction() as s:
            for n in range(300):
                s.add(Child(local_id=f"C{n}", first_name="Zainab" * 20, last_name="O", dob=NOW))
        good = create_backup(profile)
        ballast = _fill(tiny_disk, leave=64 * 1024)
        with pytest.raises(DiskFull) as full:
            create_backup(profile)
        assert str(full.value).startswith("The disk is full, so the backup was not written")
        # Nothing half-written: no partial copy, no journal, only the good backup.
        assert sorted(p.name for p in (root / "backups").iterdir()) == [good.path.name]
        assert [b.path for b in list_backups(root, profile._key).usable] == [good.path]
        ballast.unlink()
        again = create_backup(profile)
        assert [b.path for b in list_backups(root, profile._key).usable] == [again.path, good.path]
    finally:
        profile.close()


def test_the_cli_says_the_disk_is_full_not_an_unexpected_problem(tiny_disk: Path) -> None:
    root = tiny_disk / "demo"
    made = _cli("demo", "create", "--profile", str(root), "--children", "30")
    assert made.returncode == 0, made.stderr
    size = (root / "rhi.db").stat().st_size
    assert size > 400 * 1024
    # Room for the unlock's audit event, not for a copy of the database.
    _fill(tiny_disk, leave=size // 2)
    done = _cli("backup", "create", "--profile", str(root))
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        "The disk is full, so the backup was not written; free some space and try again "
        "(the profile itself is unchanged)."
    ]
    leftovers = (
        [p.name for p in (root / "backups").iterdir()] if (root / "backups").exists() else []
    )
    assert leftovers == []


def test_empty_and_damaged_files_are_never_listed_or_restored(profile: Profile) -> None:
    _add(profile, "KEEP")
    good = create_backup(profile)
    backups = profile.paths.backups
    empty = backups / "rhi-29990101T000000000000Z-manual.db"  # newest by name, 0 bytes
    empty.touch()
    junk = backups / "rhi-29980101T000000000000Z-auto.db"
    junk.write_bytes(b"half a page" * 100)
    listing = list_backups(profile.paths.root, profile._key)
    assert [b.path for b in listing.usable] == [good.path]
    assert sorted(listing.unusable) == sorted([empty, junk])
    root = profile.paths.root
    profile.close()
    with pytest.raises(NoGoodBackup, match="damaged or empty"):
        restore_backup(root, PASSPHRASE, empty)
    assert not [p for p in root.iterdir() if "replaced" in p.name]  # nothing was changed
    assert restore_backup(root, PASSPHRASE).path == good.path  # skips the empty newest one
    again = open_profile(root, PASSPHRASE)
    with again.sessions() as s:
        assert s.scalars(select(Child.local_id)).all() == ["KEEP"]
    again.close()


def test_a_zero_byte_database_is_refused_not_opened_as_an_empty_caseload(
    profile: Profile,
) -> None:
    create_backup(profile)
    root = profile.paths.root
    profile.close()
    for side in ("rhi.db-wal", "rhi.db-shm"):
        (root / side).unlink(missing_ok=True)
    (root / "rhi.db").write_bytes(b"")
    with pytest.raises(DatabaseCorrupt, match="empty"):
        open_profile(root, PASSPHRASE)


def test_the_kept_database_still_opens_with_its_last_changes(profile: Profile) -> None:
    """The replaced database keeps everything, even what was only in its -wal."""
    from rhi_desktop.store.engine import connect_raw

    create_backup(profile)
    _add(profile, "LATE")  # after the backup: only in the current database
    key = profile._key
    root = profile.paths.root
    profile.close()
    restore_backup(root, PASSPHRASE)
    (kept,) = [
        p
        for p in root.iterdir()
        if p.name.startswith("rhi.db.replaced-") and "-" not in p.name[16:]
    ]
    conn = connect_raw(kept, key)
    try:
        assert ("LATE",) in conn.execute("SELECT local_id FROM child").fetchall()
    finally:
        conn.close()
    assert not [p for p in root.iterdir() if p.name.startswith(".partial-")]
