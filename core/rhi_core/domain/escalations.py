"""When a missing child escalates, who acts, by when, and what closes the escalation.

The thresholds are the seed council's practice (RHI-DOMAIN.md, "Line of sight"): missing 72 hours
or longer is flagged on the daily missing report and the Missing Lead considers a strategy
meeting; beyond 5 days the Head of Service and the Director get an update; 3 or more episodes in
30 days prompts the Missing Lead to consider a strategy meeting. Central turns each into a task
with an owner and a due time; a task is closed only with one of the decisions allowed for its
kind, and a decision is only complete with the date or the reason it needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rhi_core.domain.codes import EscalationDecision, EscalationKind
from rhi_core.domain.deadlines import LONG_MISSING, VERY_LONG_MISSING

REPEAT_WINDOW = timedelta(days=30)
REPEAT_COUNT = 3
# How far ahead a strategy meeting may be recorded as convened (it is often set for a few days on).
CONVENED_AHEAD = timedelta(days=28)
MIN_REASON_CHARS = 10


@dataclass(frozen=True, slots=True)
class EscalationRule:
    kind: EscalationKind
    owner_role: str  # the staff role whose member owns the task (see rhi_central.staff.roles)
    due_after: timedelta  # from the moment the escalation arose
    decisions: tuple[EscalationDecision, ...]
    action: str  # what the owner is asked to do, in the service's words


RULES: dict[EscalationKind, EscalationRule] = {
    EscalationKind.MISSING_72H: EscalationRule(
        EscalationKind.MISSING_72H,
        owner_role="missing-lead",
        due_after=timedelta(hours=24),
        decisions=(
            EscalationDecision.STRATEGY_MEETING_CONVENED,
            EscalationDecision.STRATEGY_MEETING_NOT_NEEDED,
        ),
        action="Consider a strategy meeting: the child has been missing 72 hours or longer.",
    ),
    EscalationKind.MISSING_5_DAYS: EscalationRule(
        EscalationKind.MISSING_5_DAYS,
        owner_role="manager",
        due_after=timedelta(hours=24),
        decisions=(EscalationDecision.HEAD_OF_SERVICE_UPDATED,),
        action="Update the Head of Service and the Director: missing more than 5 days.",
    ),
    EscalationKind.REPEAT_3_IN_30: EscalationRule(
        EscalationKind.REPEAT_3_IN_30,
        owner_role="missing-lead",
        due_after=timedelta(hours=72),
        decisions=(
            EscalationDecision.STRATEGY_MEETING_CONVENED,
            EscalationDecision.STRATEGY_MEETING_NOT_NEEDED,
        ),
        action="Consider a strategy meeting: 3 or more episodes in 30 days.",
    ),
}


def missing_escalations(
    started_at: datetime, now: datetime
) -> list[tuple[EscalationKind, datetime]]:
    """The escalations an open episode has reached at ``now``, each with the moment it arose."""
    missing_for = now - started_at
    reached: list[tuple[EscalationKind, datetime]] = []
    if missing_for >= LONG_MISSING:
        reached.append((EscalationKind.MISSING_72H, started_at + LONG_MISSING))
    if missing_for > VERY_LONG_MISSING:
        reached.append((EscalationKind.MISSING_5_DAYS, started_at + VERY_LONG_MISSING))
    return reached


def repeat_trigger(starts: Iterable[datetime], now: datetime) -> datetime | None:
    """The start of the episode that made it 3 in the 30 days up to ``now``, or None.

    Only the last 30 days count (a pattern that has ended does not prompt a meeting today).
    """
    recent = sorted(s for s in starts if now - REPEAT_WINDOW <= s <= now)
    if len(recent) < REPEAT_COUNT:
        return None
    return recent[REPEAT_COUNT - 1]


@dataclass(frozen=True, slots=True)
class DecisionProblem:
    field: str  # "decision", "decided_on" or "reason"
    message: str


def decision_problems(
    kind: EscalationKind,
    decision: EscalationDecision | None,
    decided_on: date | None,
    reason: str | None,
    today: date,
) -> list[DecisionProblem]:
    """Every reason the decision cannot close a task of ``kind``; empty means it can."""
    rule = RULES[kind]
    if decision is None:
        return [DecisionProblem("decision", "Choose the decision that closes this task.")]
    if decision not in rule.decisions:
        allowed = " or ".join(f"'{d.label}'" for d in rule.decisions)
        return [DecisionProblem("decision", f"This task can only be closed with {allowed}.")]
    problems: list[DecisionProblem] = []
    if decision is EscalationDecision.STRATEGY_MEETING_NOT_NEEDED:
        if len((reason or "").strip()) < MIN_REASON_CHARS:
            problems.append(DecisionProblem("reason", "Say why a strategy meeting is not needed."))
        return problems
    if decided_on is None:
        what = (
            "when the strategy meeting is or was held"
            if decision is EscalationDecision.STRATEGY_MEETING_CONVENED
            else "when the Head of Service and the Director were updated"
        )
        return [DecisionProblem("decided_on", f"Enter {what}.")]
    if decision is EscalationDecision.HEAD_OF_SERVICE_UPDATED and decided_on > today:
        problems.append(DecisionProblem("decided_on", "The update cannot be in the future."))
    if decision is EscalationDecision.STRATEGY_MEETING_CONVENED and (
        decided_on > today + CONVENED_AHEAD
    ):
        problems.append(
            DecisionProblem("decided_on", "A meeting more than 4 weeks ahead is not convened yet.")
        )
    return problems
