"""The encrypted SQLite engine (SQLCipher via sqlcipher3) with a raw 256-bit key."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from .errors import DatabaseCorrupt


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
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError as exc:
            raise DatabaseCorrupt(
                "The interview database cannot be read: it is damaged or is not this "
                "profile's database. Restore it from a backup."
            ) from exc
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
