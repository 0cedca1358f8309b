"""Central audit trail: every access and every admin action, as a hash chain.

Writing and chaining are split, so the chain is not a global lock on every request:

- ``record()`` inserts the event in the request's own transaction (it commits or rolls back with
  the change it describes). No lock: fifty laptops syncing at once do not queue behind each
  other's commits.
- ``seal()`` chains committed events: it locks the single ``audit_head`` row, takes the unsealed
  events in insertion order, and gives each a gapless ``chain_seq``, the previous event's hash
  and its own hash. A background thread in every API process seals about once a second
  (``SKIP LOCKED``: if another process is sealing, this one skips its turn); CLI commands and
  ``verify()`` seal before they finish.

Once sealed, editing, deleting or reordering an event breaks the chain from there on. The price
of the split is a short window (about a second) in which an unsealed event could be altered
unnoticed by someone with write access to the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from rhi_central.db import Database
from rhi_central.models import AuditEvent, AuditHead
from rhi_central.timeutil import utcnow
from rhi_core.canonical import GENESIS, chain_digest

log = logging.getLogger(__name__)
SEAL_BATCH = 5000
SEAL_INTERVAL_S = 1.0


def _digest(
    prev_hash: str,
    chain_seq: int,
    event_id: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str | None,
    entity_id: str | None,
    detail: dict[str, Any] | None,
) -> str:
    body = {
        "seq": chain_seq,
        "id": event_id,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    return chain_digest(prev_hash, body)


def _event_digest(ev: AuditEvent, prev_hash: str, chain_seq: int) -> str:
    return _digest(
        prev_hash, chain_seq, ev.id, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id, ev.detail
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one event to the session's transaction (chained later by ``seal``)."""
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": utcnow(),
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
            }
        ],
    )


def seal(session: Session, limit: int = SEAL_BATCH) -> int:
    """Chain up to ``limit`` committed, unsealed events; returns how many were sealed."""
    head_query = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        head_query = head_query.with_for_update(skip_locked=True)
    head = session.execute(
        head_query.execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:  # another process is sealing right now
        return 0
    events = list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain_seq.is_(None))
            .order_by(AuditEvent.id)
            .limit(limit)
        ).scalars()
    )
    if not events:
        return 0
    prev, seq = head.hash, head.seq
    changes = []
    for ev in events:
        seq += 1
        digest = _event_digest(ev, prev, seq)
        changes.append({"id": ev.id, "chain_seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    session.execute(update(AuditEvent), changes)
    head.seq, head.hash = seq, prev
    session.flush()
    return len(events)


def seal_all(db: Database) -> int:
    """Seal everything committed so far, in transactions of ``SEAL_BATCH`` events."""
    total = 0
    while True:
        with db.transaction() as session:
            done = seal(session)
        total += done
        if done < SEAL_BATCH:
            return total


class Sealer:
    """Seals in a daemon thread every ``interval`` seconds until stopped."""

    def __init__(self, db: Database, interval: float = SEAL_INTERVAL_S) -> None:
        self._db = db
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                seal_all(self._db)
            except Exception:  # keep sealing next time; the events are safe in the table
                log.exception("sealing the audit chain failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        seal_all(self._db)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    message: str


def verify_events(
    events: Iterable[AuditEvent], head: AuditHead | None = None
) -> list[ChainProblem]:
    """Every break in a sealed chain, given in ``chain_seq`` order; empty means intact."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected = 1
    for ev in events:
        seq = ev.chain_seq or 0
        if seq != expected:
            problems.append(ChainProblem(seq, f"events {expected}..{seq - 1} are missing"))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(seq, f"event {seq} does not follow the one before"))
        if _event_digest(ev, ev.prev_hash or "", seq) != ev.hash:
            problems.append(ChainProblem(seq, f"event {seq} was altered"))
        prev = ev.hash or ""
        expected = seq + 1
    if head is not None and (head.seq != expected - 1 or head.hash != prev):
        problems.append(ChainProblem(head.seq, "the newest events are missing"))
    return problems


def verify(session: Session) -> list[ChainProblem]:
    """Seal what is pending, then check the whole chain (streamed: fine for millions)."""
    while seal(session) == SEAL_BATCH:
        pass
    head = session.get(AuditHead, 1)
    events = session.execute(
        select(AuditEvent)
        .where(AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq)
        .execution_options(yield_per=2000)
    ).scalars()
    return verify_events(events, head)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
