"""Create, open and describe profiles: the key file, the encrypted database and its schema.

A profile is one worker on one laptop: a folder with `profile.key` (the wrapped data key),
`rhi.db` (SQLCipher) and `backups/`. Nothing in it is readable without the passphrase.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from rhi_desktop.security import audit, keys
from rhi_desktop.security.files import make_private_dir
from rhi_desktop.security.keyring_store import DeviceSecretStore, KeyringSecretStore
from rhi_desktop.security.throttle import UnlockThrottle
from rhi_desktop.store import schema
from rhi_desktop.store.engine import (
    check_readable,
    create_encrypted_engine,
    remove_stale_partials,
    session_factory,
)
from rhi_desktop.store.errors import (
    DatabaseMissing,
    DiskFull,
    NotAProfile,
    ProfileExists,
    ProfileNotWritable,
    StoreError,
)
from rhi_desktop.store.models import ProfileSetting

log = logging.getLogger(__name__)

KEY_FILE = "profile.key"
DB_FILE = "rhi.db"
BACKUPS = "backups"


@dataclass(frozen=True)
class ProfilePaths:
    root: Path

    @property
    def key_file(self) -> Path:
        return self.root / KEY_FILE

    @property
    def db(self) -> Path:
        return self.root / DB_FILE

    @property
    def backups(self) -> Path:
        return self.root / BACKUPS

    def exists(self) -> bool:
        return self.key_file.exists()


@dataclass
class Profile:
    """An unlocked profile: the one object that holds a database connection."""

    paths: ProfilePaths
    info: keys.KeyFile
    engine: Engine
    sessions: sessionmaker[Session]
    migrated_backup: str | None = None
    _closed: bool = field(default=False, repr=False)
    _key: bytes = field(default=b"", repr=False)  # held only while open; never written

    @property
    def demo(self) -> bool:
        return bool(self.info.demo)

    @property
    def worker_name(self) -> str:
        return self.info.worker_name

    @property
    def profile_id(self) -> str:
        return self.info.profile_id

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits whole or rolls back whole, with storage errors made plain."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise translate_operational_error(exc) from exc
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        if not self._closed:
            self.engine.dispose()
            self._closed = True


def translate_operational_error(exc: OperationalError) -> StoreError:
    text = str(exc.orig).lower()
    if "full" in text:
        return DiskFull(
            "The disk is full, so the last change was not saved; free some space and try again "
            "(everything saved before is safe)."
        )
    if "readonly" in text or "read-only" in text:
        return ProfileNotWritable(
            "The profile folder cannot be written to, so the last change was not saved."
        )
    return StoreError(f"The database could not complete the change ({exc.orig}).")


def default_secret_store() -> DeviceSecretStore:
    return KeyringSecretStore()


def create_profile(
    root: Path,
    *,
    worker_name: str,
    passphrase: str,
    demo: bool = False,
    secret_store: DeviceSecretStore | None = None,
    kdf: keys.KdfParams | None = None,
) -> Profile:
    paths = ProfilePaths(Path(root))
    if paths.exists() or paths.db.exists():
        raise ProfileExists(f"A profile already exists in {paths.root}; open it instead.")
    _ensure_writable_dir(paths.root)
    if not demo and secret_store is None:
        secret_store = default_secret_store()
    key = keys.create_key_file(
        paths.key_file,
        passphrase,
        profile_id=str(uuid.uuid4()),
        worker_name=worker_name,
        demo=demo,
        secret_store=None if demo else secret_store,
        kdf=kdf or keys.DEFAULT_KDF,
    )
    profile = _open_with_key(paths, key, new=True)
    with profile.transaction() as s:
        s.add(ProfileSetting(key="worker_name", value=worker_name))
        audit.record(s, actor=worker_name, action="profile.create", detail={"demo": demo})
    return profile


def open_profile(
    root: Path,
    passphrase: str,
    *,
    secret_store: DeviceSecretStore | None = None,
    throttle: UnlockThrottle | None = None,
    verify_integrity: bool = True,
) -> Profile:
    """Unlock and open a profile. `verify_integrity=False` checks only that the database
    decrypts; the caller must then run `verify_integrity(profile)` (the GUI does so in the
    background so the caseload appears without waiting for a full page scan)."""
    paths = ProfilePaths(Path(root))
    info = read_info(paths.root)
    if not info.demo and secret_store is None:
        secret_store = default_secret_store()
    throttle = throttle or UnlockThrottle(paths.root)
    key = keys.attempt_unlock(paths.key_file, passphrase, secret_store, throttle)
    profile = _open_with_key(paths, key, new=False, full_check=verify_integrity)
    with profile.transaction() as s:
        audit.record(s, actor=profile.worker_name, action="profile.unlock")
    return profile


def read_info(root: Path) -> keys.KeyFile:
    paths = ProfilePaths(Path(root))
    if not paths.root.is_dir():
        raise NotAProfile(f"There is no profile folder at {paths.root}.")
    if not paths.exists():
        raise NotAProfile(f"{paths.root} is not an RHI Desktop profile (it has no key file).")
    return keys.read_profile_info(paths.key_file)


def verify_integrity(profile: Profile) -> None:
    """The full page-by-page check (SQLCipher HMACs + SQLite structure); DatabaseCorrupt if bad."""
    check_readable(profile.paths.db, profile._key, full=True)


def _open_with_key(
    paths: ProfilePaths, key: bytes, *, new: bool, full_check: bool = True
) -> Profile:
    if not new:
        if not paths.db.exists():
            raise DatabaseMissing(
                "The profile's interview database is missing; restore it from a backup "
                "(a new empty one has not been made, so nothing is overwritten)."
            )
        check_readable(paths.db, key, full=full_check)
    engine = create_encrypted_engine(paths.db, key)
    try:
        backup = schema.ensure_schema(engine, paths.backups, key)
    except OperationalError as exc:
        engine.dispose()
        raise translate_operational_error(exc) from exc
    except BaseException:
        engine.dispose()
        raise
    # The folder is this user's only (0700), however it was made; the database files are
    # 0600 from their first byte (store.engine).
    with contextlib.suppress(OSError):
        make_private_dir(paths.root)
    # What an interrupted restore (beside the database) or backup left half-written: never
    # listed or opened, and removed here (a backup only once it is old: another process may
    # be writing one right now).
    remove_stale_partials(paths.root, older_than_s=0)
    remove_stale_partials(paths.backups)
    info = keys.read_profile_info(paths.key_file)
    profile = Profile(paths, info, engine, session_factory(engine), migrated_backup=backup)
    profile._key = key
    return profile


def _ensure_writable_dir(root: Path) -> None:
    try:
        make_private_dir(root)
    except OSError as exc:
        raise ProfileNotWritable(
            f"The profile folder {root} cannot be created ({exc.strerror})."
        ) from exc
    if not os.access(root, os.W_OK | os.X_OK):
        raise ProfileNotWritable(f"The profile folder {root} is not writable.")
    probe = root / ".write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFull("The disk is full; free some space and try again.") from exc
        raise ProfileNotWritable(f"The profile folder {root} is not writable.") from exc
