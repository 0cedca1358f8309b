"""Allocating a child (with all its episodes) to a worker, and moving it with a reason.

The worker's laptop learns of it through the assignments cursor (``assignment_changes``, the
records ``ops.assign_child`` and the device API already use): an "upsert" row for the new worker
and, on a move, an "unassigned" row for the previous one, whose laptop then drops the child.
Every allocation is kept in ``allocations`` and audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.models import Allocation, AssignmentChange, Child, StaffUser
from rhi_central.ops import OpError, lock_sequence
from rhi_central.ownership import assignment_changes
from rhi_central.staff.roles import ALLOCATABLE_ROLES, Role

MAX_REASON = 2000


class AllocationProblem(OpError):
    """A refused allocation; ``field`` says which part of the form it is about."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(status, message)
        self.field = field


@dataclass(frozen=True, slots=True)
class AllocationResult:
    child_id: str
    worker: str
    previous: str | None
    changed: bool


def allocatable(session: Session, worker_user_id: str) -> StaffUser:
    user = session.get(StaffUser, worker_user_id)
    if user is None or user.disabled_at is not None:
        raise AllocationProblem("worker", "Choose a worker with an active account.")
    if Role(user.role) not in ALLOCATABLE_ROLES:
        raise AllocationProblem(
            "worker", f"{user.name} is not a worker children can be allocated to."
        )
    return user


def allocate(
    session: Session,
    child_id: str,
    worker: StaffUser,
    *,
    reason: str | None,
    actor: str,
    now: datetime,
) -> AllocationResult:
    """Allocate ``child_id`` to ``worker``; a move from another worker needs a reason."""
    child = session.get(Child, child_id)
    if child is None:
        raise AllocationProblem("child", "There is no such child.", 404)
    previous = child.assigned_worker
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise AllocationProblem("reason", f"Keep the reason under {MAX_REASON} characters.")
    if previous == worker.name:
        return AllocationResult(child.id, worker.name, previous, changed=False)
    if previous and not reason:
        raise AllocationProblem(
            "reason", f"Say why the child moves from {previous} to {worker.name}."
        )
    transfer(session, [(child, worker.name)], reason=reason, actor=actor, now=now)
    return AllocationResult(child.id, worker.name, previous, changed=True)


def transfer(
    session: Session,
    moves: Iterable[tuple[Child, str]],
    *,
    reason: str | None,
    actor: str,
    now: datetime,
) -> None:
    """Move each child (an ORM row of this session) to the named worker."""
    recorded = []
    for child, worker in moves:
        if child.assigned_worker != worker:
            recorded.append(Move(child.id, child.assigned_worker, worker))
            child.assigned_worker = worker
    session.flush()
    record_moves(session, recorded, reason=reason, actor=actor, now=now)


@dataclass(frozen=True, slots=True)
class Move:
    child_id: str
    previous: str | None
    worker: str


def record_moves(
    session: Session,
    moves: list[Move],
    *,
    reason: str | None,
    actor: str,
    now: datetime,
    audit_each: bool = True,
) -> None:
    """The assignment change rows (``ownership.assignment_changes``: the one owner rule intake
    also applies) and the history of moves whose ``Child.assigned_worker`` the caller has set; one audit event per move unless the caller audits them together."""
    if not moves:
        return
    lock_sequence(session, "assignment_changes")
    changes: list[dict[str, object]] = []
    for m in moves:
        changes += assignment_changes(m.child_id, m.previous, m.worker, now)
        if audit_each:
            audit.record(
                session,
                actor=actor,
                action="child.reallocate" if m.previous else "child.allocate",
                entity="child",
                entity_id=m.child_id,
                detail={"worker": m.worker, "previous": m.previous, "reason": reason},
            )
    session.execute(insert(AssignmentChange), changes)
    session.execute(
        insert(Allocation),
        [
            {
                "child_id": m.child_id,
                "worker": m.worker,
                "previous_worker": m.previous,
                "reason": reason,
                "allocated_by": actor,
                "allocated_at": now,
            }
            for m in moves
        ],
    )


def notify_changed(
    session: Session, children: Iterable[tuple[str, str | None]], *, now: datetime
) -> None:
    """Tell the laptops of each (child id, worker) that the child or its episodes changed."""
    rows = [
        {"worker": worker, "child_id": child_id, "kind": "upsert", "at": now}
        for child_id, worker in children
        if worker
    ]
    if rows:
        lock_sequence(session, "assignment_changes")
        session.execute(insert(AssignmentChange), rows)


def history(session: Session, child_id: str) -> list[Allocation]:
    return list(
        session.scalars(
            select(Allocation).where(Allocation.child_id == child_id).order_by(Allocation.id.desc())
        )
    )
