"""The live board: who is missing now, who came back and is waiting for an RHI (with the
72-hour clock), who is overdue, 72 hours+ and 5 days+ missing, and 3+ episodes in 30 days.

A handful of indexed queries, whatever the size of the store: open episodes, episodes returned
within the chase window (72 hours plus a week), the interviews of just those children, and the
episodes of the last 30 days grouped by child. "Waiting for an RHI" means central has received
no completed interview covering the episode (a laptop sends an RHI when it is completed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rhi_central.models import Child, Episode, EscalationTask, Interview
from rhi_core.domain.codes import EpisodeCategory, RiskGrade
from rhi_core.domain.deadlines import (
    CHASE_AFTER_DUE,
    LONG_MISSING,
    RHI_WINDOW,
    VERY_LONG_MISSING,
    Urgency,
    rhi_deadline,
)
from rhi_core.domain.escalations import REPEAT_COUNT, REPEAT_WINDOW
from rhi_core.reports.records import COMPLETED_STATES

_CHUNK = 500
_RECEIVED_STATES = [s.value for s in COMPLETED_STATES]


@dataclass(frozen=True, slots=True)
class ChildRef:
    child_id: str
    case_number: str
    name: str
    worker: str | None


@dataclass(frozen=True, slots=True)
class MissingRow:
    child: ChildRef
    episode_id: str
    category: EpisodeCategory
    risk_grade: RiskGrade
    police_reference: str | None
    started_at: datetime
    hours_missing: float
    past_72h: bool
    past_5_days: bool
    open_tasks: tuple[tuple[str, str], ...] = ()  # (task id, kind)


@dataclass(frozen=True, slots=True)
class AwaitingRow:
    child: ChildRef
    episode_id: str
    returned_at: datetime
    due_at: datetime
    remaining: timedelta
    urgency: Urgency

    @property
    def overdue(self) -> bool:
        return self.urgency is Urgency.OVERDUE


@dataclass(frozen=True, slots=True)
class RepeatRow:
    child: ChildRef
    episodes_30_days: int
    latest_start: datetime
    open_tasks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Board:
    now: datetime
    missing: list[MissingRow]
    awaiting: list[AwaitingRow]
    repeat: list[RepeatRow]
    open_tasks: int
    overdue_tasks: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> list[AwaitingRow]:
        return [a for a in self.awaiting if a.overdue]

    @property
    def past_72h(self) -> list[MissingRow]:
        return [m for m in self.missing if m.past_72h]

    @property
    def past_5_days(self) -> list[MissingRow]:
        return [m for m in self.missing if m.past_5_days]

    @property
    def child_ids(self) -> list[str]:
        ids = {m.child.child_id for m in self.missing}
        ids.update(a.child.child_id for a in self.awaiting)
        ids.update(r.child.child_id for r in self.repeat)
        return sorted(ids)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _scoped(query: Select[Any], worker: str | None) -> Select[Any]:
    return query.where(Child.assigned_worker == worker) if worker is not None else query


def _ref(row: Any) -> ChildRef:
    return ChildRef(row.child_id, row.local_id, f"{row.first_name} {row.last_name}", row.worker)


_CHILD_COLUMNS = (
    Child.local_id,
    Child.first_name,
    Child.last_name,
    Child.assigned_worker.label("worker"),
)


def missing_now(session: Session, now: datetime, worker: str | None = None) -> list[MissingRow]:
    rows = session.execute(
        _scoped(
            select(
                Episode.id,
                Episode.child_id,
                Episode.category,
                Episode.risk_grade,
                Episode.police_reference,
                Episode.started_at,
                *_CHILD_COLUMNS,
            )
            .join(Child, Child.id == Episode.child_id)
            .where(Episode.returned_at.is_(None), Episode.started_at <= now),
            worker,
        )
    ).all()
    out = []
    for r in rows:
        missing_for = now - r.started_at
        out.append(
            MissingRow(
                _ref(r),
                r.id,
                EpisodeCategory(r.category),
                RiskGrade(r.risk_grade),
                r.police_reference,
                r.started_at,
                round(missing_for.total_seconds() / 3600, 1),
                missing_for >= LONG_MISSING,
                missing_for > VERY_LONG_MISSING,
            )
        )
    return sorted(out, key=lambda m: (m.started_at, m.episode_id))


def awaiting_rhi(session: Session, now: datetime, worker: str | None = None) -> list[AwaitingRow]:
    since = now - RHI_WINDOW - CHASE_AFTER_DUE
    rows = session.execute(
        _scoped(
            select(Episode.id, Episode.child_id, Episode.returned_at, *_CHILD_COLUMNS)
            .join(Child, Child.id == Episode.child_id)
            .where(Episode.returned_at >= since, Episode.returned_at <= now),
            worker,
        )
    ).all()
    covered = covered_episodes(session, since, now)
    out = []
    for r in rows:
        if r.id in covered:
            continue
        deadline = rhi_deadline(r.returned_at, now)
        out.append(
            AwaitingRow(
                _ref(r), r.id, r.returned_at, deadline.due_at, deadline.remaining, deadline.urgency
            )
        )
    return sorted(out, key=lambda a: (a.due_at, a.episode_id))


def covered_episodes(session: Session, since: datetime, until: datetime) -> set[str]:
    """Episodes returned between ``since`` and ``until`` that a completed interview central
    holds covers. The children are a subquery, not a list of ids: one small plan whatever the
    size of the window."""
    children = (
        select(Episode.child_id)
        .where(Episode.returned_at >= since, Episode.returned_at <= until)
        .scalar_subquery()
    )
    covered: set[str] = set()
    for (episode_ids,) in session.execute(
        select(Interview.payload["episode_ids"]).where(
            Interview.child_id.in_(children), Interview.state.in_(_RECEIVED_STATES)
        )
    ):
        covered.update(episode_ids or ())
    return covered


def repeat_missing(session: Session, now: datetime, worker: str | None = None) -> list[RepeatRow]:
    counts = (
        select(
            Episode.child_id,
            func.count().label("n"),
            func.max(Episode.started_at).label("latest"),
        )
        .where(Episode.started_at >= now - REPEAT_WINDOW, Episode.started_at <= now)
        .group_by(Episode.child_id)
        .having(func.count() >= REPEAT_COUNT)
        .subquery()
    )
    rows = session.execute(
        _scoped(
            select(counts.c.child_id, counts.c.n, counts.c.latest, *_CHILD_COLUMNS).join(
                Child, Child.id == counts.c.child_id
            ),
            worker,
        )
    ).all()
    out = [RepeatRow(_ref(r), int(r.n), _aware(r.latest)) for r in rows]
    return sorted(out, key=lambda r: (-r.episodes_30_days, r.child.case_number))


def _aware(value: Any) -> datetime:
    # An aggregate (MAX) skips the column type: SQLite hands back text, PostgreSQL an aware value.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def open_tasks_by_child(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Every open escalation task: child -> [(task id, kind)] (open tasks are few: each waits
    for a decision)."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for task_id, child_id, kind in session.execute(
        select(EscalationTask.id, EscalationTask.child_id, EscalationTask.kind).where(
            EscalationTask.closed_at.is_(None)
        )
    ):
        found[child_id].append((task_id, kind))
    return found


def task_counts(session: Session, now: datetime) -> tuple[int, int]:
    open_count, overdue = session.execute(
        select(
            func.count(),
            func.count().filter(EscalationTask.due_at < now),
        ).where(EscalationTask.closed_at.is_(None))
    ).one()
    return int(open_count or 0), int(overdue or 0)


def build_board(session: Session, now: datetime, worker: str | None = None) -> Board:
    """The board at ``now``; ``worker`` limits it to one worker's children."""
    missing = missing_now(session, now, worker)
    awaiting = awaiting_rhi(session, now, worker)
    repeat = repeat_missing(session, now, worker)
    tasks = open_tasks_by_child(session)
    missing = [
        _with_tasks(
            m,
            [(t, kind) for t, kind in tasks.get(m.child.child_id, []) if kind != "repeat_3_in_30"],
        )
        for m in missing
    ]
    repeat = [
        RepeatRow(
            r.child,
            r.episodes_30_days,
            r.latest_start,
            tuple(t for t, kind in tasks.get(r.child.child_id, []) if kind == "repeat_3_in_30"),
        )
        for r in repeat
    ]
    open_count, overdue_tasks = task_counts(session, now)
    board = Board(now, missing, awaiting, repeat, open_count, overdue_tasks)
    board.counts.update(
        missing_now=len(missing),
        past_72h=len(board.past_72h),
        past_5_days=len(board.past_5_days),
        awaiting=len(awaiting),
        overdue=len(board.overdue),
        repeat=len(repeat),
        open_tasks=open_count,
        overdue_tasks=overdue_tasks,
    )
    return board


def _with_tasks(row: MissingRow, task_ids: list[tuple[str, str]]) -> MissingRow:
    return MissingRow(
        row.child,
        row.episode_id,
        row.category,
        row.risk_grade,
        row.police_reference,
        row.started_at,
        row.hours_missing,
        row.past_72h,
        row.past_5_days,
        tuple(task_ids),
    )
