"""Escalation tasks: raised from the line of sight, owned by a named person, due by a time,
closed only with a coded decision (``rhi_core.domain.escalations``) that goes into the audit
trail.

``raise_due`` is idempotent (each task has a unique key: the escalation and the episode, or for
repeat missing the child and the episode that made it three) and runs as scheduled work, once
across API processes (``rhi_central.jobs``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.models import Child, Episode, EscalationTask, StaffUser
from rhi_central.ops import OpError
from rhi_central.staff.roles import Role
from rhi_central.timeutil import new_id
from rhi_core.domain.codes import EscalationDecision, EscalationKind
from rhi_core.domain.escalations import (
    REPEAT_COUNT,
    REPEAT_WINDOW,
    RULES,
    decision_problems,
    missing_escalations,
    repeat_trigger,
)
from rhi_core.reports.period import uk_date

SYSTEM_ACTOR = "system:line-of-sight"
MAX_REASON = 4000


@dataclass(frozen=True, slots=True)
class Raised:
    id: str
    kind: EscalationKind
    child_id: str


def _due_escalations(session: Session, now: datetime) -> list[dict[str, object]]:
    wanted: list[dict[str, object]] = []
    open_episodes = session.execute(
        select(Episode.id, Episode.child_id, Episode.started_at).where(
            Episode.returned_at.is_(None), Episode.started_at <= now
        )
    ).all()
    for episode_id, child_id, started_at in open_episodes:
        for kind, raised_at in missing_escalations(started_at, now):
            wanted.append(
                {
                    "key": f"{kind.value}:{episode_id}",
                    "kind": kind,
                    "child_id": child_id,
                    "episode_id": episode_id,
                    "raised_at": raised_at,
                }
            )
    recent = session.execute(
        select(Episode.id, Episode.child_id, Episode.started_at).where(
            Episode.started_at >= now - REPEAT_WINDOW, Episode.started_at <= now
        )
    ).all()
    by_child: defaultdict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for episode_id, child_id, started_at in recent:
        by_child[child_id].append((started_at, episode_id))
    already_open = set(
        session.scalars(
            select(EscalationTask.child_id).where(
                EscalationTask.kind == EscalationKind.REPEAT_3_IN_30.value,
                EscalationTask.closed_at.is_(None),
            )
        )
    )
    for child_id, starts in by_child.items():
        if len(starts) < REPEAT_COUNT or child_id in already_open:
            continue
        trigger = repeat_trigger((s for s, _ in starts), now)
        if trigger is None:
            continue
        episode_id = next(e for s, e in sorted(starts) if s == trigger)
        wanted.append(
            {
                "key": f"{EscalationKind.REPEAT_3_IN_30.value}:{child_id}:{episode_id}",
                "kind": EscalationKind.REPEAT_3_IN_30,
                "child_id": child_id,
                "episode_id": episode_id,
                "raised_at": trigger,
            }
        )
    return wanted


def _owners(session: Session) -> dict[str, list[str]]:
    """Active staff by role, fewest open tasks first (ties: the longest-standing account)."""
    load = Counter(
        dict(
            session.execute(
                select(EscalationTask.owner_user_id, func.count())
                .where(EscalationTask.closed_at.is_(None))
                .group_by(EscalationTask.owner_user_id)
            ).all()
        )
    )
    people: dict[str, list[tuple[int, datetime, str]]] = defaultdict(list)
    for user_id, role, created in session.execute(
        select(StaffUser.id, StaffUser.role, StaffUser.created_at).where(
            StaffUser.disabled_at.is_(None),
            StaffUser.role.in_([Role.MISSING_LEAD.value, Role.MANAGER.value]),
        )
    ):
        people[role].append((load[user_id], created, user_id))
    return {role: [u for _, _, u in sorted(entries)] for role, entries in people.items()}


def raise_due(session: Session, now: datetime, *, actor: str = SYSTEM_ACTOR) -> list[Raised]:
    """Create the tasks for every escalation reached by ``now`` that has none yet."""
    wanted = _due_escalations(session, now)
    if not wanted:
        return []
    existing = set()
    keys = [str(w["key"]) for w in wanted]
    for i in range(0, len(keys), 500):
        existing.update(
            session.scalars(
                select(EscalationTask.key).where(EscalationTask.key.in_(keys[i : i + 500]))
            )
        )
    owners = _owners(session)
    turn: Counter[str] = Counter()
    rows = []
    for w in wanted:
        if w["key"] in existing:
            continue
        kind = w["kind"]
        assert isinstance(kind, EscalationKind)
        rule = RULES[kind]
        candidates = owners.get(rule.owner_role) or owners.get(Role.MISSING_LEAD.value) or []
        owner = candidates[turn[rule.owner_role] % len(candidates)] if candidates else None
        turn[rule.owner_role] += 1
        raised_at = w["raised_at"]
        assert isinstance(raised_at, datetime)
        rows.append(
            {
                "id": new_id(),
                "key": w["key"],
                "kind": kind.value,
                "child_id": w["child_id"],
                "episode_id": w["episode_id"],
                "raised_at": raised_at,
                "created_at": now,
                "due_at": raised_at + rule.due_after,
                "owner_role": rule.owner_role,
                "owner_user_id": owner,
            }
        )
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    # Another process raising the same task at the same moment is not an error: the key decides.
    inserted = session.execute(
        insert_fn(EscalationTask)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(EscalationTask.id, EscalationTask.kind, EscalationTask.child_id),
        rows,
    ).all()
    raised = [Raised(i, EscalationKind(k), c) for i, k, c in inserted]
    if raised:
        audit.record(
            session,
            actor=actor,
            action="escalations.raise",
            detail={
                "tasks": [{"id": r.id, "kind": r.kind.value, "child": r.child_id} for r in raised]
            },
        )
    return raised


@dataclass(frozen=True, slots=True)
class TaskView:
    task: EscalationTask
    case_number: str
    child_name: str
    owner_name: str | None

    @property
    def kind(self) -> EscalationKind:
        return EscalationKind(self.task.kind)


def list_tasks(session: Session, *, open_only: bool, limit: int = 500) -> list[TaskView]:
    query = (
        select(EscalationTask, Child.local_id, Child.first_name, Child.last_name, StaffUser.name)
        .join(Child, Child.id == EscalationTask.child_id)
        .outerjoin(StaffUser, StaffUser.id == EscalationTask.owner_user_id)
    )
    if open_only:
        query = query.where(EscalationTask.closed_at.is_(None)).order_by(EscalationTask.due_at)
    else:
        query = query.where(EscalationTask.closed_at.is_not(None)).order_by(
            EscalationTask.closed_at.desc()
        )
    return [
        TaskView(t, local_id, f"{first} {last}", owner)
        for t, local_id, first, last, owner in session.execute(query.limit(limit))
    ]


def get_task(session: Session, task_id: str) -> TaskView:
    found = session.execute(
        select(EscalationTask, Child.local_id, Child.first_name, Child.last_name, StaffUser.name)
        .join(Child, Child.id == EscalationTask.child_id)
        .outerjoin(StaffUser, StaffUser.id == EscalationTask.owner_user_id)
        .where(EscalationTask.id == task_id)
    ).first()
    if found is None:
        raise OpError(404, "There is no such task.")
    t, local_id, first, last, owner = found
    return TaskView(t, local_id, f"{first} {last}", owner)


def tasks_of_child(session: Session, child_id: str) -> list[EscalationTask]:
    return list(
        session.scalars(
            select(EscalationTask)
            .where(EscalationTask.child_id == child_id)
            .order_by(EscalationTask.created_at.desc())
        )
    )


class DecisionRefused(Exception):
    """The decision cannot close the task: (field, message) for each problem."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


