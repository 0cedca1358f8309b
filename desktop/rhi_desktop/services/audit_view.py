"""The audit trail as the app shows it: newest first, with the hash chain's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_desktop.security.audit import ChainProblem, verify_chain
from rhi_desktop.store.models import AuditEvent


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str | None
    entity_id: str | None
    detail: dict[str, Any] | None
    tampered: bool


@dataclass(frozen=True)
class AuditTrail:
    rows: list[AuditRow]  # newest first
    problems: list[ChainProblem]
    total: int

    @property
    def intact(self) -> bool:
        return not self.problems


def load_audit_trail(session: Session, limit: int = 2000) -> AuditTrail:
    """The whole chain is verified; the newest `limit` events are returned for display."""
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    problems = verify_chain(events)
    bad = {p.seq for p in problems}
    rows = [
        AuditRow(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail, e.seq in bad)
        for e in reversed(events[-limit:])
    ]
    return AuditTrail(rows, problems, len(events))
