"""Reporting periods as half-open UTC intervals.

Councils report by UK calendar day, so a date period is read in Europe/London: 1 April means
from 00:00 London time on 1 April (23:00 UTC on 31 March in summer). Datetimes are taken as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

DateLike = date | datetime


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end): start included, end excluded, both tz-aware UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("period bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def overlaps(self, started: datetime, ended: datetime | None) -> bool:
        """Whether [started, ended] (ended None = still open) touches the period."""
        return started < self.end and (ended is None or ended >= self.start)


def uk_midnight(day: date) -> datetime:
    """00:00 London time on `day`, as UTC."""
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC)


def uk_date(instant: datetime) -> date:
    """The London calendar date of an instant (what a worker would write on a form)."""
    return instant.astimezone(UK).date()


def as_period(date_from: DateLike, date_to: DateLike) -> Period:
    """A period from two dates (both days included) or two datetimes (end excluded)."""
    # datetime is a subclass of date, so test for it first.
    if isinstance(date_from, datetime) and isinstance(date_to, datetime):
        return Period(date_from.astimezone(UTC), date_to.astimezone(UTC))
    if isinstance(date_from, datetime) or isinstance(date_to, datetime):
        raise TypeError("pass two dates or two datetimes, not one of each")
    return Period(uk_midnight(date_from), uk_midnight(date_to + timedelta(days=1)))


def last_12_months(now: datetime) -> tuple[date, date]:
    """The default reporting period: the 12 months ending on today's UK date, both days included.

    It starts the day after the same date a year earlier, so a year holds no day twice
    (29 February falls back to 1 March).
    """
    today = uk_date(now)
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February, and last year had none
        year_ago = date(today.year - 1, 2, 28)
    return year_ago + timedelta(days=1), today
