"""sync_1000_s, sync_ratio: the desktop -> central path, over real
HTTP into a durable PostgreSQL (fsync on), central run as ``rhi-central serve`` in a subprocess on
a free loopback port. (Folds in the former tests/central/perf_sync.py and
tests/unit/sync/perf_sync_desktop.py.)

sync_1000_s: a fresh encrypted laptop profile, enrolled; one interview completed through the real
services (``tests/integration/harness.completed_interview``: built-in questionnaire, every answer,
offer, session, signature) and its rows cloned to 1,000 (fresh ids; making each through the
services is not what is measured). Sealing happens at completion in the app
(``seal_completed``), so it is done before the clock starts: a sample of the rows is sealed with
real signed PDFs (the per-interview seal cost, a detail), the rest with payload and hash, then
given a copy of a sealed PDF of the same size (the clones have the same content, so the same
PDF size; central does not verify PDF signatures). The figure is one ``sync_once`` (push of
1,000 sealed items with their PDFs in batches, then the pull) until it returns.

sync_ratio: sync_1000_s / raw inserts of the same rows into the same table: the rows central
stored in ``interviews`` (payload, PDF, ...) read back and INSERTed with psycopg into a
``LIKE interviews INCLUDING ALL`` copy (same columns, indexes and constraints), in batches of the
sync's batch size, one commit per batch, on one connection.

Unsealed end to end (detail): 100 more clones left unsealed and synced (seal on the fly: build,
render, sign, then push), measured and scaled to 1,000.

central_p95_ms and central_errors are measured by ``central_peer``.
"""

from __future__ import annotations

import base64
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import _support
from benchmarks.registry import Figure, Options, benchmark

SYNC_BUDGET_S = 10.0
SYNC_RATIO_BUDGET = 3.0  # ARCHITECTURE.md: <= 3x raw inserts of the same payloads

N_SYNC, N_SYNC_QUICK = 1000, 20
PDF_SAMPLE, PDF_SAMPLE_QUICK = 30, 3
UNSEALED, UNSEALED_QUICK = 100, 5


# --- sync_1000_s ---------------------------------------------------------------------------------


