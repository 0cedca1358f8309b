"""The encrypted SQLite engine (SQLCipher via sqlcipher3) with a raw 256-bit key."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from .errors import DatabaseCorrupt, DiskFull

# Files being written (a backup, a restore) carry this in their name until they are complete
# and checked: nothing lists them, and what a crash leaves of them is removed later.
PARTIAL = ".partial-"
DISK_FULL_BACKUP = (
    "The disk is full, so the backup was not written; free some space and try again "
    "(the profile itself is unchanged)."
)


def _pragma_key(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_raw(db_path: Path, key: bytes) -> sqlcipher.Connection:
    """One keyed DB-API connection. PRAGMA key must be the first statement."""
    conn = sqlcipher.connect(str(db_path), check_same_thread=False, timeout=10)
    conn.execute(_pragma_key(key))
    # Temporary tables and sort spills stay in memory: SQLCipher does not encrypt temp files.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


SIDECARS = ("-wal", "-shm", "-journal")


def secure_database_files(db_path: Path) -> None:
    """The database and its -wal, -shm and -journal files: this user's only (0600). A new
    database is created empty with that mode before SQLite opens it, so SQLite, which gives
    its side files the database's mode, never writes a byte readable by others."""
    if not db_path.exists():
        with contextlib.suppress(FileExistsError):
            fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
    for path in (db_path, *(Path(f"{db_path}{s}") for s in SIDECARS)):
        with contextlib.suppress(FileNotFoundError):
            if os.name == "posix" and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)


def create_encrypted_engine(db_path: Path, key: bytes) -> Engine:
    secure_database_files(db_path)

    def creator() -> sqlcipher.Connection:
        return connect_raw(db_path, key)

    engine = create_engine(
        "sqlite://",
        module=sqlcipher,
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlcipher.Connection, _record: object) -> None:
        # WAL: readers never block the autosave writer. synchronous=FULL: a committed
        # answer survives power loss, not only a crash of the app.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    return engine


def check_readable(db_path: Path, key: bytes, *, full: bool = True) -> None:
    """Fail with DatabaseCorrupt unless the file decrypts (and, when `full`, every page passes
    SQLCipher's HMAC check and SQLite's structure check: ~1 s on an 80 MB profile, so the GUI
    runs the full check in the background after the window is up)."""
    conn = connect_raw(db_path, key)
    try:
        try:
            (tables,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError as exc:
            raise DatabaseCorrupt(
                "The interview database cannot be read: it is damaged or is not this "
                "profile's database. Restore it from a backup."
            ) from exc
        if not tables:
            # An empty (say 0-byte) file opens with any key as a new database: it is no
            # profile's database, and opening it would show an empty caseload.
            raise DatabaseCorrupt(
                "The interview database is empty (it is not this profile's database). "
                "Restore it from a backup."
            )
        if not full:
            return
        try:
            bad = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            ok = conn.execute("PRAGMA quick_check").fetchone()
        except sqlcipher.DatabaseError as exc:
            bad, ok = [str(exc)], None
        if bad or (ok is not None and ok[0] != "ok"):
            raise DatabaseCorrupt(
                "The interview database is damaged (its integrity check failed). "
                "Restore it from a backup."
            )
    finally:
        conn.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return "full" in str(getattr(exc, "orig", exc)).lower()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def partial_name(target: Path) -> Path:
    return target.with_name(f"{PARTIAL}{target.name}")


def remove_partial(path: Path) -> None:
    """A partial file and any side files SQLite made for it."""
    for p in (path, *(Path(f"{path}{s}") for s in SIDECARS)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def remove_stale_partials(folder: Path, older_than_s: float = 600.0) -> list[str]:
    """What an interrupted backup or restore left in ``folder`` (only files older than
    ``older_than_s``, so one being written right now is left alone). Returns the names."""
    removed = []
    now = time.time()
    for path in folder.glob(f"{PARTIAL}*") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime >= older_than_s:
                path.unlink()
                removed.append(path.name)
    return removed


def _new_private_file(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return fd


def write_backup(engine: Engine, target: Path, key: bytes) -> None:
    """An encrypted copy (same key) of the database at ``target``, whole or not at all.

    ``VACUUM INTO`` writes a consistent copy under a partial name (0600 from its first byte);
    it is flushed to disk and must open with the key and pass the full integrity check before
    it is renamed to ``target``. Any failure removes what was written; a full disk raises
    DiskFull with one sentence."""
    partial = partial_name(target)
    try:
        os.close(_new_private_file(partial))
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM INTO ?", (str(partial),))
        _fsync_file(partial)
        check_readable(partial, key, full=True)
        os.replace(partial, target)
    except (OperationalError, sqlcipher.OperationalError, OSError) as exc:
        remove_partial(partial)
        if _is_disk_full(exc):
            raise DiskFull(DISK_FULL_BACKUP) from exc
        raise
    except BaseException:
        remove_partial(partial)
        raise
    fsync_folder(target.parent)


def copy_private(source: Path, target: Path) -> None:
    """Copy ``source`` to a new ``target`` (0600 from its first byte), flushed to disk; on
    any failure nothing is left at ``target``."""
    try:
        fd = _new_private_file(target)
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
    except BaseException as exc:
        remove_partial(target)
        if isinstance(exc, OSError) and _is_disk_full(exc):
            raise DiskFull(
                "The disk is full, so the backup was not restored; free some space and try "
                "again (nothing was changed)."
            ) from exc
        raise
