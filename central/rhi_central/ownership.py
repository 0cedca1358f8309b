"""Who may write about a child: the one rule that intake, review feedback and the console's
allocation share.

A worker may record interviews about a child central has **assigned to them** (through
``ops.assign_child``, the console's allocation, or a transfer) or that they **added on their
laptop** (central took the child's record with their push and assigned it to them). An
interview belongs to its child: its revisions come only from the child's current worker, and
its review feedback goes to that worker's laptops. Moving a child to another worker is an
explicit, audited ``transfer_child``; the child's interviews (their future revisions and
feedback) move with it. Nothing else moves a child.

The rule is written once, as a SQL expression (``may_record``), so intake enforces it inside
the very statement that stores an interview: a child reallocated at the same moment cannot
slip through between a check and an insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.db import lock_sequence
from rhi_central.models import AssignmentChange, Child, Interview
from rhi_central.timeutil import utcnow


def same_worker(a: str | None, b: str | None) -> bool:
    """Two spellings of one worker's name (case and spacing aside): the laptop's profile name
    and the name on the enrolment code were typed by different people."""
    return a is not None and b is not None and _norm(a) == _norm(b)


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def owns_child(worker: str, child_id: Any) -> ColumnElement[bool]:
    """SQL: the child is assigned to ``worker`` (``child_id`` may be a column or a value)."""
    return exists().where(Child.id == child_id, Child.assigned_worker == worker)


def may_record(worker: str, child_id: Any, interview_id: Any) -> ColumnElement[bool]:
    """SQL: ``worker`` may store a revision of ``interview_id`` about ``child_id``: the child is
    theirs, and central holds no revision of that interview about another child."""
    other_child = exists().where(
        Interview.interview_id == interview_id, Interview.child_id != child_id
    )
    return and_(owns_child(worker, child_id), ~other_child)


def owners(session: Session, child_ids: set[str]) -> dict[str, str | None]:
    """child id -> the worker it is assigned to (None: unassigned); unknown ids are absent."""
    if not child_ids:
        return {}
    rows = session.execute(
        select(Child.id, Child.assigned_worker).where(Child.id.in_(child_ids))
    ).all()
    return {cid: worker for cid, worker in rows}


def interview_owner(session: Session, interview_id: str) -> str | None:
    """The worker who owns an interview now (its child's worker), None if central has none."""
    return session.scalar(
        select(Child.assigned_worker)
        .join(Interview, Interview.child_id == Child.id)
        .where(Interview.interview_id == interview_id)
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class Transfer:
    child_id: str
    previous: str | None
    worker: str
    interviews: int  # interviews whose future revisions and feedback now go to ``worker``


def set_owner(session: Session, child: Child, worker: str) -> str | None:
    """Assign ``child`` to ``worker`` and write the assignment-cursor rows laptops pull (an
    "upsert" for the new worker, an "unassigned" for the previous one, whose laptops drop the
    child). The caller holds the cursor lock (``ops.lock_sequence``) and audits."""
    previous = child.assigned_worker
    child.assigned_worker = worker
    for row in assignment_changes(child.id, previous, worker, utcnow()):
        session.add(AssignmentChange(**row))
    return previous


def assignment_changes(
    child_id: str, previous: str | None, worker: str, at: datetime
) -> list[dict[str, Any]]:
    """The assignment-cursor rows a move of ``child_id`` from ``previous`` to ``worker`` writes:
    an "upsert" the new worker's laptops pull, and an "unassigned" that makes the previous
    worker's laptops drop the child. Written by every path that changes a child's owner."""
    rows: list[dict[str, Any]] = []
    if previous and previous != worker:
        rows.append({"worker": previous, "child_id": child_id, "kind": "unassigned", "at": at})
    rows.append({"worker": worker, "child_id": child_id, "kind": "upsert", "at": at})
    return rows


def transfer_child(
    session: Session, child_id: str, worker: str, *, actor: str, reason: str
) -> Transfer:
    """Move a child, and with it its interviews' future revisions and review feedback, to
    another worker. Explicit and audited (who, from whom, to whom, why). Raises LookupError for
    a child central does not hold and ValueError for an empty worker or reason."""
    worker, reason = worker.strip(), reason.strip()
    if not worker:
        raise ValueError("Say which worker the child moves to.")
    if not reason:
        raise ValueError("Say why the child moves to another worker.")
    lock_sequence(session, "assignment_changes")
    child = session.get(Child, child_id)
    if child is None:
        raise LookupError(f"Central holds no child {child_id}.")
    previous = set_owner(session, child, worker)
    moved = int(
        session.scalar(
            select(func.count(func.distinct(Interview.interview_id))).where(
                Interview.child_id == child_id
            )
        )
        or 0
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="child.transfer",
        entity="child",
        entity_id=child_id,
        detail={"from": previous, "to": worker, "reason": reason, "interviews": moved},
    )
    return Transfer(child_id, previous, worker, moved)
