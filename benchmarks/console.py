"""console_board_ms and episodes_import_10k_s: the Missing Lead's console on a durable
PostgreSQL 15 (fsync on), the production store.

console_board_ms: 10,000 children (about three episodes each over the last year), 400 of them
missing now (some for days), a few hundred back in the last ten days (some with an RHI
received), served in-process by uvicorn on a loopback port. A Missing Lead signs in through the
form and asks for /console/board 60 times (after 5 warm-up requests). The figure is the p95 of
the server time the console reports in its ``Server-Timing`` header (from the request reaching
the console to the response: session check, queries, audit event, rendering); the wall time
seen by the client is detail.

episodes_import_10k_s: a 10,000-row police/case-system CSV (5,000 children new to central, two
episodes each, dates in UK format, a values map for the category) imported with its mapping
through ``episodes.service.import_csv``, the code behind `rhi-central import episodes` and the
console's import, in one transaction. The figure is that call's wall time (read, check every row
against central, write). Re-importing the same file (every row unchanged, nothing written) is
detail.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import _support
from benchmarks.registry import Figure, Options, benchmark

BOARD_BUDGET_MS = 200.0
IMPORT_BUDGET_S = 5.0
CHILDREN, CHILDREN_QUICK = 10_000, 300
OPEN, OPEN_QUICK = 400, 12
REQUESTS, REQUESTS_QUICK = 60, 5
ROWS, ROWS_QUICK = 10_000, 200
PASSWORD = "benchmark password, not a real one"
_TIMING = re.compile(r"app;dur=([0-9.]+)")


def _seed_board(url: str, n_children: int, n_open: int, now: datetime) -> dict[str, int]:
    from sqlalchemy import insert

    from rhi_central.db import Database, open_engine
    from rhi_central.models import Child, Episode, Interview
    from rhi_central.staff.service import add_user

    rnd = random.Random(14)
    workers = [f"Worker {n:02d}" for n in range(12)]
    children, episodes, interviews = [], [], []
    for n in range(n_children):
        cid = str(uuid.UUID(int=rnd.getrandbits(128)))
        children.append(
            {
                "id": cid, "local_id": f"B{n:06d}", "first_name": f"First{n}",
                "last_name": f"Last{n}", "dob": date(2008 + n % 8, 1 + n % 12, 1 + n % 28),
                "sex": "female" if n % 2 else "male", "ethnicity": "Not known",
                "looked_after": n % 3 == 0, "uasc": n % 17 == 0, "out_of_area": n % 5 == 0,
                "placement_type": None, "placing_authority": None, "social_worker": None,
                "preferred_language": "en", "interpreter_needed": False,
                "assigned_worker": workers[n % len(workers)],
            }
        )  # fmt: skip
        # History: up to three closed episodes in the last year, a month or more apart.
        start = now - timedelta(days=360 - rnd.randint(0, 30))
        for _ in range(rnd.randint(1, 3)):
            returned = start + timedelta(hours=rnd.randint(2, 60))
            episodes.append(_episode(cid, start, returned, rnd))
            start = returned + timedelta(days=rnd.randint(30, 90))
            if start > now - timedelta(days=20):
                break
        if n < n_open:  # missing now: hours to a week
            episodes.append(_episode(cid, now - timedelta(hours=rnd.randint(1, 24 * 7)), None, rnd))
        elif n < n_open + 300:  # back in the last ten days; half with an RHI received
            returned = now - timedelta(hours=rnd.randint(1, 240))
            episode = _episode(cid, returned - timedelta(hours=rnd.randint(2, 48)), returned, rnd)
            episodes.append(episode)
            if n % 2:
                interviews.append(_interview(cid, episode["id"], returned, workers[n % 12]))
    db = Database(open_engine(url))
    try:
        with db.transaction() as s:
            for i in range(0, len(children), 2000):
                s.execute(insert(Child), children[i : i + 2000])
            for i in range(0, len(episodes), 2000):
                s.execute(insert(Episode), episodes[i : i + 2000])
            if interviews:
                s.execute(insert(Interview), interviews)
            add_user(
                s, email="lead@bench.example", name="Bench Lead", role="missing-lead",
                password=PASSWORD, actor="bench", now=now,
            )  # fmt: skip
        with db.engine.connect() as conn:  # a live store has its statistics; a fresh load not yet
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    finally:
        db.dispose()
    return {"children": len(children), "episodes": len(episodes), "interviews": len(interviews)}


def _episode(
    child_id: str, start: datetime, returned: datetime | None, rnd: random.Random
) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=rnd.getrandbits(128))), "child_id": child_id,
        "category": "M" if rnd.random() < 0.8 else "A", "started_at": start,
        "returned_at": returned, "where_found": None, "found_by": None,
        "police_reference": None, "risk_grade": rnd.choice(["low", "medium", "high"]),
        "notified_at": None,
    }  # fmt: skip


def _interview(child_id: str, episode_id: str, returned: datetime, worker: str) -> dict[str, Any]:
    payload = {"child_id": child_id, "episode_ids": [episode_id], "answers": {}}
    return {
        "interview_id": str(uuid.uuid4()), "revision": 1, "device_id": None, "worker": worker,
        "child_id": child_id, "form_id": "rhi-v1", "form_version": "1.0.0", "state": "synced",
        "completed_at": returned + timedelta(hours=20), "content_sha256": "0" * 64,
        "payload": payload, "pdf": None, "received_at": returned + timedelta(hours=21),
    }  # fmt: skip


def _board(url: str, requests: int, data_dir: Path) -> tuple[list[float], list[float], int]:
    import httpx

    _support.tests_on_path()
    from central.kit import LiveServer

    from rhi_central.app import create_app
    from rhi_central.service_settings import ServiceSettings

    app = create_app(url, data_dir=data_dir, service=ServiceSettings(jobs_interval_s=0))
    server_ms, wall_ms, size = [], [], 0
    try:
        with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=60) as http:
            cookie = _sign_in(http)
            for n in range(requests + 5):
                t0 = time.perf_counter()
                r = http.get("/console/board", headers={"cookie": cookie})
                wall = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"the board answered {r.status_code}")
                if n >= 5:
                    found = _TIMING.search(r.headers["server-timing"])
                    assert found
                    server_ms.append(float(found.group(1)))
                    wall_ms.append(wall)
                    size = len(r.content)
    finally:
        app.state.central.db.dispose()
    return server_ms, wall_ms, size


def _sign_in(http: Any) -> str:
    """Sign in through the form; the Secure cookie is carried by hand (loopback HTTP)."""
    page = http.get("/console/sign-in")
    anon = page.headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = http.post(
        "/console/sign-in",
        data={"csrf_token": csrf, "email": "lead@bench.example", "password": PASSWORD},
        headers={"cookie": anon},
    )
    if r.status_code != 303:
        raise RuntimeError("the benchmark could not sign in")
    return str(r.headers["set-cookie"].split(";")[0])


@benchmark("console_board_ms")
def board(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    if not _support.pg_available():
        raise RuntimeError(
            "PostgreSQL 15 binaries (initdb, pg_ctl) are needed for console_board_ms"
        )
    n_children = CHILDREN_QUICK if options.quick else CHILDREN
    n_open = OPEN_QUICK if options.quick else OPEN
    requests = REQUESTS_QUICK if options.quick else REQUESTS
    now = datetime.now(UTC)
    with _support.postgres() as pgs, tempfile.TemporaryDirectory(prefix="rhi-bench-") as tmp:
        url = pgs.new_database()
        seeded = _seed_board(url, n_children, n_open, now)
        server_ms, wall_ms, size = _board(url, requests, Path(tmp))
    yield Figure(
        "console_board_ms",
        round(_support.percentile(server_ms, 95), 1),
        "ms",
        BOARD_BUDGET_MS,
        {
            "detail": (
                f"p95 server time (Server-Timing) of GET /console/board, {requests} requests as "
                f"a signed-in Missing Lead, {seeded['children']} children, {n_open} missing now, "
                f"{seeded['episodes']} episodes, durable PostgreSQL 15"
            ),
            "stat": "p95",
            "median_ms": round(statistics.median(server_ms), 1),
            "wall_p95_ms": round(_support.percentile(wall_ms, 95), 1),
            "page_kb": round(size / 1024, 1),
            **seeded,
        },
    )


def _export(rows: int, now: datetime) -> tuple[bytes, str]:
    lines = ["Child ID,Forename,Surname,DOB,Police Ref,Type,Missing from,Returned,Risk"]
    for n in range(rows):
        child = n // 2
        start = now - timedelta(days=300 - (n % 2) * 100, hours=child % 24)
        back = start + timedelta(hours=5 + child % 40)
        lines.append(
            f"I{child:06d},Import{child},Child{child},{1 + child % 28:02d}/{1 + child % 12:02d}/"
            f"{2008 + child % 8},IMP-{n:06d},{'Missing' if n % 5 else 'Absent'},"
            f"{start:%d/%m/%Y %H:%M},{back:%d/%m/%Y %H:%M},{('Low', 'Medium', 'High')[n % 3]}"
        )
    mapping = """\
