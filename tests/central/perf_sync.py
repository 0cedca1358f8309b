"""Quick performance check of the push path (not a test; the lead's benchmarks/ is the formal
one). Starts a durable PostgreSQL (fsync on), runs `rhi-central serve` in a subprocess, and
prints JSON lines in the benchmarks' format:

- sync_1000_s: 1,000 completed interviews (200-question form, ~6 KB payloads) pushed by one
  laptop in batches of 100; sync_ratio against raw psycopg inserts of the same payloads.
- central_p95_ms / central_errors: 50 laptops syncing at once (ping, forms, assignments,
  feedback, then 4 batches of 10 interviews each), latency of every request.

Run:  .venv/bin/python tests/central/perf_sync.py [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent.parent)]

import httpx  # noqa: E402
import psycopg  # noqa: E402
from pg import running_server  # noqa: E402

from rhi_central import ops  # noqa: E402
from rhi_central.db import Database, open_engine  # noqa: E402
from rhi_desktop.sync.protocol import content_sha256  # noqa: E402

QUESTIONS = 200
REQUIRED = 50


def form_yaml() -> str:
    items = "\n".join(
        f"      - {{name: q{i}, type: text, label: Question {i}"
        + (", required: true}" if i < REQUIRED else "}")
        for i in range(QUESTIONS)
    )
    return (
        'id: perf\nversion: "1"\ntitle: Perf\nlanguages:\n  - {code: en, name: English}\n'
        f"sections:\n  - name: s1\n    label: One\n    items:\n{items}\n"
    )


def payload(worker: str) -> dict[str, Any]:
    answers = {f"q{i}": f"answer {i} " + "x" * 20 for i in range(QUESTIONS)}
    return {
        "form_id": "perf",
        "form_version": "1",
        "child_id": str(uuid.uuid4()),
        "episode_ids": [str(uuid.uuid4())],
        "worker": worker,
        "created_at": "2026-03-09T10:00:00+00:00",
        "held_at": "2026-03-10T10:00:00+00:00",
        "completed_at": "2026-03-10T12:00:00+00:00",
        "answers": answers,
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


def item(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "interview_id": str(uuid.uuid4()),
        "revision": 1,
        "content_sha256": content_sha256(p),
        "payload": p,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def emit(name: str, value: float, unit: str, budget: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "budget": budget}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--per-device", type=int, default=40, help="interviews each laptop pushes")
    parser.add_argument("--batch", type=int, default=10, help="interviews per batch")
    parser.add_argument("--no-fsync", action="store_true", help="PostgreSQL without fsync")
    args = parser.parse_args()

    with running_server(durable=not args.no_fsync) as pgs, tempfile.TemporaryDirectory() as tmp:
        url = pgs.new_database()
        os.environ["RHI_CENTRAL_DATA_DIR"] = tmp
        db = Database(open_engine(url))
        with db.transaction() as s:
            ops.publish_form(s, form_yaml(), "perf")
            codes = [ops.create_enrol_code(s, f"Worker {i}", "perf")[0] for i in range(51)]
        db.dispose()

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "rhi_central.cli", "serve", "--port", str(port),
             "--workers", str(args.workers), "--database-url", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            from central.kit import make_csr

            tokens = []
            for code in codes:
                r = httpx.post(
                    base + "/api/v1/enrol",
                    json={"code": code, "device_name": "perf", "csr_pem": make_csr()[1]},
                )
                r.raise_for_status()
                tokens.append(r.json()["device_token"])

            # --- 1,000 interviews from one laptop ---------------------------------------
            payloads = [payload("Worker 0") for _ in range(1000)]
            items = [item(p) for p in payloads]
            body_kb = len(json.dumps(items[0])) / 1024
            with httpx.Client(base_url=base, timeout=60) as c:
                h = {"Authorization": f"Bearer {tokens[0]}"}
                t0 = time.perf_counter()
                for i in range(0, 1000, 100):
                    r = c.post("/api/v1/interviews/batch", json={"items": items[i : i + 100]},
                               headers=h)  # fmt: skip
                    r.raise_for_status()
                    assert all(x["status"] == "accepted" for x in r.json()["results"]), r.text
                sync_s = time.perf_counter() - t0

            # Baseline: raw inserts of the same payloads, one transaction per 100.
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(dsn) as conn:
                conn.execute("CREATE TABLE raw (id text primary key, payload jsonb)")
                conn.commit()
                t0 = time.perf_counter()
                for i in range(0, 1000, 100):
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO raw VALUES (%s, %s)",
                            [(it["interview_id"], json.dumps(it["payload"]))
                             for it in items[i : i + 100]],
                        )  # fmt: skip
                    conn.commit()
                raw_s = time.perf_counter() - t0
            emit("sync_1000_s", sync_s, "s", "< 10")
            emit("sync_ratio", sync_s / raw_s, "x", "<= 5")
            print(json.dumps({"note": f"payload {body_kb:.1f} KB; raw inserts {raw_s:.3f} s"}))

            # --- 50 laptops at once -------------------------------------------------------
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            barrier = threading.Barrier(args.devices)

            def laptop(n: int) -> None:
                token = tokens[n + 1]
                h = {"Authorization": f"Bearer {token}"}
                mine = [item(payload(f"Worker {n + 1}")) for _ in range(args.per_device)]
                with httpx.Client(base_url=base, timeout=30) as c:
                    barrier.wait()
                    calls: list[tuple[str, str, Any]] = [
                        ("POST", "/api/v1/ping", None),
                        ("GET", "/api/v1/settings", None),
                        ("GET", "/api/v1/forms", None),
                        ("GET", "/api/v1/assignments?cursor=0", None),
                        ("GET", "/api/v1/feedback?cursor=0", None),
                    ] + [
                        # Encoded up front: measure the server, not the client's json.dumps.
                        (
                            "POST",
                            "/api/v1/interviews/batch",
                            json.dumps({"items": mine[i : i + args.batch]}),
                        )
                        for i in range(0, args.per_device, args.batch)
                    ]
                    for method, path, body in calls:
                        t = time.perf_counter()
                        try:
                            r = c.request(
                                method,
                                path,
                                content=body,
                                headers=h | {"Content-Type": "application/json"},
                            )
                            ok = r.status_code == 200
                            why = f"{path} {r.status_code}"
                        except httpx.HTTPError as exc:
                            ok, why = False, f"{path} {exc!r}"
                        dt = (time.perf_counter() - t) * 1000
                        with lock:
                            latencies.append(dt)
                            if not ok:
                                errors.append(why)

            # A warm-up round fills the servers' connection pools; the second one is measured.
            for _round in range(2):
                latencies.clear()
                errors.clear()
                threads = [threading.Thread(target=laptop, args=(n,)) for n in range(args.devices)]
                t0 = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - t0
            latencies.sort()
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            emit("central_p95_ms", p95, "ms", "< 250")
            emit("central_errors", len(errors), "count", "0")
            print(json.dumps({
                "note": f"{len(latencies)} requests in {wall:.2f} s; "
                f"median {statistics.median(latencies):.1f} ms; max {latencies[-1]:.1f} ms; "
                f"workers {args.workers}; {args.devices} laptops x {args.per_device} interviews "
                f"in batches of {args.batch}",
                "errors": errors[:5],
            }))  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
