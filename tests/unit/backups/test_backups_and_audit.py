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
        newest = [b for b in list_backups(profile.paths.root) if b.reason == "auto"][0]
        stamp = (NOW + timedelta(days=day * 2)).strftime("%Y%m%dT%H%M%S%f") + "Z"
        newest.path.rename(newest.path.with_name(f"rhi-{stamp}-auto.db"))
    autos = [b for b in list_backups(profile.paths.root) if b.reason == "auto"]
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
