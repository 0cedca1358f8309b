from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rhi_core.domain.deadlines import Urgency, format_remaining, rhi_deadline, within_window
from rhi_core.domain.episodes import EpisodeSpan, age_on, count_in_window, validate_episode

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours_since_return", "urgency", "text"),
    [
        (1, Urgency.OK, "2d 23h left"),
        (59, Urgency.OK, "13h 00m left"),
        (60.5, Urgency.AMBER, "11h 30m left"),
        (71.75, Urgency.AMBER, "15m left"),
        (73, Urgency.OVERDUE, "overdue by 1h 00m"),
        (72 + 50, Urgency.OVERDUE, "overdue by 2d 2h"),
    ],
)
def test_deadline_urgency_and_wording(
    hours_since_return: float, urgency: Urgency, text: str
) -> None:
    d = rhi_deadline(T0, T0 + timedelta(hours=hours_since_return))
    assert d.due_at == T0 + timedelta(hours=72)
    assert d.urgency == urgency
    assert format_remaining(d.remaining) == text


def test_within_window_boundary() -> None:
    assert within_window(T0, T0 + timedelta(hours=72))
    assert not within_window(T0, T0 + timedelta(hours=72, seconds=1))


def _problems(start, end, others=(), dob=date(2010, 5, 1), now=T0 + timedelta(days=10)):
    return [
        (p.field, p.message)
        for p in validate_episode(
            started_at=start, returned_at=end, dob=dob, others=others, now=now
        )
    ]


def test_valid_episode_has_no_problems() -> None:
    assert _problems(T0, T0 + timedelta(hours=5)) == []


def test_return_before_start() -> None:
    assert _problems(T0, T0 - timedelta(minutes=1)) == [
        ("returned_at", "The return cannot be before the episode started.")
    ]


def test_before_birth() -> None:
    assert ("started_at", "The episode cannot start before the child was born.") in _problems(
        T0, None, dob=date(2027, 1, 1), now=T0 + timedelta(days=1)
    )


def test_overlapping_and_open_episodes() -> None:
    closed = EpisodeSpan("a", T0 - timedelta(hours=10), T0 + timedelta(hours=1))
    assert _problems(T0, T0 + timedelta(hours=3), [closed])[0][1].startswith("This overlaps")
    still_open = EpisodeSpan("b", T0 - timedelta(days=2), None)
    assert "still open" in _problems(T0, T0 + timedelta(hours=3), [still_open])[0][1]
    # Back-to-back is fine: a new episode may start the moment the last one ended.
    assert _problems(T0 + timedelta(hours=1), T0 + timedelta(hours=2), [closed]) == []


def test_future_dates_refused() -> None:
    now = T0
    assert ("returned_at", "The return cannot be in the future.") in _problems(
        T0 - timedelta(hours=1), T0 + timedelta(hours=2), now=now
    )


def test_age_and_window_counts() -> None:
    assert age_on(date(2010, 3, 10), date(2026, 3, 9)) == 15
    assert age_on(date(2010, 3, 10), date(2026, 3, 10)) == 16
    starts = [T0 - timedelta(days=d) for d in (1, 5, 29, 31, 200)]
    assert count_in_window(starts, T0, 30) == 3
    assert count_in_window(starts, T0, 365) == 5
