"""Schema versions: migrate older profiles (after an encrypted backup), refuse newer ones."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from .engine import write_backup
from .errors import ProfileTooNew

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


# Alembic costs ~0.2 s to import: it is loaded only when a schema is missing or old, not on
# every unlock (the newest revision id is read from the migration files' names instead).
def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _newest_file_revision() -> str:
    """The head, read from the migration file names ("0003_....py" -> "0003"): our revision ids
    are zero-padded numbers, so the largest is the head (a test checks this against Alembic)."""
    names = [p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py")]
    return max(names)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return row[0] if row else None


def ensure_schema(engine: Engine, backup_dir: Path, key: bytes) -> str | None:
    """Bring the database to the newest schema. Returns the backup path when one was taken
    (``key`` checks it: an older profile is migrated only after a backup that opens)."""
    current = current_revision(engine)
    if current is not None and current == _newest_file_revision():
        return None  # the common case: no Alembic import at all
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
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
        backup = backup_database(engine, backup_dir, f"before-upgrade-{current}", key)
        log.info("profile schema %s older than %s; backup taken", current, head)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return str(backup) if backup else None


def backup_database(engine: Engine, backup_dir: Path, reason: str, key: bytes) -> Path:
    """An encrypted copy (same key), never a plaintext file: written whole and checked before
    it takes its name (engine.write_backup), or not at all."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and backup_dir.stat().st_mode & 0o077:
        os.chmod(backup_dir, 0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"rhi-{stamp}-{reason}.db"
    write_backup(engine, target, key)
    return target
