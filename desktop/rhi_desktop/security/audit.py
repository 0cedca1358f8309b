"""Append-only audit trail as a hash chain: each event holds the hash of the one before it,
so an edited, removed or reordered event breaks every hash after it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.canonical import GENESIS, audit_event_digest
from rhi_desktop.store.models import AuditEvent
from rhi_desktop.store.types import new_id, utcnow


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return audit_event_digest(
        prev_hash=prev_hash,
        id=event.id,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_id=event.entity_id,
        detail=event.detail,
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the session; it commits with the change it describes (one transaction)."""
    last = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
    prev = last or GENESIS
    event = AuditEvent(
        id=new_id(),
        at=utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail,
        prev_hash=prev,
    )
    event.hash = _digest(prev, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def verify_chain(events: Iterable[AuditEvent]) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = None
    for ev in events:
        if expected_seq is not None and ev.seq != expected_seq:
            problems.append(ChainProblem(ev.seq, f"events missing before #{ev.seq}"))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(ev.seq, f"event #{ev.seq} does not follow the one before"))
        if _digest(ev.prev_hash, ev) != ev.hash:
            problems.append(ChainProblem(ev.seq, f"event #{ev.seq} was altered"))
        prev = ev.hash
        expected_seq = ev.seq + 1
    return problems
