"""Schema versions: migrate older profiles (after an encrypted backup), refuse newer ones."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from .errors import ProfileTooNew

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
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


def ensure_schema(engine: Engine, backup_dir: Path) -> str | None:
    """Bring the database to the newest schema. Returns the backup path when one was taken."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    head = script.get_current_head()
    if current == head:
        return None
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise ProfileTooNew(
            "This profile was saved by a newer version of RHI Desktop; "
            "update the app to open it (nothing has been changed)."
        )
    backup = None
    if current is not None:
        backup = backup_database(engine, backup_dir, reason=f"before-upgrade-{current}")
        log.info("profile schema %s older than %s; backup taken", current, head)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return str(backup) if backup else None


def backup_database(engine: Engine, backup_dir: Path, reason: str) -> Path:
    """An encrypted copy (same key) through SQLite's online backup; never a plaintext file."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"rhi-{stamp}-{reason}.db"
    with engine.connect() as conn:
        # VACUUM INTO writes a consistent copy encrypted with the same key.
        conn.exec_driver_sql("VACUUM INTO ?", (str(target),))
        conn.execute(text("SELECT 1"))
    target.chmod(0o600)
    return target
