"""Sync under faults: no interview lost or duplicated (issue 6's fault test, issue 8's crash proof).

1. 1,000 completed interviews go from a real encrypted profile to ``rhi-central serve`` (a
   subprocess on a real PostgreSQL) through ``fault_proxy.FaultProxy``, which drops, delays, cuts
   and truncates at random, while central is SIGKILLed and restarted on the same port in the
   middle of batches. The laptop just keeps running sync passes, as its timer would.
2. ``rhi-desktop sync`` (a subprocess on a demo-flagged profile, whose device token lives in
   the encrypted database) is SIGKILLed at random moments while it seals and uploads 200
   interviews; after every kill the database is intact and nothing is confirmed that central
   does not hold; a last clean sync leaves exactly 200 centrally and an empty outbox.

Interviews are made quickly: one through the real services, then its rows copied with fresh
ids (the audit chain continued properly), as the sync benchmark does.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration.fault_proxy import CUT_BATCH, FAULTS, NO_FAULTS, FaultProxy, Odds
from integration.harness import (
    COUNCIL,
    WORKER,
    CentralStore,
    builtin_form_text,
    completed_interview,
    served_central,
)
from pg import PostgresServer, postgresql_server  # noqa: F401  (session fixture)
from sqlalchemy import create_engine, insert, select, text, update

from rhi_desktop.security import audit
from rhi_desktop.services import sync_service
from rhi_desktop.services.demo_profile import DEMO_KDF
from rhi_desktop.services.profiles import Profile, create_profile, open_profile
from rhi_desktop.store import models as m
from rhi_desktop.store.engine import check_readable
from rhi_desktop.store.errors import StoreError
from rhi_desktop.sync import outbox, state
from rhi_desktop.sync.errors import ProtocolProblem, ServerBusy, Unreachable

pytestmark = pytest.mark.slow

N_FAULT = 1000
N_KILL = 200
KILLS = 16
WAVE = (20, 40)  # interviews completed between crashes, whenever the last wave is all in
UNSEALED = 8  # per wave: left for the sync subprocess to seal (render and sign the PDF)
FAULT_SEED = 6061
KILL_SEED = 8088
RESTARTS = 3
MAX_PASSES = 400
FAULT_ODDS = Odds(delay=0.16, drop=0.07, cut=0.10, truncate=0.07)
FAULT_DEADLINE_S = 240.0
BIN = Path(sys.executable).parent
DEMO_PASSPHRASE = "demo"
_ONE_SENTENCE = re.compile(r"^[^\n]+[.]$")


# --- making interviews quickly ----------------------------------------------------------------


def _rows(s: Any, table: Any, **where: Any) -> list[dict[str, Any]]:
    q = select(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    return [dict(r._mapping) for r in s.execute(q)]


def clone_interviews(profile: Profile, template: str, n: int) -> list[str]:
    """n copies of a completed interview (child, episodes, answers, offers, sessions, plan,
    signatures, referrals and its audit events, appended to the hash chain) with fresh ids,
    each ``completed`` (whatever became of the template since)."""
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
        events = s.scalars(
            select(m.AuditEvent)
            .where(m.AuditEvent.entity_id == template)
            .order_by(m.AuditEvent.seq)
        ).all()
        prev = s.scalar(select(m.AuditEvent.hash).order_by(m.AuditEvent.seq.desc()).limit(1))
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in t} | {"link": []}
        for _ in range(n):
            new_iid, new_child = str(uuid.uuid4()), str(uuid.uuid4())
            ids.append(new_iid)
            out["Child"].append(child | {"id": new_child, "local_id": f"F{uuid.uuid4().hex[:8]}"})
            ep_map = {e["id"]: str(uuid.uuid4()) for e in episodes}
            out["MissingEpisode"] += [
                e | {"id": ep_map[e["id"]], "child_id": new_child} for e in episodes
            ]
            out["ReturnInterview"].append(
                iv | {"id": new_iid, "child_id": new_child, "state": "completed"}
            )
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
            for e in events:
                copy = m.AuditEvent(
                    id=str(uuid.uuid4()),
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    entity=e.entity,
                    entity_id=new_iid,
                    detail=e.detail,
                    prev_hash=prev,
                    synced=False,
                )
                copy.hash = prev = audit._digest(prev, copy)
                out["AuditEvent"].append(
                    {c.key: getattr(copy, c.key) for c in t["AuditEvent"].c if c.key != "seq"}
                )
        order = ["Child", "MissingEpisode", "ReturnInterview", "link", "Answer", "OfferAttempt",
                 "InterviewSession", "Signature", "Referral", "SafetyPlan", "SafetyPlanItem",
                 "AuditEvent"]  # fmt: skip
        for name in order:
            table = m.interview_episode if name == "link" else t[name]
            if out[name]:
                s.execute(insert(table), out[name])
    return ids


def make_interviews(
    profile: Profile, n: int, *, pdf: bool, template: str | None = None
) -> list[str]:
    """n completed interviews (the first made through the services unless a ``template`` is
    given), all sealed as completion seals them: payload and hash (the one made through the
    services also with its signed PDF when ``pdf``)."""
    now = datetime.now(UTC)
    ids = []
    if template is None:
        template = completed_interview(profile, 0, now)
        assert sync_service.seal_completed(profile, now=now, include_pdf=pdf) == 1
        ids.append(template)
    clones = clone_interviews(profile, template, n - len(ids))
    assert sync_service.seal_completed(profile, now=now, include_pdf=False) == len(clones)
    ids += clones
    with profile.sessions() as s:
        assert s.scalar(select(m.AuditEvent).limit(1)) is not None
        assert not audit.verify_chain(s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq)))
    return ids


def outbox_rows(profile: Profile) -> dict[tuple[str, int], tuple[str, str | None]]:
    with profile.sessions() as s:
        return {
            (o.entity_id, o.revision): (o.state, o.content_sha256)
            for o in s.scalars(select(m.OutboxItem))
        }


def pending(profile: Profile) -> int:
    with profile.sessions() as s:
        return outbox.counts(s)[outbox.PENDING]


def interview_states(profile: Profile) -> Counter[str]:
    with profile.sessions() as s:
        return Counter(s.scalars(select(m.ReturnInterview.state)))


# --- central ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_central(database_url: str, worker: str) -> str:
    """Schema at head, the built-in questionnaire published; returns a one-time enrol code."""
    from rhi_central import audit as central_audit
    from rhi_central import ops
    from rhi_central.db import Database, open_engine

    db = Database(open_engine(database_url))
    try:
        with db.transaction() as s:
            ops.publish_form(s, builtin_form_text(), "test")
            code, _ = ops.create_enrol_code(s, worker, "test")
        central_audit.seal_all(db)
        return code
    finally:
        db.dispose()


class CentralProcess:
    """``rhi-central serve`` in a subprocess on a fixed loopback port; ``kill()`` is SIGKILL,
    ``start()`` brings it back on the same port and the same database."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log = data_dir / "serve.log"

    def start(self, timeout: float = 60.0) -> float:
        exe = BIN / "rhi-central"
        argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "rhi_central.cli"]
        env = dict(
            os.environ, RHI_CENTRAL_DATA_DIR=str(self.data_dir), RHI_CENTRAL_COUNCIL_NAME=COUNCIL
        )
        t0 = time.monotonic()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*argv, "serve", "--database-url", self.database_url,
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=log, env=env,
            )  # fmt: skip
        self.starts += 1
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"rhi-central serve exited with {self.proc.returncode}: "
                    + self.log.read_text(errors="replace")[-2000:]
                )
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return time.monotonic() - t0
            except httpx.TransportError:
                pass
            if time.monotonic() - t0 > timeout:
                raise AssertionError("rhi-central serve did not answer /healthz in time")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def pg_central(
    postgresql_server: PostgresServer,  # noqa: F811
    tmp_path: Path,
) -> Iterator[tuple[CentralProcess, str]]:
    data = tmp_path / "central-data"
    data.mkdir()
    url = postgresql_server.new_database()
    code = prepare_central(url, WORKER)
    central = CentralProcess(url, data)
    central.start()
    try:
        yield central, code
    finally:
        central.stop()


