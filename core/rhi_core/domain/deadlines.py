"""The 72-hour rule: an RHI must be offered within 72 hours of the child's return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RHI_WINDOW = timedelta(hours=72)
AMBER_THRESHOLD = timedelta(hours=12)
# An interview not held a week after its deadline is no longer chased on the caseload: the
# window has closed (the figures still count it as late or not completed).
CHASE_AFTER_DUE = timedelta(days=7)
LONG_MISSING = timedelta(hours=72)
VERY_LONG_MISSING = timedelta(days=5)


class Urgency(StrEnum):
    NONE = "none"  # nothing due (interview done or child still missing)
    OK = "ok"
    AMBER = "amber"  # under 12 hours left
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Deadline:
    due_at: datetime
    remaining: timedelta  # negative once overdue

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def lapsed(self) -> bool:
        return self.remaining < -CHASE_AFTER_DUE

    @property
    def urgency(self) -> Urgency:
        if self.overdue:
            return Urgency.OVERDUE
        if self.remaining < AMBER_THRESHOLD:
            return Urgency.AMBER
        return Urgency.OK


def rhi_deadline(returned_at: datetime, now: datetime) -> Deadline:
    due = returned_at + RHI_WINDOW
    return Deadline(due_at=due, remaining=due - now)


def format_remaining(remaining: timedelta) -> str:
    """'2d 5h left', '47m left', 'overdue by 3h 12m' — what a worker reads at a glance."""
    overdue = remaining < timedelta(0)
    total_minutes = int(abs(remaining).total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    else:
        text = f"{minutes}m"
    return f"overdue by {text}" if overdue else f"{text} left"


def within_window(returned_at: datetime, held_at: datetime) -> bool:
    return held_at - returned_at <= RHI_WINDOW
