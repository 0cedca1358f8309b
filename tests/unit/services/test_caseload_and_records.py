from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW
from sqlalchemy import select

from rhi_core.domain.codes import EpisodeCategory, OfferOutcome, RhiStatus
from rhi_core.domain.deadlines import Urgency
from rhi_desktop.services import caseload
from rhi_desktop.services.caseload import rhi_status
from rhi_desktop.services.children import (
    NewChild,
    NewEpisode,
    ValidationFailed,
    add_child,
    record_episode,
)
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import AuditEvent, MissingEpisode, ReturnInterview


@pytest.mark.parametrize(
    ("state", "outcomes", "expected"),
    [
        (None, [], RhiStatus.NOT_OFFERED),
        (None, [OfferOutcome.NO_CONTACT], RhiStatus.OFFERED),
        (None, [OfferOutcome.DECLINED], RhiStatus.DECLINED),
        (None, [OfferOutcome.DECLINED, OfferOutcome.ACCEPTED], RhiStatus.OFFERED),
        ("draft", [OfferOutcome.ACCEPTED], RhiStatus.DRAFT),
        ("has_issues", [], RhiStatus.RETURNED),  # the reviewer sent it back: not a draft
        ("completed", [], RhiStatus.COMPLETED),
        ("synced", [], RhiStatus.SYNCED),
        ("approved", [], RhiStatus.SYNCED),
    ],
)
def test_rhi_status(state, outcomes, expected) -> None:
    assert rhi_status(state, [str(o) for o in outcomes]) == expected


def test_completed_decline_shows_as_declined() -> None:
    assert rhi_status("completed", ["declined"], held=False) == RhiStatus.DECLINED
    assert rhi_status("completed", ["accepted"], held=True) == RhiStatus.COMPLETED


def _child(profile: Profile, local_id: str = "C100", dob: date = date(2010, 1, 1)) -> str:
    with profile.transaction() as s:
        return add_child(
            s,
            NewChild(
                local_id=local_id,
                first_name="Amira",
                last_name="Haddad",
                dob=dob,
                looked_after=True,
            ),
            actor="Jane",
            today=NOW.date(),
        ).id


def test_add_child_validates_and_refuses_duplicate_case_numbers(profile: Profile) -> None:
    _child(profile)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        add_child(
            s,
            NewChild(local_id="C100", first_name="", last_name="X", dob=date(2030, 1, 1)),
            actor="Jane",
            today=NOW.date(),
        )
    fields = {p.field for p in err.value.problems}
    assert fields == {"first_name", "local_id", "dob"}


def test_recorded_return_starts_the_clock_and_joins_a_pending_interview(profile: Profile) -> None:
    child_id = _child(profile)
    with profile.transaction() as s:
        record_episode(
            s,
            NewEpisode(
                child_id,
                EpisodeCategory.MISSING,
                NOW - timedelta(days=3),
                NOW - timedelta(days=2, hours=20),
            ),
            actor="Jane",
            now=NOW,
        )
        record_episode(
            s,
            NewEpisode(
                child_id, EpisodeCategory.AWAY, NOW - timedelta(hours=30), NOW - timedelta(hours=10)
            ),
            actor="Jane",
            now=NOW,
        )
    with profile.sessions() as s:
        interviews = s.scalars(select(ReturnInterview)).all()
        assert len(interviews) == 1  # one RHI covers both episodes
        assert len(interviews[0].episodes) == 2
        rows = caseload.load_caseload(s, NOW)
        audit = s.scalars(select(AuditEvent.action)).all()
    assert audit.count("episode.add") == 2
    (row,) = rows
    assert row.episodes_30d == 2 and row.episodes_12m == 2
    assert row.rhi_status == RhiStatus.NOT_OFFERED
    deadline = row.deadline(NOW)
    assert deadline is not None and deadline.remaining == timedelta(hours=62)
    assert deadline.urgency == Urgency.OK


def test_rejected_episode_writes_nothing(profile: Profile) -> None:
    child_id = _child(profile)
    with pytest.raises(ValidationFailed) as err, profile.transaction() as s:
        record_episode(
            s,
            NewEpisode(
                child_id,
                EpisodeCategory.MISSING,
                NOW - timedelta(hours=2),
                NOW - timedelta(hours=3),
            ),
            actor="Jane",
            now=NOW,
        )
    assert err.value.problems[0].field == "returned_at"
    with profile.sessions() as s:
        assert s.scalars(select(MissingEpisode)).all() == []
        assert s.scalars(select(ReturnInterview)).all() == []


def test_missing_child_has_no_clock(profile: Profile) -> None:
    child_id = _child(profile)
    with profile.transaction() as s:
        record_episode(
            s,
            NewEpisode(child_id, EpisodeCategory.MISSING, NOW - timedelta(hours=5), None),
            actor="Jane",
            now=NOW,
        )
    with profile.sessions() as s:
        (row,) = caseload.load_caseload(s, NOW)
    assert row.missing_since == NOW - timedelta(hours=5)
    assert row.deadline(NOW) is None


def test_demo_caseload_has_live_work(demo_profile: Profile) -> None:
    with demo_profile.sessions() as s:
        rows = caseload.load_caseload(s, NOW)
    assert len(rows) == 60
    urgencies = {r.deadline(NOW).urgency for r in rows if r.deadline(NOW)}
    assert Urgency.OVERDUE in urgencies
    assert any(r.missing_since for r in rows)
    assert any(r.rhi_status == RhiStatus.DRAFT for r in rows)
    assert any(r.looked_after for r in rows)


def test_a_return_no_interview_covers_restarts_the_clock(profile: Profile) -> None:
    child_id = _child(profile)
    with profile.transaction() as s:
        record_episode(
            s,
            NewEpisode(
                child_id,
                EpisodeCategory.MISSING,
                NOW - timedelta(days=20),
                NOW - timedelta(days=19),
            ),
            actor="Jane",
            now=NOW,
        )
        interview = s.scalars(select(ReturnInterview)).one()
        interview.state = "completed"
        interview.completed_at = NOW - timedelta(days=18)
        # An episode that arrives by sync: recorded without the RHI bookkeeping.
        s.add(
            MissingEpisode(
                child_id=child_id,
                category="M",
                started_at=NOW - timedelta(days=1),
                returned_at=NOW - timedelta(hours=10),
                risk_grade="low",
            )
        )
    with profile.sessions() as s:
        (row,) = caseload.load_caseload(s, NOW)
    assert row.rhi_status == RhiStatus.NOT_OFFERED
    assert row.interview_id is None
    assert row.deadline(NOW).remaining == timedelta(hours=62)
