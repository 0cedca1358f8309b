"""Engine, sessions and schema migrations for both backends.

SQLite is the embedded default (demo, tests, a single laptop); PostgreSQL is production. The
differences that matter are handled here so the rest of the code is backend-neutral.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
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


def _sqlite_begin(conn: Any) -> None:
    # Every central request writes (at least its audit event). Taking the write lock up front
    # avoids SQLite's "database is locked" when two readers both try to upgrade to writers.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL) -> Engine:
    parsed = parse_url(url) if isinstance(url, str) else url
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        # Enough connections for a worker's thread pool; beyond that requests queue briefly.
        # No pre-ping (a round trip per request); recycle instead so idle connections that a
        # firewall or failover dropped are replaced within the hour.
        return create_engine(parsed, pool_size=20, max_overflow=20, pool_recycle=1800)
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

    def dispose(self) -> None:
        self.engine.dispose()
