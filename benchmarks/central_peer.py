"""intake_single_1000_s, intake_batch_1000_s, central_p95_ms, central_errors: central measured the
way issue 17 compared it with ODK Central, each figure next to what PostgreSQL itself does with
the same rows in the same run.

The interview: a 99-question form (every answer given, ~3 KB of JSON) with a unique 100 KB PDF
(random bytes behind a PDF header: incompressible, as a signed PDF's images are), about a child
central assigned to the device's worker (no child records carried, like an ODK submission).
Central runs as ``rhi-central serve`` (default workers: one per core) in a subprocess over
loopback HTTP into a durable PostgreSQL 15 (fsync on), the same server for every figure.
Bodies are built before the clock starts: the server is measured, not the client's encoder.

- intake_single_1000_s: 1,000 interviews, one per request (multipart, PDF as a raw part),
  sequential. Baseline: the same 1,000 rows, one INSERT and COMMIT each, one psycopg connection.
  Detail: the same with 8 clients at once, and its baseline with 8 connections.
- intake_batch_1000_s: 1,000 interviews in batches of 50, sequential. Baseline: the same rows
  COPYed in batches of 50, one COPY and COMMIT per batch.
- central_p95_ms / central_errors: 50 devices (threads, one HTTP client each) for a fixed time,
  each in a loop: push one interview, pull assignments, pull feedback. p95 of every request's
  latency; errors are non-200 answers and transport failures. Baseline: 50 psycopg connections
  doing what those requests do in SQL (token lookup; insert + audit row + commit; the
  assignments query + audit row + commit), p95 per request.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import _support
from benchmarks.registry import Figure, Options, benchmark

SINGLE_BUDGET_S = 10.0  # ODK Central: 37.8 s on this kind of machine (issue 17)
BATCH_BUDGET_S = 10.0
P95_BUDGET_MS = 250.0
ERRORS_BUDGET = 0

N, N_QUICK = 1000, 20
BATCH = 50
CLIENTS_8 = 8
DEVICES, DEVICES_QUICK = 50, 5
LOAD_S, LOAD_S_QUICK = 20.0, 2.0
QUESTIONS = 99
PDF_KB = 100
WORKER = "Peer Worker"


def _form_yaml() -> str:
    items = "\n".join(
        f"      - {{name: q{i}, type: text, label: Question {i}"
        + (", required: true}" if i < 20 else "}")
        for i in range(QUESTIONS)
    )
    return (
        'id: peer\nversion: "1"\ntitle: Peer\nlanguages:\n  - {code: en, name: English}\n'
        f"sections:\n  - name: s1\n    label: One\n    items:\n{items}\n"
    )


def _payload(worker: str, child_id: str) -> dict[str, Any]:
    return {
        "form_id": "peer",
        "form_version": "1",
        "child_id": child_id,
        "episode_ids": [],
        "worker": worker,
        "created_at": "2026-03-09T10:00:00+00:00",
        "held_at": "2026-03-10T10:00:00+00:00",
        "completed_at": "2026-03-10T12:00:00+00:00",
        "answers": {f"q{i}": f"answer {i} {uuid.uuid4().hex[:12]}" for i in range(QUESTIONS)},
        "offers": [
            {
                "id": str(uuid.uuid4()),
                "at": "2026-03-09T11:00:00+00:00",
                "method": "phone",
                "outcome": "accepted",
                "by_whom": worker,
            }
        ],
    }


class _Interview:
    """One interview, ready to send (item, PDF) and to insert raw (the stored row)."""

    def __init__(self, worker: str, child_id: str, device_id: str) -> None:
        from rhi_core.canonical import canonical_json, content_sha256

        self.payload = _payload(worker, child_id)
        self.text = canonical_json(self.payload).decode()
        self.pdf = b"%PDF-1.7\n" + os.urandom(PDF_KB * 1024)
        self.item = {
            "interview_id": str(uuid.uuid4()),
            "revision": 1,
            "content_sha256": content_sha256(self.payload),
            "payload": self.payload,
        }
        self.row = (
            self.item["interview_id"], 1, device_id, worker, child_id, "peer", "1", "completed",
            datetime(2026, 3, 10, 12, tzinfo=UTC), self.item["content_sha256"], self.text,
            self.pdf, datetime.now(UTC),
        )  # fmt: skip


def _multipart(interviews: list[_Interview]) -> tuple[bytes, str]:
    """A multipart push body (the laptop's shape) and its Content-Type."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    items = [iv.item | {"pdf_part": f"p{n}"} for n, iv in enumerate(interviews)]
    parts = [("batch", json.dumps({"items": items}).encode(), "application/json")]
    parts += [(f"p{n}", iv.pdf, "application/pdf") for n, iv in enumerate(interviews)]
    for name, data, kind in parts:
        out.write(f"--{boundary}\r\n".encode())
        out.write(f'Content-Disposition: form-data; name="{name}"; filename="{name}"\r\n'.encode())
        out.write(f"Content-Type: {kind}\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


COLUMNS = (
    "interview_id, revision, device_id, worker, child_id, form_id, form_version, state, "
    "completed_at, content_sha256, payload, pdf, received_at"
)


@contextlib.contextmanager
def _central(pgs: Any, tmp: Path, devices: int) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    """A fresh database, the form published, one child per device's worker, the devices
    enrolled, `rhi-central serve` running. Yields (base URL, raw DSN, devices)."""
    import httpx

    _support.tests_on_path()
    from central.kit import child_wire, make_csr

    from rhi_central import ops
    from rhi_central.db import Database, open_engine

    url = pgs.new_database()
    workers = [f"{WORKER} {i}" for i in range(devices)]
    codes = _support.enrol_codes(url, devices, tmp, form_text=_form_yaml(), workers=workers)
    db = Database(open_engine(url))
    try:
        with db.transaction() as s:
            for n, worker in enumerate(workers):
                ops.assign_child(s, child_wire(f"child-{n:04d}"), [], worker, "bench")
    finally:
        db.dispose()
    with _support.central_server(url, tmp, workers=None) as base:
        enrolled = []
        for n, code in enumerate(codes):
            r = httpx.post(
                base + "/api/v1/enrol",
                json={"code": code, "device_name": "bench", "csr_pem": make_csr()[1]},
                timeout=30,
            )
            r.raise_for_status()
            body = r.json()
            enrolled.append(
                {
                    "token": body["device_token"],
                    "id": body["device_id"],
                    "worker": workers[n],
                    "child": f"child-{n:04d}",
                }  # fmt: skip
            )
        yield base, _support.raw_dsn(url), enrolled


def _post_all(base: str, token: str, bodies: list[tuple[bytes, str]]) -> list[float]:
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=120) as c:
        for body, kind in bodies:
            t = time.perf_counter()
            r = c.post(
                "/api/v1/interviews/batch",
                content=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": kind},
            )
            out.append(time.perf_counter() - t)
            r.raise_for_status()
            results = r.json()["results"]
            assert {x["status"] for x in results} == {"accepted"}, results[:1]
    return out


def _raw_table(dsn: str) -> None:
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_interviews")
        conn.execute("CREATE TABLE raw_interviews (LIKE interviews INCLUDING ALL)")
        conn.commit()


def _raw_single(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    import psycopg
    from psycopg.types.json import Jsonb

    sql = f"INSERT INTO raw_interviews ({COLUMNS}) VALUES ({', '.join(['%s'] * 13)})"
    with psycopg.connect(dsn) as conn:
        for row in rows:
            conn.execute(sql, (*row[:10], Jsonb(json.loads(row[10])), *row[11:]))
            conn.commit()


def _raw_copy(dsn: str, rows: list[tuple[Any, ...]]) -> None:
    import psycopg

    with psycopg.connect(dsn) as conn:
        for k in range(0, len(rows), BATCH):
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY raw_interviews ({COLUMNS}) FROM STDIN") as cp,
            ):
                for row in rows[k : k + BATCH]:
                    cp.write_row(row)
            conn.commit()


def _parallel(n: int, fn: Callable[[int], None]) -> float:
    threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def _intake(pgs: Any, tmp: Path, n: int) -> dict[str, Any]:
    with _central(pgs, tmp, CLIENTS_8) as (base, dsn, devices):
        d0 = devices[0]

        def made(k: int, device: dict[str, str]) -> list[_Interview]:
            return [_Interview(device["worker"], device["child"], device["id"]) for _ in range(k)]

        single = made(n, d0)
        t0 = time.perf_counter()
        _post_all(base, d0["token"], [_multipart([iv]) for iv in single])
        single_s = time.perf_counter() - t0
        _raw_table(dsn)
        t0 = time.perf_counter()
        _raw_single(dsn, [iv.row for iv in single])
        raw_single_s = time.perf_counter() - t0

        per = n // CLIENTS_8
        eight = [made(per, d) for d in devices]
        bodies = [[_multipart([iv]) for iv in ivs] for ivs in eight]
        eight_s = _parallel(
            CLIENTS_8, lambda i: _post_all(base, devices[i]["token"], bodies[i])
        ) * (n / (per * CLIENTS_8))
        _raw_table(dsn)
        eight_raw_s = _parallel(
            CLIENTS_8, lambda i: _raw_single(dsn, [iv.row for iv in eight[i]])
        ) * (n / (per * CLIENTS_8))

        batch = made(n, d0)
        batch_bodies = [_multipart(batch[k : k + BATCH]) for k in range(0, n, BATCH)]
        t0 = time.perf_counter()
        _post_all(base, d0["token"], batch_bodies)
        batch_s = time.perf_counter() - t0
        _raw_table(dsn)
        t0 = time.perf_counter()
        _raw_copy(dsn, [iv.row for iv in batch])
        copy_s = time.perf_counter() - t0
    return {
        "single_s": single_s,
        "raw_single_s": raw_single_s,
        "eight_s": eight_s,
        "eight_raw_s": eight_raw_s,
        "batch_s": batch_s,
        "copy_s": copy_s,
    }


def _load(pgs: Any, tmp: Path, devices: int, seconds: float) -> dict[str, Any]:
    import httpx
    import psycopg
    from psycopg.types.json import Jsonb

    from rhi_central.tokens import token_hash

    with _central(pgs, tmp, devices) as (base, dsn, enrolled):
        latencies: list[float] = []
        by_path: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        # Ten interviews per device prepared up front, reused with fresh ids as the loop runs.
        prepared = {d["id"]: [_Interview(d["worker"], d["child"], d["id"]) for _ in range(10)]
                    for d in enrolled}  # fmt: skip

        def note(path: str, dt: float, ok: bool, why: str) -> None:
            with lock:
                latencies.append(dt)
                by_path.setdefault(path, []).append(dt)
                if not ok:
                    errors.append(why)

        def device(i: int, stop: float, barrier: threading.Barrier) -> None:
            d = enrolled[i]
            h = {"Authorization": f"Bearer {d['token']}"}
            bodies = [_multipart([iv]) for iv in prepared[d["id"]]]
            with httpx.Client(base_url=base, timeout=60) as c:
                barrier.wait()
                k = 0
                while time.perf_counter() < stop:
                    body, kind = bodies[k % len(bodies)]
                    if k >= len(bodies):  # a fresh interview id: never a duplicate
                        iv = prepared[d["id"]][k % len(bodies)]
                        iv.item["interview_id"] = str(uuid.uuid4())
                        body, kind = _multipart([iv])
                    k += 1
                    for method, path, content in (
                        ("POST", "/api/v1/interviews/batch", body),
                        ("GET", "/api/v1/assignments", None),
                        ("GET", "/api/v1/feedback", None),
                    ):
                        hh = h | ({"Content-Type": kind} if content else {})
                        t = time.perf_counter()
                        try:
                            r = c.request(method, path, content=content, headers=hh)
                            ok, why = r.status_code == 200, f"{path} {r.status_code}"
                        except httpx.HTTPError as exc:
                            ok, why = False, f"{path} {type(exc).__name__}"
                        note(path, (time.perf_counter() - t) * 1000, ok, why)

        def rounds(fn: Callable[[int, float, threading.Barrier], None], n: int) -> float:
            barrier = threading.Barrier(n)
            stop = time.perf_counter() + seconds + 1.0
            return _parallel(n, lambda i: fn(i, stop, barrier))

        rounds(device, devices)  # warm-up: pools filled, forms parsed
        latencies.clear(), by_path.clear(), errors.clear()
        wall = rounds(device, devices)
        served = dict(latencies=list(latencies), by_path=dict(by_path), errors=list(errors))

        # Baseline: the same work as SQL on 50 connections, per "request".
        latencies.clear(), by_path.clear(), errors.clear()
        digests = {d["id"]: token_hash(d["token"]) for d in enrolled}

        def raw_device(i: int, stop: float, barrier: threading.Barrier) -> None:
            d = enrolled[i]
            iv = prepared[d["id"]][0]
            with psycopg.connect(dsn) as conn:
                barrier.wait()
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    conn.execute(
                        "SELECT id FROM devices WHERE token_sha256 = %s", (digests[d["id"]],)
                    )
                    row = list(iv.row)
                    row[0] = str(uuid.uuid4())
                    conn.execute(
                        f"INSERT INTO interviews ({COLUMNS}) VALUES ({', '.join(['%s'] * 13)})",
                        (*row[:10], Jsonb(iv.payload), *row[11:]),
                    )
                    conn.execute(
                        "INSERT INTO audit_events (at, actor, action, detail) VALUES (now(), %s, "
                        "'interviews.push', %s)",
                        (f"device:{d['id']}", Jsonb({"items": [[row[0], 1, "accepted"]]})),
                    )
                    conn.commit()
                    note("push", (time.perf_counter() - t) * 1000, True, "")
                    t = time.perf_counter()
                    conn.execute(
                        "SELECT id FROM devices WHERE token_sha256 = %s", (digests[d["id"]],)
                    )
                    conn.execute(
                        "SELECT seq, child_id FROM assignment_changes WHERE worker = %s AND seq > 0 "
                        "ORDER BY seq LIMIT 201",
                        (d["worker"],),
                    ).fetchall()
                    conn.execute(
                        "SELECT * FROM children WHERE id = %s AND assigned_worker = %s",
                        (d["child"], d["worker"]),
                    ).fetchall()
                    conn.execute(
                        "INSERT INTO audit_events (at, actor, action) VALUES (now(), %s, "
                        "'assignments.pull')",
                        (f"device:{d['id']}",),
                    )
                    conn.commit()
                    note("pull", (time.perf_counter() - t) * 1000, True, "")

        rounds(raw_device, devices)
        raw = list(latencies)
    lat = served["latencies"]
    return {
        "p95_ms": round(_support.percentile(lat, 95), 1),
        "median_ms": round(statistics.median(lat), 1),
        "max_ms": round(max(lat), 1),
        "errors": len(served["errors"]),
        "error_kinds": sorted(set(served["errors"]))[:5],
        "requests": len(lat),
        "requests_per_s": round(len(lat) / wall, 1),
        "p95_by_path_ms": {
            p: round(_support.percentile(v, 95), 1) for p, v in sorted(served["by_path"].items())
        },
        "raw_p95_ms": round(_support.percentile(raw, 95), 1),
        "raw_requests": len(raw),
    }


@benchmark("intake_single_1000_s", "intake_batch_1000_s", "central_p95_ms", "central_errors")
def central_peer(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    if not _support.pg_available():
        raise RuntimeError("PostgreSQL 15 binaries (initdb, pg_ctl) are needed for these figures")
    quick = options.quick
    n = N_QUICK if quick else N
    scale = 1000 / n
    common = {
        "questions": QUESTIONS,
        "pdf_kb": PDF_KB,
        "server": f"rhi-central serve (workers: one per core, {os.cpu_count()}), durable "
        "PostgreSQL 15, loopback HTTP, multipart pushes (PDF as a raw part)",
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    with _support.postgres() as pgs, tempfile.TemporaryDirectory(prefix="rhi-peer-") as tmp:
        if wanted & {"intake_single_1000_s", "intake_batch_1000_s"}:
            r = _intake(pgs, Path(tmp), n)
            yield Figure(
                "intake_single_1000_s",
                round(r["single_s"] * scale, 2),
                "s",
                SINGLE_BUDGET_S,
                {
                    "detail": f"{n} interviews, one per request, sequential"
                    + ("" if n == 1000 else f", scaled x{scale:g}"),
                    "raw_postgresql_s": round(r["raw_single_s"] * scale, 2),
                    "ratio_to_raw": round(r["single_s"] / r["raw_single_s"], 2),
                    "eight_clients_s": round(r["eight_s"] * scale, 2),
                    "eight_clients_raw_s": round(r["eight_raw_s"] * scale, 2),
                    "odk_central_s": 37.8,
                    **common,
                },
            )
            yield Figure(
                "intake_batch_1000_s",
                round(r["batch_s"] * scale, 2),
                "s",
                BATCH_BUDGET_S,
                {
                    "detail": f"{n} interviews in batches of {BATCH}, sequential",
                    "raw_postgresql_copy_s": round(r["copy_s"] * scale, 2),
                    "ratio_to_raw": round(r["batch_s"] / r["copy_s"], 2),
                    **common,
                },
            )
        if wanted & {"central_p95_ms", "central_errors"}:
            devices = DEVICES_QUICK if quick else DEVICES
            seconds = LOAD_S_QUICK if quick else LOAD_S
            r = _load(pgs, Path(tmp), devices, seconds)
            detail = (
                f"{devices} devices (threads, one HTTP client each) for {seconds:g} s after a "
                "warm-up round, each looping: push one interview, pull assignments, pull "
                "feedback; the load generator shares the machine's cores with server and database"
            )
            yield Figure("central_p95_ms", r["p95_ms"], "ms", P95_BUDGET_MS,
                         {"detail": detail, **r, **common})  # fmt: skip
            yield Figure(
                "central_errors",
                r["errors"],
                "count",
                ERRORS_BUDGET,
                {"detail": detail, "error_kinds": r["error_kinds"], "requests": r["requests"]},
            )
