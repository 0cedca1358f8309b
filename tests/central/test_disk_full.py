"""Proof (make proofs): central's disk fills during a sync. Central answers the items it could
not store `deferred` / `central_busy` (the laptop keeps them and sends them again), stores
nothing half-written, and once there is room again the same pushes are all accepted.

Central's SQLite file lives on a small tmpfs (mounting needs root: we are root here and in CI);
the PostgreSQL run puts the interviews table in a tablespace on that tmpfs, so PostgreSQL's own
WAL stays on the big disk, as a full data volume would."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pg
import pytest
from central.kit import COUNCIL, Kit, LiveServer, assign
from pg import PostgresServer
from sqlalchemy import func, select, text

from rhi_central.app import create_app
from rhi_central.models import Interview

pytestmark = pytest.mark.slow

PDF = b"%PDF-1.7\n" + os.urandom(400 * 1024)  # incompressible: 400 KB a revision
BATCH = 5


@pytest.fixture
def tiny_fs() -> Iterator[Path]:
    # Outside pytest's 0700 tmp folder: the postgres user must reach the tablespace.
    outer = Path(tempfile.mkdtemp(prefix="rhi-tiny-"))
    outer.chmod(0o755)
    mount = outer / "fs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0777", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        shutil.rmtree(outer, ignore_errors=True)


@contextlib.contextmanager
def _database(kind: str, tiny: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tiny / 'central.db'}"
        return
    if not pg.available():
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    # A server of its own: it must stop before its tablespace's volume goes away.
    with pg.running_server() as server:
        yield _tablespace_database(server, tiny)


def _tablespace_database(server: PostgresServer, tiny: Path) -> str:
    url = server.new_database()
    space = tiny / "pgspace"
    space.mkdir()
    if os.geteuid() == 0:
        shutil.chown(space, user="postgres", group="postgres")
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        name = f"tiny_{Path(dsn).name}"
        conn.execute(f"CREATE TABLESPACE {name} LOCATION '{space}'")
        conn.execute(f'ALTER DATABASE "{Path(dsn).name}" SET default_tablespace = {name}')
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_disk_fills_during_a_sync_and_nothing_is_lost(
    kind: str, tiny_fs: Path, tmp_path: Path
) -> None:
    with _database(kind, tiny_fs) as url:
        _fill_and_recover(kind, url, tiny_fs, tmp_path)


def _fill_and_recover(kind: str, url: str, tiny_fs: Path, tmp_path: Path) -> None:
    app = create_app(url, data_dir=tmp_path / "data", council_name=COUNCIL)
    try:
        with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=60) as http:
            kit = Kit(app.state.central, http)
            kit.publish()
            assign(kit.central, "child-1", "Amara Okafor")
            laptop = kit.enrol()
            queued: list[dict] = []
            accepted = deferred = 0
            for _ in range(8):  # 8 batches x 5 x 400 KB = 16 MB into 6 MB
                batch = [kit.item(kit.payload()) for _ in range(BATCH)]
                r = _push_with_pdfs(kit, laptop, batch)
                assert r.status_code in (200, 503), r.text
                results = r.json()["results"] if r.status_code == 200 else []
                for item, result in zip(batch, results, strict=True):
                    if result["status"] == "accepted":
                        accepted += 1
                    else:
                        assert (result["status"], result["reason_code"]) == (
                            "deferred",
                            "central_busy",
                        ), result
                        deferred += 1
                        queued.append(item)
                if r.status_code == 503:
                    queued += batch
            assert deferred > 0, "the disk never filled"
            assert _stored(kit) == accepted  # what was answered accepted is there, nothing else
            _make_room(kind, kit, tiny_fs)
            for k in range(0, len(queued), BATCH):
                r = _push_with_pdfs(kit, laptop, queued[k : k + BATCH])
                assert {x["status"] for x in r.json()["results"]} == {"accepted"}, r.text
            assert _stored(kit) == accepted + len(queued)
            with kit.central.db.transaction() as s:
                if kind == "sqlite":
                    assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                for row in s.scalars(select(Interview)):
                    assert row.pdf == PDF  # whole, never a torn blob
    finally:
        app.state.central.db.dispose()


def _push_with_pdfs(kit: Kit, laptop: object, items: list[dict]) -> httpx.Response:
    import json

    body = {"items": [i | {"pdf_part": f"p{n}"} for n, i in enumerate(items)]}
    files = {"batch": (None, json.dumps(body).encode(), "application/json")} | {
        f"p{n}": (f"p{n}.pdf", PDF, "application/pdf") for n in range(len(items))
    }
    return kit.http.post("/api/v1/interviews/batch", files=files, headers=laptop.headers)  # type: ignore[attr-defined]


def _stored(kit: Kit) -> int:
    with kit.central.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Interview)) or 0)


def _make_room(kind: str, kit: Kit, tiny: Path) -> None:
    """The administrator grows the volume (here: remounts the tmpfs bigger)."""
    done = subprocess.run(
        ["mount", "-o", "remount,size=64m", str(tiny)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