def central_interviews(database_url: str) -> tuple[list[tuple[str, int, str]], int]:
    """(interview_id, revision, content hash) of every stored interview; and conflicts kept."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT interview_id, revision, content_sha256 FROM interviews")
            ).all()
            conflicts = conn.execute(text("SELECT count(*) FROM interview_conflicts")).scalar_one()
    finally:
        engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows], int(conflicts)


def central_audit_problems(database_url: str) -> list[str]:
    from rhi_central import audit as central_audit
    from rhi_central.db import Database, make_engine

    db = Database(make_engine(database_url))
    try:
        with db.transaction() as s:
            return [p.message for p in central_audit.verify(s)]
    finally:
        db.dispose()


class _Stopped(Exception):
    pass


class Chaos(threading.Thread):
    """Kills central (SIGKILL) while it works on a batch the proxy handed it (a random part of
    the way through, judged by how long batches have taken), then restarts it on the same port
    after a short pause; a few batches go through between kills."""

    def __init__(self, central: CentralProcess, proxy: FaultProxy, restarts: int, seed: int):
        super().__init__(name="chaos", daemon=True)
        self.central, self.proxy, self.restarts = central, proxy, restarts
        self.rng = random.Random(seed)
        self.done = threading.Event()
        self.stopping = threading.Event()  # the test is over (or failed): no more restarts
        self.log: list[dict[str, Any]] = []
        self.error: BaseException | None = None

    def _next_batch(self) -> None:
        self.proxy.batch_forwarded.clear()
        deadline = time.monotonic() + 120
        while not self.proxy.batch_forwarded.wait(0.1):
            if self.stopping.is_set():
                raise _Stopped
            if time.monotonic() > deadline:
                raise AssertionError("no batch reached central to kill it under")

    def stop(self) -> None:
        self.stopping.set()
        self.join(90)

    def run(self) -> None:
        try:
            for n in range(self.restarts):
                for _ in range(1 if n == 0 else 3):  # let a few batches through between kills
                    self._next_batch()
                for _attempt in range(20):
                    took = sorted(self.proxy.batch_seconds) or [0.2]
                    time.sleep(self.rng.uniform(0.1, 0.8) * took[len(took) // 2])
                    if self.proxy.batches_in_flight:
                        break
                    self._next_batch()  # that one was quicker: wait for the next
                in_flight = self.proxy.batches_in_flight
                if self.stopping.is_set():
                    return
                self.central.kill()
                time.sleep(self.rng.uniform(0.2, 1.5))  # down for a moment
                restart_s = self.central.start()
                self.log.append({"batch_in_flight": in_flight, "restart_s": round(restart_s, 2)})
        except _Stopped:
            pass
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            self.done.set()


# --- 1. a thousand interviews through faults and restarts ---------------------------------------


def test_1000_interviews_through_faults_and_a_restart(
    profile: Profile, pg_central: tuple[CentralProcess, str]
) -> None:
    central, code = pg_central
    t0 = time.monotonic()
    sync_service.enrol(profile, central.url, code, device_name="fault-test")
    ids = make_interviews(profile, N_FAULT, pdf=False)
    made_s = time.monotonic() - t0
    with FaultProxy(central.port, seed=FAULT_SEED, odds=FAULT_ODDS) as proxy:
        with profile.transaction() as s:
            state.put(s, state.SERVER_URL, proxy.url)
        chaos = Chaos(central, proxy, RESTARTS, FAULT_SEED)
        chaos.start()
        try:
            errors: Counter[str] = Counter()
            passes = 0
            t1 = time.monotonic()
            clean = False  # until the outbox is empty, the restarts are done and one whole pass
            while not clean or pending(profile) or not chaos.done.is_set():  # got through
                passes += 1
                assert passes <= MAX_PASSES, f"still pending after {MAX_PASSES} passes"
                assert time.monotonic() - t1 < FAULT_DEADLINE_S, "still pending after the deadline"
                try:
                    sync_service.sync_once(profile, force=True, include_pdf=False)
                    clean = True
                except StoreError as exc:
                    # Only "try again later" errors, each one sentence; anything else escapes.
                    assert isinstance(exc, Unreachable | ServerBusy | ProtocolProblem), repr(exc)
                    assert _ONE_SENTENCE.match(str(exc)), str(exc)
                    errors[type(exc).__name__] += 1
                    clean = False
                    time.sleep(0.1)  # the laptop's timer would wait far longer
        finally:
            chaos.stop()
        sync_s = time.monotonic() - t1
        assert chaos.error is None, chaos.error
        stats = dict(proxy.stats)
        proxy.odds = NO_FAULTS  # one clean pass: nothing left to send, nothing sent twice
        last = sync_service.sync_once(profile, force=True, include_pdf=False)
        assert (last.pushed, last.queued, last.problems) == (0, 0, []), last.lines()
    print(
        f"\nmade {N_FAULT} in {made_s:.1f}s; synced in {sync_s:.1f}s, {passes} passes; "
        f"errors {dict(errors)}; proxy {stats}; restarts {chaos.log}"
    )
    assert len(chaos.log) == RESTARTS and central.starts == RESTARTS + 1
    for kind in FAULTS:
        assert stats.get(kind, 0) >= 1, (kind, stats)
    assert stats.get(CUT_BATCH, 0) >= 1, stats  # central stored a batch the laptop never heard of
    assert any(r["batch_in_flight"] for r in chaos.log), chaos.log  # killed mid-batch

    stored, conflicts = central_interviews(central.database_url)
    assert len(stored) == N_FAULT and conflicts == 0
    assert {(i, r) for i, r, _ in stored} == {(i, 1) for i in ids}
    local = outbox_rows(profile)
    assert len(local) == N_FAULT
    assert {st for st, _ in local.values()} == {outbox.CONFIRMED}
    assert {(i, r): h for i, r, h in stored} == {k: h for k, (_, h) in local.items()}
    assert interview_states(profile) == Counter({"synced": N_FAULT})
    with profile.sessions() as s:
        assert not audit.verify_chain(s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq)))
    assert central_audit_problems(central.database_url) == []  # its chain survived the kills


# --- 2. kill the laptop mid-upload ---------------------------------------------------------------


def _demo_flagged_profile(root: Path) -> Profile:
    """A demo-flagged profile (its device token is kept in the encrypted database, so a
    subprocess needs only RHI_PASSPHRASE), worked by the harness's worker."""
    return create_profile(
        root, worker_name=WORKER, passphrase=DEMO_PASSPHRASE, demo=True, kdf=DEMO_KDF
    )


