"""Rules a missing episode must keep (they mirror the DfE SSDA903 validation rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_OPEN_END = datetime.max


@dataclass(frozen=True, slots=True)
class EpisodeProblem:
    field: str  # the form field the message belongs to
    message: str


@dataclass(frozen=True, slots=True)
class EpisodeSpan:
    id: str
    started_at: datetime
    returned_at: datetime | None


def validate_episode(
    *,
    started_at: datetime | None,
    returned_at: datetime | None,
    dob: date,
    others: Iterable[EpisodeSpan],
    now: datetime,
    episode_id: str | None = None,
    notified_at: datetime | None = None,
) -> list[EpisodeProblem]:
    """Every problem with one episode, as messages for the fields they belong to.

    ``notified_at`` (when the council was told, recorded centrally) cannot come before the child
    went missing, nor lie in the future.
    """
    problems: list[EpisodeProblem] = []
    if started_at is None:
        return [EpisodeProblem("started_at", "Enter when the child went missing.")]
    if started_at.date() < dob:
        problems.append(
            EpisodeProblem("started_at", "The episode cannot start before the child was born.")
        )
    if started_at > now + timedelta(minutes=5):
        problems.append(EpisodeProblem("started_at", "The start cannot be in the future."))
    if returned_at is not None:
        if returned_at < started_at:
            problems.append(
                EpisodeProblem("returned_at", "The return cannot be before the episode started.")
            )
        if returned_at > now + timedelta(minutes=5):
            problems.append(EpisodeProblem("returned_at", "The return cannot be in the future."))
    if notified_at is not None:
        if notified_at < started_at:
            problems.append(
                EpisodeProblem(
                    "notified_at", "The council cannot be notified before the episode started."
                )
            )
        if notified_at > now + timedelta(minutes=5):
            problems.append(
                EpisodeProblem("notified_at", "The notification cannot be in the future.")
            )
    end = returned_at or _end_of_time(started_at)
    for other in others:
        if other.id == episode_id:
            continue
        other_end = other.returned_at or _end_of_time(other.started_at)
        if started_at < other_end and other.started_at < end:
            when = other.started_at.strftime("%d/%m/%Y %H:%M")
            if other.returned_at is None:
                msg = f"Another episode (from {when}) is still open: record its return first."
            else:
                msg = f"This overlaps another episode that started {when}."
            problems.append(EpisodeProblem("started_at", msg))
            break
    return problems


def _end_of_time(start: datetime) -> datetime:
    return _OPEN_END.replace(tzinfo=start.tzinfo)


def count_in_window(starts: Iterable[datetime], now: datetime, days: int) -> int:
    since = now - timedelta(days=days)
    return sum(1 for s in starts if since <= s <= now)


def age_on(dob: date, day: date) -> int:
    years = day.year - dob.year
    if (day.month, day.day) < (dob.month, dob.day):
        years -= 1
    return years
