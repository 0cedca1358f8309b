"""Writing the laptop's private files: whole or not at all, readable by this user only.

Every file of a profile (key file, database, backups, unlock state) holds or protects child
data, so each is created with mode 0600 from its first byte, and folders with 0700.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "atomic_write_bytes",
    "fsync_directory",
    "make_private_dir",
]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to `path` via a temp file in the same folder + fsync + os.replace.

    The temp file is created with O_EXCL and `mode` from the start, so the bytes are never
    readable by others even for a moment.
    """
    directory = path.parent
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # os.open's mode is filtered by umask; make it exact
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX). Windows has no directory fsync; NTFS journals it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed; the folder itself ends up 0700 even if it
    existed before with wider rights (a profile folder someone made by hand)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix" and (path.stat().st_mode & 0o777) != PRIVATE_DIR:
        os.chmod(path, PRIVATE_DIR)
