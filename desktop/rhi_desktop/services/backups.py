"""Encrypted, rotating backups of a profile's database, and restoring one.

A backup is `VACUUM INTO` a partial file, flushed, opened with the key and fully checked, and
only then given its name (``store.engine.write_backup``): a full disk or a crash leaves no
file that looks like a backup. Only backups that open with the profile's key and pass the
integrity check are listed or restored; a 0-byte or damaged file is never offered.

Restoring never deletes anything, and is safe to interrupt at any point: the backup is copied
under a partial name and checked again first; the current database stays whole under a dated
name (``rhi.db.replaced-<time>``, with its -wal beside it, so it still opens); then one atomic
rename puts the copy in place. Killed at any moment, the profile holds either its old database
or the backup, and nothing half-written is left to be opened.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rhi_desktop.security import audit, keys
from rhi_desktop.security.keyring_store import DeviceSecretStore
from rhi_desktop.security.throttle import UnlockThrottle
from rhi_desktop.store.engine import (
    SIDECARS,
    check_readable,
    connect_raw,
    copy_private,
    fsync_folder,
    partial_name,
    remove_partial,
    remove_stale_partials,
)
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


@dataclass(frozen=True)
class BackupListing:
    """The backups that can be restored, newest first, and how many files were left out."""

    usable: list[BackupInfo]
    unusable: list[Path]


def _named_backups(root: Path) -> list[BackupInfo]:
    """Every file named like a finished backup, newest first (not yet checked)."""
    folder = ProfilePaths(Path(root)).backups
    out = []
    for p in folder.glob("rhi-*.db") if folder.is_dir() else ():
        m = _NAME.match(p.name)
        if not m:
            continue
        stamp = m.group(1)
        taken = datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        with contextlib.suppress(FileNotFoundError):
            out.append(BackupInfo(p, taken, m.group(2), p.stat().st_size))
    return sorted(out, key=lambda b: b.path.name, reverse=True)


def _usable(backup: BackupInfo, key: bytes) -> bool:
    if backup.size == 0:
        return False
    try:
        check_readable(backup.path, key, full=True)
    except DatabaseCorrupt:
        return False
    return True


def unlock_key(root: Path, passphrase: str, secret_store: DeviceSecretStore | None = None) -> bytes:
    """The profile's data key, through the unlock throttle (a wrong passphrase counts)."""
    paths = ProfilePaths(Path(root))
    info = read_info(paths.root)
    if not info.demo and secret_store is None:
        from .profiles import default_secret_store

        secret_store = default_secret_store()
    return keys.attempt_unlock(paths.key_file, passphrase, secret_store, UnlockThrottle(root))


def list_backups(root: Path, key: bytes) -> BackupListing:
    """The backups that open with ``key`` and pass the full integrity check, newest first;
    anything else in the backups folder (damaged, empty, another profile's) is left out."""
    usable, unusable = [], []
    for backup in _named_backups(root):
        (usable.append(backup) if _usable(backup, key) else unusable.append(backup.path))
    return BackupListing(usable, unusable)


def create_backup(profile: Profile, reason: str = "manual") -> BackupInfo:
    """Raises DiskFull (one sentence) when the disk fills; nothing is left behind then."""
    remove_stale_partials(profile.paths.backups)
    path = backup_database(profile.engine, profile.paths.backups, reason, profile._key)
    with profile.transaction() as s:
        audit.record(
            s, actor=profile.worker_name, action="backup.create", detail={"reason": reason}
        )
    return next(b for b in _named_backups(profile.paths.root) if b.path == path)


def automatic_backup(profile: Profile, now: datetime | None = None) -> BackupInfo | None:
    """At most one automatic backup a day; older automatic ones beyond KEEP are removed
    (manual and pre-upgrade backups are never removed automatically)."""
    now = now or datetime.now(UTC)
    autos = [b for b in _named_backups(profile.paths.root) if b.reason == "auto"]
    if autos and now - autos[0].taken_at < AUTOMATIC_EVERY:
        return None
    made = create_backup(profile, reason="auto")
    for old in [b for b in _named_backups(profile.paths.root) if b.reason == "auto"][KEEP:]:
        old.path.unlink(missing_ok=True)
    return made


def latest_good_backup(root: Path, key: bytes) -> BackupInfo | None:
    for backup in _named_backups(root):
        if _usable(backup, key):
            return backup
    return None


def _checkpoint(db: Path, key: bytes) -> None:
    """Fold the current database's -wal into it, so the copy kept aside is one whole file
    (best effort: a damaged database may refuse, and is then kept with its -wal)."""
    with contextlib.suppress(Exception):
        conn = connect_raw(db, key)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def restore_backup(
    root: Path,
    passphrase: str,
    backup: Path | None = None,
    *,
    secret_store: DeviceSecretStore | None = None,
) -> BackupInfo:
    """Replace the profile's database with a backup (the newest good one by default).

    The current database (damaged or not) is kept as ``rhi.db.replaced-<time>``: a restore
    must never be a silent reset. The profile must be closed."""
    paths = ProfilePaths(Path(root))
    key = unlock_key(paths.root, passphrase, secret_store)
    remove_stale_partials(paths.root, older_than_s=0)
    if backup is None:
        chosen = latest_good_backup(paths.root, key)
        if chosen is None:
            raise NoGoodBackup("There is no undamaged backup of this profile to restore.")
    else:
        matches = [
            b for b in _named_backups(paths.root) if b.path.resolve() == Path(backup).resolve()
        ]
        if not matches:
            raise NoGoodBackup(f"{backup} is not one of this profile's backups.")
        chosen = matches[0]
        if not _usable(chosen, key):
            raise NoGoodBackup(
                f"{chosen.path.name} is damaged or empty, so it was not restored; choose "
                "another backup (nothing was changed)."
            )
    # 1. The copy, whole and checked, under a partial name nothing opens.
    staged = partial_name(paths.db)
    copy_private(chosen.path, staged)
    try:
        check_readable(staged, key, full=True)
    except DatabaseCorrupt:
        remove_partial(staged)
        raise
    # 2. The current database kept whole under a dated name (a hard link: no second copy,
    #    and rhi.db itself stays in place until the last step).
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = paths.root / f"rhi.db.replaced-{stamp}"
    if paths.db.exists():
        _checkpoint(paths.db, key)
        try:
            os.link(paths.db, kept)
        except OSError:
            copy_private(paths.db, kept)  # a file system without hard links
        for suffix in SIDECARS:
            side = Path(f"{paths.db}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{kept}{suffix}"))
    # 3. One atomic rename: from here on the profile opens the backup.
    os.replace(staged, paths.db)
    fsync_folder(paths.root)
    return chosen