def _rows(s: Any, table: Any, **where: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    q = select(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    return [dict(r._mapping) for r in s.execute(q)]


def clone(profile: Any, template: str, n: int, **overrides: Any) -> list[str]:
    """n copies of a completed interview (child, episodes, answers, offers, sessions, plan,
    signatures, referrals, audit events) with fresh ids, in one transaction; `overrides` are
    interview columns to set on the copies (the template may have been synced since)."""
    from sqlalchemy import insert

    from rhi_desktop.store import models as m

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
        for _ in range(n):
            new_iid, new_child = str(uuid.uuid4()), str(uuid.uuid4())
            ids.append(new_iid)
            out["Child"].append(child | {"id": new_child, "local_id": f"P{uuid.uuid4().hex[:8]}"})
            ep_map = {e["id"]: str(uuid.uuid4()) for e in episodes}
            out["MissingEpisode"] += [
                e | {"id": ep_map[e["id"]], "child_id": new_child} for e in episodes
            ]
            out["ReturnInterview"].append(iv | {"id": new_iid, "child_id": new_child} | overrides)
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


def _seal_rows(profile: Any, interview_ids: list[str], include_pdf: bool) -> list[float]:
    """Seal the outbox rows of these interviews one by one (as completion does); ms each."""
    from sqlalchemy import select

    from rhi_desktop.services.sealing import seal_rows
    from rhi_desktop.store.models import OutboxItem

    with profile.sessions() as s:
        rows = list(
            s.execute(
                select(OutboxItem.id, OutboxItem.entity_id, OutboxItem.revision).where(
                    OutboxItem.entity_id.in_(interview_ids)
                )
            )
        )
    out = []
    now = datetime.now(UTC)
    for row in rows:
        t0 = time.perf_counter()
        seal_rows(profile, [tuple(row)], now, include_pdf)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _sync_1000(pgs: Any, tmp: Path, n: int, pdf_sample: int, unsealed: int) -> dict[str, Any]:
    import psycopg
    from psycopg.types.json import Jsonb
    from sqlalchemy import select, update

    _support.tests_on_path()
    from integration.harness import WORKER as HARNESS_WORKER
    from integration.harness import completed_interview

    from rhi_desktop.services import sync_service
    from rhi_desktop.store.models import OutboxItem, ReturnInterview
    from rhi_desktop.sync import outbox

    url = pgs.new_database()
    code = _support.enrol_codes(url, 1, tmp, workers=[HARNESS_WORKER])[0]
    now = datetime.now(UTC)
    with (
        _support.central_server(url, tmp) as base,
        _support.fresh_profile(HARNESS_WORKER) as profile,
    ):
        sync_service.enrol(profile, base, code)
        template = completed_interview(profile, 0, now)
        ids = [template, *clone(profile, template, n - 1)]
        with profile.transaction() as s:
            outbox.ensure_items(s, now)
            completed_state = s.scalar(
                select(ReturnInterview.state).where(ReturnInterview.id == template)
            )
        # Sealing (at completion in the app): a sample with signed PDFs, the rest payload only.
        seal_pdf_ms = _seal_rows(profile, ids[:pdf_sample], include_pdf=True)
        t0 = time.perf_counter()
        seal_payload_ms = _seal_rows(profile, ids[pdf_sample:], include_pdf=False)
        seal_rest_s = time.perf_counter() - t0
        with profile.transaction() as s:
            pdf = s.scalar(select(OutboxItem.pdf).where(OutboxItem.entity_id == template))
            assert pdf, "the template was not sealed with a PDF"
            s.execute(
                update(OutboxItem).where(OutboxItem.entity_id.in_(ids[pdf_sample:])).values(pdf=pdf)
            )
        t0 = time.perf_counter()
        summary = sync_service.sync_once(profile, include_pdf=True)
        sync_s = time.perf_counter() - t0
        assert summary.accepted == n and summary.without_pdf == 0, summary.lines()

        # Raw baseline: the same rows into a copy of the same table, batch by batch.
        dsn = _support.raw_dsn(url)
        with psycopg.connect(dsn) as conn:
            conn.execute("CREATE TABLE raw_interviews (LIKE interviews INCLUDING ALL)")
            conn.commit()
            cur = conn.execute("SELECT * FROM interviews")
            columns = [d.name for d in cur.description]
            stored = [
                tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in row)
                for row in cur.fetchall()
            ]
            at = columns.index("payload") if "payload" in columns else None
            sizes = [len(json.dumps(row[at].obj)) for row in stored] if at is not None else [0]
            stored_kb = statistics.mean(sizes) / 1024
        insert_sql = (
            f"INSERT INTO raw_interviews ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with psycopg.connect(dsn) as conn:
            t0 = time.perf_counter()
            for k in range(0, len(stored), outbox.BATCH_SIZE):
                with conn.cursor() as c:
                    c.executemany(insert_sql, stored[k : k + outbox.BATCH_SIZE])
                conn.commit()
            raw_s = time.perf_counter() - t0

        # Unsealed end to end: seal (with PDF) on the fly during the sync.
        extra = clone(profile, template, unsealed, state=completed_state)
        t0 = time.perf_counter()
        again = sync_service.sync_once(profile, include_pdf=True)
        unsealed_s = time.perf_counter() - t0
        assert again.accepted == len(extra), again.lines()
    return {
        "n": n,
        "sync_s": sync_s,
        "raw_s": raw_s,
        "batch_size": outbox.BATCH_SIZE,
        "pdf_kb": round(len(pdf) / 1024, 1),
        "wire_kb_per_item": round(len(base64.b64encode(pdf)) / 1024 + (stored_kb or 0), 1),
        "payload_kb": round(stored_kb, 1) if stored_kb else None,
        "seal_ms_per_interview_median": round(statistics.median(seal_pdf_ms), 1),
        "seal_ms_per_interview_max": round(max(seal_pdf_ms), 1),
        "seal_sample": len(seal_pdf_ms),
        "seal_payload_only_ms_median": round(statistics.median(seal_payload_ms), 2),
        "seal_payload_only_total_s": round(seal_rest_s, 2),
        "unsealed_sample": len(extra),
        "unsealed_sample_s": round(unsealed_s, 2),
        "unsealed_end_to_end_s_est": round(unsealed_s * 1000 / len(extra), 1),
    }


@benchmark("sync_1000_s", "sync_ratio")
def central_sync(options: Options, wanted: frozenset[str]) -> Iterator[Figure]:
    if not _support.pg_available():
        raise RuntimeError("PostgreSQL 15 binaries (initdb, pg_ctl) are needed for these figures")
    quick = options.quick
    _support.memory_keyring()
    with _support.postgres() as pgs, tempfile.TemporaryDirectory(prefix="rhi-bench-") as tmp:
        if wanted & {"sync_1000_s", "sync_ratio"}:
            r = _sync_1000(
                pgs,
                Path(tmp),
                N_SYNC_QUICK if quick else N_SYNC,
                PDF_SAMPLE_QUICK if quick else PDF_SAMPLE,
                UNSEALED_QUICK if quick else UNSEALED,
            )
            scale = 1000 / r["n"]
            common = {k: v for k, v in r.items() if k not in ("sync_s", "raw_s")}
            yield Figure(
                "sync_1000_s",
                round(r["sync_s"] * scale, 2),
                "s",
                SYNC_BUDGET_S,
                {
                    "detail": (
                        f"one sync_once of {r['n']} sealed completed interviews (signed PDFs "
                        "included) from a fresh encrypted laptop profile to rhi-central serve "
                        "(1 worker) over loopback HTTP into durable PostgreSQL 15"
                        + ("" if r["n"] == 1000 else f", scaled x{scale:g} to 1,000")
                    ),
                    "measured_s": round(r["sync_s"], 2),
                    **common,
                },
            )
            yield Figure(
                "sync_ratio",
                round(r["sync_s"] / r["raw_s"], 2),
                "x",
                SYNC_RATIO_BUDGET,
                {
                    "detail": (
                        "sync time / psycopg executemany INSERTs of the same stored rows "
                        "(payload + PDF) into a LIKE-interviews copy, one commit per batch"
                    ),
                    "sync_s": round(r["sync_s"], 2),
                    "raw_s": round(r["raw_s"], 3),
                },
            )
