"""Central audit trail: every access and every admin action, as a hash chain.

Each event holds the hash of the one before it, so editing, deleting or reordering a row breaks
the chain from there on (``verify``). Writers lock the single ``audit_head`` row and advance it
in the same transaction as the change they describe, so several API processes on PostgreSQL
extend one chain instead of forking it. The event is written last in a request, keeping that
lock for as short a time as possible.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_central.models import AuditEvent, AuditHead
from rhi_central.timeutil import utcnow
from rhi_desktop.sync.protocol import canonical_json

GENESIS = "0" * 64


def _digest(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str | None,
    entity_id: str | None,
    detail: dict[str, Any] | None,
) -> str:
    body = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; it commits (or rolls back) with the session's transaction."""
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    seq = head.seq + 1
    at = utcnow()
    digest = _digest(head.hash, seq, at, actor, action, entity, entity_id, detail)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(event)
    head.seq = seq
    head.hash = digest
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    message: str


def verify_events(
    events: Iterable[AuditEvent], head: AuditHead | None = None
) -> list[ChainProblem]:
    """Every break in the chain; an empty list means it is intact (and ends at ``head``)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected = 1
    for ev in events:
        if ev.seq != expected:
            problems.append(ChainProblem(ev.seq, f"events {expected}..{ev.seq - 1} are missing"))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(ev.seq, f"event {ev.seq} does not follow the one before"))
        digest = _digest(
            ev.prev_hash, ev.seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id, ev.detail
        )
        if digest != ev.hash:
            problems.append(ChainProblem(ev.seq, f"event {ev.seq} was altered"))
        prev = ev.hash
        expected = ev.seq + 1
    if head is not None and (head.seq != expected - 1 or head.hash != prev):
        problems.append(ChainProblem(head.seq, "the newest events are missing"))
    return problems


def verify(session: Session) -> list[ChainProblem]:
    """Check the whole stored chain (streamed, so it works on millions of events)."""
    head = session.get(AuditHead, 1)
    events = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    ).scalars()
    return verify_events(events, head)
