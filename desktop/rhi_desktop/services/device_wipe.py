"""Revocation: the laptop erases its local data when central says ``device revoked``.

Crypto-shredding first (the keychain's device secret and the wrapped key file): once they are
gone the database and its backups can never be decrypted, even if deleting a file then fails
or the disk keeps old sectors. The files go next, then the device token's keychain entry.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from rhi_desktop.security import audit
from rhi_desktop.security.keyring_store import DeviceSecretStore
from rhi_desktop.security.keys import destroy_key_file
from rhi_desktop.store.errors import StoreError
from rhi_desktop.sync.errors import ProfileWiped
from rhi_desktop.sync.state import TokenStore

from .profiles import Profile, ProfilePaths, default_secret_store

__all__ = ["WIPED_MESSAGE", "wipe_profile", "wipe_revoked"]

WIPED_MESSAGE = (
    "This laptop was revoked by the central store, so RHI Desktop has erased the profile's "
    "local data (database, key file and backups); ask your administrator to enrol it again."
)

_DB_SIDECARS = ("-wal", "-shm", "-journal")


def wipe_profile(
    paths: ProfilePaths,
    *,
    secret_store: DeviceSecretStore | None,
    tokens: TokenStore | None,
) -> list[str]:
    """Erase one profile's data; returns what was removed (names only, for the caller to log).
    The caller must have closed the profile (no open database connection)."""
    removed: list[str] = []
    if paths.key_file.exists():
        destroy_key_file(paths.key_file, secret_store=secret_store)
        removed.append(paths.key_file.name)
    for path in [paths.db, *(Path(f"{paths.db}{s}") for s in _DB_SIDECARS)]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path.name)
    if paths.backups.exists():
        shutil.rmtree(paths.backups, ignore_errors=True)
        removed.append(paths.backups.name)
    if tokens is not None:
        tokens.forget()
    return removed


def wipe_revoked(profile: Profile) -> ProfileWiped:
    """Central revoked this laptop: audit it (best effort), close the profile, erase it.
    Returns the ProfileWiped error carrying the sentence to show, for the caller to raise."""
    try:
        with profile.transaction() as s:
            audit.record(
                s,
                actor=profile.worker_name,
                action="sync.wipe",
                entity="profile",
                entity_id=profile.profile_id,
                detail={"reason": "device revoked"},
            )
    except StoreError:
        pass  # the record is about to be erased anyway; the wipe must not depend on it
    paths = profile.paths
    profile.close()
    wipe_profile(
        paths,
        secret_store=None if profile.demo else default_secret_store(),
        tokens=TokenStore(profile.profile_id, profile.demo),
    )
    return ProfileWiped(WIPED_MESSAGE)