def close(
    session: Session,
    task_id: str,
    *,
    decision: str | None,
    decided_on: date | None,
    reason: str | None,
    actor: str,
    now: datetime,
) -> EscalationTask:
    """Close a task with a coded decision; ``DecisionRefused`` lists what is missing."""
    view = get_task(session, task_id)
    task = view.task
    if task.closed_at is not None:
        raise OpError(409, "This task is already closed.")
    try:
        code = EscalationDecision(decision) if decision else None
    except ValueError:
        raise DecisionRefused([("decision", "Choose one of the decisions shown.")]) from None
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise DecisionRefused([("reason", f"Keep the reason under {MAX_REASON} characters.")])
    problems = decision_problems(view.kind, code, decided_on, reason, uk_date(now))
    if problems:
        raise DecisionRefused([(p.field, p.message) for p in problems])
    assert code is not None
    task.decision = code.value
    task.decided_on = (
        decided_on if code is not EscalationDecision.STRATEGY_MEETING_NOT_NEEDED else None
    )
    task.decision_reason = reason
    task.closed_at = now
    task.closed_by = actor
    audit.record(
        session,
        actor=actor,
        action="task.close",
        entity="escalation_task",
        entity_id=task.id,
        detail={
            "kind": task.kind,
            "child": task.child_id,
            "decision": code.value,
            "decided_on": task.decided_on.isoformat() if task.decided_on else None,
            "reason": reason,
        },
    )
    return task


def reassign(session: Session, task_id: str, owner_user_id: str, *, actor: str) -> EscalationTask:
    task = get_task(session, task_id).task
    if task.closed_at is not None:
        raise OpError(409, "This task is already closed.")
    owner = session.get(StaffUser, owner_user_id)
    if (
        owner is None
        or owner.disabled_at is not None
        or owner.role not in (Role.MISSING_LEAD.value, Role.MANAGER.value)
    ):
        raise OpError(422, "Choose a Missing Lead or a manager with an active account.")
    previous = task.owner_user_id
    task.owner_user_id = owner.id
    audit.record(
        session,
        actor=actor,
        action="task.reassign",
        entity="escalation_task",
        entity_id=task.id,
        detail={"owner": owner.id, "previous": previous},
    )
    return task


def task_owners(session: Session) -> list[StaffUser]:
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.disabled_at.is_(None),
                StaffUser.role.in_([Role.MISSING_LEAD.value, Role.MANAGER.value]),
            )
            .order_by(StaffUser.name)
        )
    )