def _check_after_kill(root: Path, central: CentralStore, n: int) -> tuple[int, int]:
    """The database opens with a full integrity check and its audit chain holds; nothing is
    confirmed that central does not hold with the same content; an interview is ``synced``
    exactly when its outbox row is confirmed. Returns (confirmed here, stored centrally)."""
    stored = {(i, r): h for i, r, h in central.interview_rows()}
    assert central.conflict_count() == 0
    profile = open_profile(root, DEMO_PASSPHRASE)  # full SQLCipher + SQLite integrity check
    try:
        rows = outbox_rows(profile)
        with profile.sessions() as s:
            assert not audit.verify_chain(
                s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq))
            )
            synced = set(
                s.scalars(select(m.ReturnInterview.id).where(m.ReturnInterview.state == "synced"))
            )
    finally:
        profile.close()
    assert len(rows) == n
    confirmed = {k for k, (st, _) in rows.items() if st == outbox.CONFIRMED}
    assert {st for st, _ in rows.values()} <= {outbox.PENDING, outbox.CONFIRMED}
    for key in confirmed:
        assert stored.get(key) == rows[key][1], key  # confirmed only on central's word
    assert set(stored) <= set(rows)
    assert synced == {i for i, _ in confirmed}
    return len(confirmed), len(stored)


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Subprocesses a test started; any still running when it ends (a failure) are killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _run_sync(
    root: Path, log: Path, children: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    exe = BIN / "rhi-desktop"
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "rhi_desktop"]
    env = dict(os.environ, RHI_PASSPHRASE=DEMO_PASSPHRASE, QT_QPA_PLATFORM="offscreen")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*argv, "sync", "--profile", str(root)], stdout=out, stderr=out, env=env
        )
    children.append(proc)
    return proc


