"""Encrypted, rotating backups of a profile's database, and restoring one.

A backup is `VACUUM INTO` a new file: a consistent copy encrypted with the same key, so it is
as unreadable as the profile itself. Restoring never deletes anything: the damaged database is
kept beside the profile under a dated name, and a backup must pass the full integrity check
before it replaces the database.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rhi_desktop.security import audit, keys
from rhi_desktop.security.keyring_store import DeviceSecretStore
from rhi_desktop.store.engine import check_readable
from rhi_desktop.store.errors import DatabaseCorrupt, StoreError
from rhi_desktop.store.schema import backup_database

from .profiles import Profile, ProfilePaths, read_info

KEEP = 7  # automatic backups kept (one a day on a laptop used daily: a week back)
AUTOMATIC_EVERY = timedelta(hours=20)
_NAME = re.compile(r"^rhi-(\d{8}T\d{6}\d*Z)-(.+)\.db$")


class NoGoodBackup(StoreError):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    size: int


def list_backups(root: Path) -> list[BackupInfo]:
    """Newest first."""
    folder = ProfilePaths(Path(root)).backups
    out = []
    for p in folder.glob("rhi-*.db") if folder.is_dir() else ():
        m = _NAME.match(p.name)
        if not m:
            continue
        stamp = m.group(1)
        taken = datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        out.append(BackupInfo(p, taken, m.group(2), p.stat().st_size))
    return sorted(out, key=lambda b: b.path.name, reverse=True)


def create_backup(profile: Profile, reason: str = "manual") -> BackupInfo:
    path = backup_database(profile.engine, profile.paths.backups, reason=reason)
    with profile.transaction() as s:
        audit.record(
            s, actor=profile.worker_name, action="backup.create", detail={"reason": reason}
        )
    return next(b for b in list_backups(profile.paths.root) if b.path == path)


def automatic_backup(profile: Profile, now: datetime | None = None) -> BackupInfo | None:
    """At most one automatic backup a day; older automatic ones beyond KEEP are removed
    (manual and pre-upgrade backups are never removed automatically)."""
    now = now or datetime.now(UTC)
    autos = [b for b in list_backups(profile.paths.root) if b.reason == "auto"]
    if autos and now - autos[0].taken_at < AUTOMATIC_EVERY:
        return None
    made = create_backup(profile, reason="auto")
    for old in [b for b in list_backups(profile.paths.root) if b.reason == "auto"][KEEP:]:
        old.path.unlink(missing_ok=True)
    return made


def latest_good_backup(root: Path, key: bytes) -> BackupInfo | None:
    for backup in list_backups(root):
        try:
            check_readable(backup.path, key, full=True)
        except DatabaseCorrupt:
            continue
        return backup
    return None


def restore_backup(
    root: Path,
    passphrase: str,
    backup: Path | None = None,
    *,
    secret_store: DeviceSecretStore | None = None,
) -> BackupInfo:
    """Replace the profile's database with a backup (the newest good one by default).

    The current database (damaged or not) is kept as `rhi.db.replaced-<time>`: a restore must
    never be a silent reset."""
    paths = ProfilePaths(Path(root))
    info = read_info(paths.root)
    if not info.demo and secret_store is None:
        from .profiles import default_secret_store

        secret_store = default_secret_store()
    key = keys.unlock(paths.key_file, passphrase, secret_store=secret_store)
    if backup is None:
        chosen = latest_good_backup(paths.root, key)
        if chosen is None:
            raise NoGoodBackup("There is no undamaged backup of this profile to restore.")
    else:
        matches = [
            b for b in list_backups(paths.root) if b.path.resolve() == Path(backup).resolve()
        ]
        if not matches:
            raise NoGoodBackup(f"{backup} is not one of this profile's backups.")
        chosen = matches[0]
        check_readable(chosen.path, key, full=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        current = paths.root / f"rhi.db{suffix}"
        if current.exists():
            current.rename(paths.root / f"rhi.db{suffix}.replaced-{stamp}")
    tmp = paths.root / "rhi.db.restoring"
    shutil.copyfile(chosen.path, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, paths.db)
    paths.db.chmod(0o600)
    return chosen
