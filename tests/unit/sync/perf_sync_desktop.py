"""Measure ``sync_1000_s``: 1,000 completed interviews pushed from one real (SQLCipher) laptop
profile by ``sync_service.sync_once`` into central on a durable PostgreSQL (fsync on), central
served by ``rhi-central serve`` in its own process. Not a test; prints JSON lines in the
benchmarks' format.

Setup makes one completed interview through the services and clones its rows (fresh ids) to
1,000, because making each through the services takes ~0.2 s and is not what is measured.
The signed PDF is rendered per interview at push time (~0.4 s each, CPU bound), so the full
figure is measured on a sample and extrapolated; ``sync_1000_s`` is the push without PDFs.

Run:  .venv/bin/python tests/unit/sync/perf_sync_desktop.py [--n 1000] [--pdf-sample 20]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent.parent
sys.path[:0] = [str(TESTS), str(TESTS.parent)]

import httpx  # noqa: E402
import keyring  # noqa: E402
import psycopg  # noqa: E402
from keyring_memory import MemoryKeyring  # noqa: E402
from pg import running_server  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402
from unit.sync.harness import WORKER, builtin_form_text, completed_interview  # noqa: E402

from rhi_central import ops  # noqa: E402
from rhi_central.db import Database, open_engine  # noqa: E402
from rhi_desktop.security.keys import KdfParams  # noqa: E402
from rhi_desktop.services import sync_service  # noqa: E402
from rhi_desktop.services.profiles import Profile, create_profile  # noqa: E402
from rhi_desktop.store import models as m  # noqa: E402
from rhi_desktop.sync import outbox  # noqa: E402
from rhi_desktop.sync.payload import batch_item, build_payload  # noqa: E402


def emit(name: str, value: float, unit: str, budget: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "budget": budget}))


def _rows(s: Any, table: Any, **where: Any) -> list[dict[str, Any]]:
    q = select(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    return [dict(r._mapping) for r in s.execute(q)]


def clone(profile: Profile, template: str, n: int) -> list[str]:
    """n copies of a completed interview (child, episode, answers, offers, sessions, plan,
    signatures, referrals, audit events) with fresh ids."""
    t = {name: model.__table__ for name, model in vars(m).items() if hasattr(model, "__table__")}
    ids: list[str] = []
    with profile.transaction() as s:
        iv = _rows(s, t["ReturnInterview"], id=template)[0]
        child = _rows(s, t["Child"], id=iv["child_id"])[0]
        links = _rows(s, m.interview_episode, interview_id=template)
        episodes = [_rows(s, t["MissingEpisode"], id=lk["episode_id"])[0] for lk in links]
        per = {
            name: _rows(s, t[name], interview_id=template)
            for name in ("Answer", "OfferAttempt", "InterviewSession", "Signature", "Referral")
        }
        plans = _rows(s, t["SafetyPlan"], interview_id=template)
        items = [i for p in plans for i in _rows(s, t["SafetyPlanItem"], plan_id=p["id"])]
        events = _rows(s, t["AuditEvent"], entity_id=template)
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in t} | {"link": []}
        for k in range(n):
            new_iid, new_child = str(uuid.uuid4()), str(uuid.uuid4())
            ids.append(new_iid)
            out["Child"].append(child | {"id": new_child, "local_id": f"P{k:06d}"})
            ep_map = {e["id"]: str(uuid.uuid4()) for e in episodes}
            out["MissingEpisode"] += [
                e | {"id": ep_map[e["id"]], "child_id": new_child} for e in episodes
            ]
            out["ReturnInterview"].append(iv | {"id": new_iid, "child_id": new_child})
            out["link"] += [
                {"interview_id": new_iid, "episode_id": ep_map[lk["episode_id"]]} for lk in links
            ]
            for name, rows in per.items():
                out[name] += [r | {"id": str(uuid.uuid4()), "interview_id": new_iid} for r in rows]
            plan_map = {p["id"]: str(uuid.uuid4()) for p in plans}
            out["SafetyPlan"] += [
                p | {"id": plan_map[p["id"]], "interview_id": new_iid} for p in plans
            ]
            out["SafetyPlanItem"] += [
                i | {"id": str(uuid.uuid4()), "plan_id": plan_map[i["plan_id"]]} for i in items
            ]
            out["AuditEvent"] += [
                {k2: v for k2, v in e.items() if k2 != "seq"}
                | {"id": str(uuid.uuid4()), "entity_id": new_iid}
                for e in events
            ]
        order = ["Child", "MissingEpisode", "ReturnInterview", "link", "Answer", "OfferAttempt",
                 "InterviewSession", "Signature", "Referral", "SafetyPlan", "SafetyPlanItem",
                 "AuditEvent"]  # fmt: skip
        for name in order:
            table = m.interview_episode if name == "link" else t[name]
            if out[name]:
                s.execute(insert(table), out[name])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--pdf-sample", type=int, default=20)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    now = datetime.now(UTC)
    with running_server(durable=True) as pgs, tempfile.TemporaryDirectory() as tmp:
        url = pgs.new_database()
        os.environ["RHI_CENTRAL_DATA_DIR"] = tmp
        db = Database(open_engine(url))
        with db.transaction() as s:
            ops.publish_form(s, builtin_form_text(), "perf")
            code = ops.create_enrol_code(s, WORKER, "perf")[0]
        db.dispose()
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = int(sk.getsockname()[1])
        server = subprocess.Popen(
            [sys.executable, "-m", "rhi_central.cli", "serve", "--port", str(port),
             "--database-url", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        profile = create_profile(
            Path(tmp) / "laptop", worker_name=WORKER, passphrase="correct horse battery staple",
            kdf=KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1),
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            sync_service.enrol(profile, base, code)
            template = completed_interview(profile, 0, now)
            clone(profile, template, args.n - 1)
            with profile.transaction() as s:  # the template goes with the clones
                outbox.ensure_items(s, now)

            t0 = time.perf_counter()
            if os.environ.get("PERF_PROFILE"):
                import cProfile
                import pstats

                prof = cProfile.Profile()
                summary = prof.runcall(sync_service.sync_once, profile, include_pdf=False)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            else:
                summary = sync_service.sync_once(profile, include_pdf=False)
            sync_s = time.perf_counter() - t0
            assert summary.accepted == args.n, summary.lines()

            # Raw baseline: the same payloads as plain inserts into PostgreSQL.
            with profile.sessions() as s:
                items = [
                    batch_item(build_payload(s, i, 1), i, 1, None)
                    for i in s.scalars(select(m.OutboxItem.entity_id))
                ]
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(dsn) as conn:
                conn.execute("CREATE TABLE raw (id text primary key, payload jsonb)")
                conn.commit()
                t0 = time.perf_counter()
                for k in range(0, len(items), outbox.BATCH_SIZE):
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO raw VALUES (%s, %s)",
                            [(it.interview_id, json.dumps(it.payload))
                             for it in items[k : k + outbox.BATCH_SIZE]],
                        )  # fmt: skip
                    conn.commit()
                raw_s = time.perf_counter() - t0

            # With signed PDFs, on a sample (re-sent: they come back as duplicates).
            sample = args.pdf_sample
            with profile.transaction() as s:
                first = list(s.scalars(select(m.OutboxItem.id).limit(sample)))
                s.execute(
                    update(m.OutboxItem).where(m.OutboxItem.id.in_(first)).values(state="pending")
                )
            t0 = time.perf_counter()
            again = sync_service.sync_once(profile, include_pdf=True)
            pdf_s = time.perf_counter() - t0
            assert again.duplicate == sample and again.without_pdf == 0, again.lines()

            emit("sync_1000_s", sync_s * 1000 / args.n, "s", "< 10")
            emit("sync_ratio", sync_s / raw_s, "x", "<= 5")
            per_pdf = pdf_s / sample
            print(json.dumps({
                "note": f"{args.n} interviews in {sync_s:.2f} s without PDFs "
                f"(payload {len(json.dumps(items[0].payload)) / 1024:.1f} KB); raw inserts "
                f"{raw_s:.3f} s; with signed PDFs {per_pdf * 1000:.0f} ms per interview "
                f"(sample of {sample}), i.e. ~{per_pdf * 1000 + sync_s:.0f} s for 1,000",
            }))  # fmt: skip
        finally:
            profile.close()
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