def test_kill_the_laptop_mid_upload(
    tmp_path: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    root = tmp_path / "laptop"
    rng = random.Random(KILL_SEED)
    t0 = time.monotonic()
    central_db = f"sqlite:///{tmp_path / 'central.db'}"
    with served_central(central_db, tmp_path / "central-data") as store:
        port = int(store.url.rsplit(":", 1)[1])
        # Every request delayed 100-800 ms (before reaching central or before its answer gets
        # back): wide windows in which a kill finds central done and the laptop not told.
        slow = Odds(delay=1.0, drop=0, cut=0, truncate=0, owed=0)
        with FaultProxy(port, seed=KILL_SEED, odds=slow) as proxy:
            profile = _demo_flagged_profile(root)
            try:
                code = store.enrol_code(WORKER)
                sync_service.enrol(profile, store.url, code, device_name="kill")
                with profile.transaction() as s:
                    state.put(s, state.SERVER_URL, proxy.url)
                ids = make_interviews(profile, rng.randint(*WAVE), pdf=True)
                template, first = ids[0], len(ids)
                with profile.sessions() as s:
                    pdf = s.scalar(
                        select(m.OutboxItem.pdf).where(m.OutboxItem.entity_id == template)
                    )
                assert pdf and pdf.startswith(b"%PDF-")
                _give_pdf(profile, ids[1:], pdf)
            finally:
                profile.close()
            made_s = time.monotonic() - t0
            kills: list[dict[str, Any]] = []
            finished = rounds = 0
            pending_work = len(ids)
            while len(kills) < KILLS:
                rounds += 1
                assert rounds <= 2 * KILLS, "the sync kept finishing before it could be killed"
                if pending_work == 0 and len(ids) < N_KILL:
                    # The last wave is in: the worker completes more while the app is down.
                    size = min(N_KILL - len(ids), rng.randint(*WAVE))
                    profile = open_profile(root, DEMO_PASSPHRASE)
                    try:
                        wave = make_interviews(profile, size, pdf=False, template=template)
                        _give_pdf(profile, wave, pdf)
                    finally:
                        profile.close()
                    ids += wave
                    pending_work = size
                to_send = pending_work
                mode = rng.choice(["anytime", "mid-upload"])
                if not pending_work:
                    mode = "anytime"  # nothing to upload: start-up, unlock and the pull
                proxy.batch_forwarded.clear()
                log = tmp_path / f"sync-{rounds}.log"
                t_start = time.monotonic()
                proc = _run_sync(root, log, children)
                if mode == "anytime":  # from start-up and unlock to the pull at the end
                    deadline = t_start + rng.uniform(0.2, 6.0)
                    while time.monotonic() < deadline and proc.poll() is None:
                        time.sleep(0.01)
                else:  # a moment after the first batch went to central
                    while not proxy.batch_forwarded.wait(0.05) and proc.poll() is None:
                        pass
                    time.sleep(rng.uniform(0.0, 1.2))
                if proc.poll() is not None:
                    finished += 1
                    assert proc.returncode == 0, log.read_text(errors="replace")
                    pending_work = len(ids) - _check_after_kill(root, store, len(ids))[0]
                    continue
                in_flight = proxy.batches_in_flight
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                confirmed, stored = _check_after_kill(root, store, len(ids))
                pending_work = len(ids) - confirmed
                kills.append(
                    {
                        "mode": mode,
                        "at_s": round(time.monotonic() - t_start, 2),
                        "to_send": to_send,
                        "made": len(ids),
                        "batch_in_flight": in_flight,
                        "confirmed": confirmed,
                        "stored": stored,
                    }
                )
            kills_s = time.monotonic() - t0 - made_s
            proxy.odds = NO_FAULTS
            log = tmp_path / "sync-final.log"
            proc = _run_sync(root, log, children)
            assert proc.wait(120) == 0, log.read_text(errors="replace")
            final = log.read_text()
            stats = dict(proxy.stats)
        confirmed, stored = _check_after_kill(root, store, N_KILL)
        rows = store.interview_rows()
    print(
        f"\nmade the first {first} in {made_s:.1f}s; {len(kills)} kills "
        f"({finished} runs finished first) "
        f"in {kills_s:.1f}s; proxy {stats}\n" + "\n".join(map(str, kills)) + "\n" + final
    )
    assert len(ids) == N_KILL and "0 still queued" in final and "refused" not in final
    assert confirmed == stored == N_KILL
    assert sorted(i for i, _, _ in rows) == sorted(ids) and {r for _, r, _ in rows} == {1}
    assert sum(1 for k in kills if k["to_send"]) >= KILLS // 2, kills  # mid-upload
    assert any(k["stored"] > k["confirmed"] for k in kills), kills  # central ahead of the laptop
    profile = open_profile(root, DEMO_PASSPHRASE)
    try:
        assert interview_states(profile) == Counter({"synced": N_KILL})
        assert pending(profile) == 0
    finally:
        profile.close()
    check_readable(root / "rhi.db", _unlock(root), full=True)


def _give_pdf(profile: Profile, ids: list[str], pdf: bytes) -> None:
    """Sealed as completion seals them, with a copy of a signed PDF of the same content (the
    clones have the same content); the last UNSEALED keep no PDF, so the sync subprocess
    renders and signs theirs itself (and may be killed doing it)."""
    with profile.transaction() as s:
        s.execute(
            update(m.OutboxItem)
            .where(m.OutboxItem.entity_id.in_(ids[: len(ids) - UNSEALED]))
            .values(pdf=pdf)
        )


def _unlock(root: Path) -> bytes:
    from rhi_desktop.security import keys

    return keys.unlock(root / "profile.key", DEMO_PASSPHRASE, secret_store=None)
