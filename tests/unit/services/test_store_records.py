"""The store read back into plain records: the same figures as the records written."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW

from rhi_core.demo.synthetic import DEFAULT_NOW, generate, year_ending
from rhi_core.domain.codes import InterviewState, OfferMethod, OfferOutcome
from rhi_core.reports.figures import compute_kpis
from rhi_desktop.services.dashboard import dashboard_figures
from rhi_desktop.services.demo_profile import create_demo_profile, write_dataset
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.store_records import load_dataset
from rhi_desktop.store.models import Child, InterviewSession, MissingEpisode, ReturnInterview


def test_round_trip_gives_the_same_records_and_figures(profile: Profile) -> None:
    written = generate(seed=7, n_children=60, now=NOW)
    with profile.transaction() as s:
        # With answers: sessions, referrals and the rest of each held record, as a demo has.
        write_dataset(s, written, answers_seed=7, now=NOW)
    with profile.sessions() as s:
        loaded = load_dataset(s)
    assert set(loaded.children) == set(written.children)
    assert set(loaded.episodes) == set(written.episodes)
    assert set(loaded.interviews) == set(written.interviews)
    assert set(loaded.offers) == set(written.offers)
    period = year_ending(NOW)
    assert compute_kpis(loaded, *period, NOW) == compute_kpis(written, *period, NOW)


def test_demo_profile_with_full_records_gives_the_generated_figures(
    demo_profile: Profile,
) -> None:
    # The demo also writes sessions, answers, referrals and signatures for held interviews.
    with demo_profile.sessions() as s:
        loaded = load_dataset(s)
    period = year_ending(NOW)
    expected = compute_kpis(generate(seed=7, n_children=60, now=NOW), *period, NOW)
    assert compute_kpis(loaded, *period, NOW) == expected


def test_held_at_is_the_earliest_session_of_the_current_revision(profile: Profile) -> None:
    t0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
    with profile.transaction() as s:
        child = Child(local_id="C1", first_name="A", last_name="B", dob=t0.date().replace(2010))
        s.add(child)
        s.flush()
        episode = MissingEpisode(
            child_id=child.id, category="M", started_at=t0, returned_at=t0 + timedelta(hours=5)
        )
        interview = ReturnInterview(
            child_id=child.id, state=InterviewState.DRAFT, revision=2, held_at=None, worker=None
        )
        interview.episodes.append(episode)
        s.add(interview)
        s.flush()
        for hours, revision in ((30, 2), (20, 1), (10, 3)):  # revision 3 does not exist yet
            s.add(
                InterviewSession(
                    interview_id=interview.id, started_at=t0 + timedelta(hours=hours),
                    revision=revision,
                )
            )  # fmt: skip
        plain = ReturnInterview(child_id=child.id, held_at=t0 + timedelta(days=2))
        s.add(plain)
    with profile.sessions() as s:
        loaded = {i.id: i for i in load_dataset(s).interviews}
    assert loaded[interview.id].held_at == t0 + timedelta(hours=20)
    assert loaded[interview.id].episode_ids == (episode.id,)
    assert loaded[interview.id].worker == "" and loaded[interview.id].revision == 2
    assert loaded[plain.id].held_at == t0 + timedelta(days=2)  # no sessions: the stored value


def test_offer_codes_come_back_as_codes(profile: Profile) -> None:
    written = generate(seed=3, n_children=12, now=NOW)
    with profile.transaction() as s:
        write_dataset(s, written)
    with profile.sessions() as s:
        loaded = load_dataset(s)
    assert all(isinstance(o.outcome, OfferOutcome) for o in loaded.offers)
    assert all(isinstance(o.method, OfferMethod) for o in loaded.offers)
    assert all(o.at.tzinfo is UTC for o in loaded.offers)


def test_18000_interviews_load_in_well_under_a_second(profile: Profile) -> None:
    big = generate(seed=5, n_children=6000, now=NOW)
    assert len(big.interviews) >= 17_000
    with profile.transaction() as s:
        write_dataset(s, big)
    timings = []
    with profile.sessions() as s:
        for _ in range(3):  # best CPU time of three: other work on a shared machine adds noise
            started = time.process_time()
            loaded = load_dataset(s)
            timings.append(time.process_time() - started)
    assert len(loaded.interviews) == len(big.interviews)
    assert min(timings) < 1.0, f"{min(timings):.2f} s"


def test_default_demo_profile_shows_the_seed_council_figures(tmp_path: Path) -> None:
    """The calibration through the app: a real encrypted 425-child demo, read back from the
    store, through the dashboard's own service."""
    demo = create_demo_profile(tmp_path / "demo", seed=2021, n_children=425, now=DEFAULT_NOW)
    try:
        with demo.sessions() as s:
            data = dashboard_figures(s, *year_ending(DEFAULT_NOW), DEFAULT_NOW)
    finally:
        demo.close()
    assert data.kpis["children_missing"] == 425
    assert data.figure("offer_rate").value == pytest.approx(93, abs=2)
    assert data.figure("completion_rate").value == pytest.approx(49, abs=2)
    assert data.figure("in_care_share").value == pytest.approx(31, abs=2)
    assert data.figure("top_n_share").value == pytest.approx(41, abs=2)
