"""Issue 11, item 9: central's SQLite file (children's names are in it) and its WAL are 0600
in a 0700 folder, whatever the umask, for `serve` and for `demo seed` alike."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from rhi_central.cli import main


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> object:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_demo_seed_writes_a_private_database(tmp_path: Path, lax_umask: object) -> None:
    folder = tmp_path / "central-data"
    db = folder / "central.db"
    done = CliRunner().invoke(
        main, ["demo", "seed", "--children", "5", "--database-url", f"sqlite:///{db}"]
    )
    assert done.exit_code == 0, done.output
    assert _mode(db) == 0o600
    assert _mode(folder) == 0o700
    for extra in (db.with_name("central.db-wal"), db.with_name("central.db-shm")):
        if extra.exists():
            assert _mode(extra) == 0o600


def test_an_older_laxer_database_is_tightened(tmp_path: Path, lax_umask: object) -> None:
    db = tmp_path / "central.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    done = CliRunner().invoke(main, ["devices", "--database-url", f"sqlite:///{db}"])
    assert done.exit_code == 0, done.output
    assert _mode(db) == 0o600