columns:
  case_number: Child ID
  first_name: Forename
  last_name: Surname
  date_of_birth: DOB
  police_reference: Police Ref
  category: Type
  started_at: Missing from
  returned_at: Returned
  risk_grade: Risk
date_format: "%d/%m/%Y %H:%M"
values:
  category: {"Missing": M, "Absent": A}
"""
    return ("\r\n".join(lines) + "\r\n").encode("utf-8"), mapping


@benchmark("episodes_import_10k_s")
def csv_import(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    if not _support.pg_available():
        raise RuntimeError("PostgreSQL 15 binaries are needed for episodes_import_10k_s")
    from rhi_central.db import Database, open_engine
    from rhi_central.episodes.service import import_csv

    rows = ROWS_QUICK if options.quick else ROWS
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    data, mapping = _export(rows, now)
    with _support.postgres() as pgs:
        db = Database(open_engine(pgs.new_database()))
        try:
            timings: list[float] = []
            counts: dict[str, int] = {}
            for _ in range(2):
                t0 = time.perf_counter()
                with db.transaction() as s:
                    result = import_csv(
                        s, data, mapping, file_name="bench.csv", actor="bench", now=now,
                        dry_run=False,
                    )  # fmt: skip
                timings.append(time.perf_counter() - t0)
                if not result.applied or result.plan is None:
                    raise RuntimeError(
                        f"the import was refused: {result.file_problem or result.plan}"
                    )
                counts = counts or result.plan.counts()  # the first import's
        finally:
            db.dispose()
    yield Figure(
        "episodes_import_10k_s",
        round(timings[0], 2),
        "s",
        IMPORT_BUDGET_S,
        {
            "detail": (
                f"wall time of one import of a {rows}-row CSV ({len(data) // 1024} KB, "
                f"{counts['children_created']} new children, {counts['episodes_created']} "
                "episodes) into a durable PostgreSQL 15, one transaction"
            ),
            "reimport_unchanged_s": round(timings[1], 2),
            "rows": rows,
        },
    )
