"""Engine, sessions and schema migrations for both backends.

SQLite is the embedded default (demo, tests, a single laptop); PostgreSQL is production. The
differences that matter are handled here so the rest of the code is backend-neutral.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 7_240_001  # pg_advisory_lock key: one migrator at a time across processes


class DatabaseError(RuntimeError):
    """The database cannot be used; the message is one sentence for a human."""


def parse_url(url: str) -> URL:
    """Parse a database URL; plain ``postgresql://`` means psycopg 3 (the driver we ship)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"'{url}' is not a database URL.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"Central needs a sqlite:// or postgresql:// database, not '{parsed.drivername}'."
        )
    return parsed


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Take over transaction control from the sqlite3 module so "begin" below can say IMMEDIATE.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the single writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class RawJson(str):
    """JSON text already serialised (intake hashes the canonical bytes, then stores that very
    text): written to a JSON column as it is, not serialised a second time."""

    __slots__ = ()


def _json_serializer(value: Any) -> str:
    return value if isinstance(value, RawJson) else json.dumps(value)


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _private_sqlite_file(path: Path) -> None:
    """The SQLite file holds children's records: create it 0600 in a 0700 folder (SQLite gives
    its -wal and -shm files the database file's mode), and tighten an older, laxer one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(PRIVATE_FILE)


def _sqlite_begin(conn: Any) -> None:
    # Every central request writes (at least its audit event). Taking the write lock up front
    # avoids SQLite's "database is locked" when two readers both try to upgrade to writers.
    # A one-statement read (``Database.reading``) runs in autocommit and takes no lock.
    if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL) -> Engine:
    parsed = parse_url(url) if isinstance(url, str) else url
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                _private_sqlite_file(Path(parsed.database))
            engine = create_engine(
                parsed,
                connect_args={"check_same_thread": False, "timeout": 30},
                json_serializer=_json_serializer,
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        # Enough connections for a worker's thread pool; beyond that requests queue briefly.
        # No pre-ping (a round trip per request); recycle instead so idle connections that a
        # firewall or failover dropped are replaced within the hour.
        return create_engine(
            parsed,
            pool_size=20,
            max_overflow=20,
            pool_recycle=1800,
            json_serializer=_json_serializer,
        )
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(f"Cannot use the database URL: {exc}.") from None


def alembic_config(connection: Any | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to head (idempotent; safe with several processes starting at once)."""
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            current = MigrationContext.configure(conn).get_current_revision()
            known = {
                r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()
            }
            if current is not None and current not in known:
                raise DatabaseError(
                    "This database was written by a newer rhi-central; upgrade rhi-central."
                )
            command.upgrade(alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"Cannot open the database: {_short(exc)}.") from None


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the schema at head; DatabaseError with one sentence if not."""
    engine = make_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _short(exc: SQLAlchemyError) -> str:
    # The driver's first line says what went wrong; the rest is SQL and a link to the docs.
    original = getattr(exc, "orig", None) or exc
    first = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    return first.rstrip(".")


_SQLITE_TRANSIENT = ("locked", "busy", "full", "disk i/o error", "unable to open")


def is_transient(exc: BaseException) -> bool:
    """A failure that waiting can cure (busy, locked, out of space, connection lost), as opposed
    to a bug: the caller answers "try again later" and loses nothing."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    original = getattr(exc, "orig", None)
    if type(original).__module__.startswith("sqlite3"):
        message = str(original).lower()
        return any(word in message for word in _SQLITE_TRANSIENT)
    # psycopg: OperationalError is connection, resources (disk full), locks, serialisation;
    # a syntax or data error is a ProgrammingError or DataError instead.
    return True


class Database:
    """The engine and a session factory; ``transaction()`` is the unit of work of a request."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        """A connection for one short read outside any transaction (autocommit): one round
        trip on PostgreSQL, and on SQLite no write lock (transactions here take it up front)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def lock_sequence(session: Session, table: str) -> None:
    """Serialise writers of a cursor table on PostgreSQL.

    Sequence values are handed out at insert but become visible at commit; two concurrent
    writers could commit seq 11 before seq 10, and a laptop that already read 11 would never
    see 10. These tables are written rarely (reviews, assignments), so one writer at a time
    costs nothing and keeps every cursor gap-free in commit order.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(table)))  # type: ignore[arg-type]
        )
