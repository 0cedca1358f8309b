"""The demo generator: calibrated to the seed council, deterministic, alive at `now`, fast."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from rhi_core.demo.names import BACKGROUNDS
from rhi_core.demo.synthetic import DEFAULT_NOW, generate, worker_names, year_ending
from rhi_core.domain.codes import InterviewState, OfferOutcome, Sex
from rhi_core.domain.deadlines import RHI_WINDOW
from rhi_core.domain.episodes import age_on
from rhi_core.reports.figures import compute_kpis
from rhi_core.reports.records import Dataset
from rhi_core.reports.ssda903 import ssda903_problems


@pytest.fixture(scope="module")
def default() -> Dataset:
    return generate()


@pytest.fixture(scope="module")
def kpis(default: Dataset) -> dict[str, float | int]:
    return compute_kpis(default, *year_ending(DEFAULT_NOW), DEFAULT_NOW)


def test_reproduces_the_seed_council_figures(kpis: dict[str, float | int]) -> None:
    assert kpis["children_missing"] == 425
    assert 1300 <= kpis["episodes"] <= 1600
    assert kpis["offer_rate"] == pytest.approx(93, abs=2)
    assert kpis["completion_rate"] == pytest.approx(49, abs=2)
    assert kpis["in_care_share"] == pytest.approx(31, abs=2)
    assert kpis["top_n_share"] == pytest.approx(41, abs=2)
    assert 60 <= kpis["within_72h_rate"] <= 65
    assert kpis["cse_share"] == pytest.approx(13, abs=2)
    assert kpis["cce_share"] == pytest.approx(25, abs=2)
    assert kpis["mace_share"] == pytest.approx(31, abs=2)
    assert kpis["declined_by_child"] > kpis["declined_by_parent_carer"] > 0
    assert kpis["children_3plus_in_30_days"] > 20


def test_top_20_children_match_the_seed_profile(default: Dataset) -> None:
    counts = Counter(e.child_id for e in default.episodes)
    top = [default.child(cid) for cid, _ in counts.most_common(20)]
    assert all(c.looked_after for c in top)
    aged_17 = sum(age_on(c.dob, DEFAULT_NOW.date()) >= 17 for c in top)
    assert 13 <= aged_17 <= 17
    assert 3 <= sum(c.uasc for c in top) <= 5
    assert sum(c.sex is Sex.MALE for c in top) == 11


def test_same_seed_same_dataset_other_seed_differs() -> None:
    assert generate(seed=7, n_children=60) == generate(seed=7, n_children=60)
    assert generate(seed=8, n_children=60) != generate(seed=7, n_children=60)


def test_records_are_consistent(default: Dataset) -> None:
    names = {
        Sex.MALE: {n for b in BACKGROUNDS for n in b.male},
        Sex.FEMALE: {n for b in BACKGROUNDS for n in b.female},
    }
    start = DEFAULT_NOW - timedelta(days=365)
    for child in default.children:
        age = age_on(child.dob, DEFAULT_NOW.date())
        assert 10 <= age <= 17
        assert child.first_name in names[child.sex]
        if child.uasc:
            assert child.looked_after and 15 <= age <= 17
        assert re.fullmatch(r"C\d{6}", child.local_id)
    assert len({c.local_id for c in default.children}) == len(default.children)
    for e in default.episodes:
        assert start <= e.started_at <= DEFAULT_NOW
        assert e.returned_at is None or e.started_at < e.returned_at <= DEFAULT_NOW
        assert e.police_reference and re.fullmatch(r"MPS-20\d\d-\d{6}", e.police_reference)
    # No overlapping episodes (the DfE rules the return would be checked against).
    assert ssda903_problems(default, 2026) == []
    assert ssda903_problems(default, 2025) == []


def test_every_found_episode_has_exactly_one_interview(default: Dataset) -> None:
    covered = Counter(eid for i in default.interviews for eid in i.episode_ids)
    found = [e for e in default.episodes if e.returned_at is not None]
    assert all(covered[e.id] == 1 for e in found)
    assert sum(covered.values()) == len(found)
    assert any(len(i.episode_ids) == 2 for i in default.interviews)
    for interview in default.interviews:
        offers = default.offers_for(interview.id)
        if interview.held_at is not None:
            assert offers and all(o.at < interview.held_at for o in offers)
            assert offers[-1].outcome is OfferOutcome.ACCEPTED
            assert interview.completed_at is None or interview.completed_at > interview.held_at
        assert interview.worker in worker_names()


def test_caseload_is_alive_at_now(default: Dataset) -> None:
    now = DEFAULT_NOW
    missing = [e for e in default.episodes if e.returned_at is None]
    assert 1 <= len(missing) <= 3
    hours = sorted((now - e.started_at) / timedelta(hours=1) for e in missing)
    assert hours[0] < 24 and hours[-1] > 120
    recent = {
        e.id: e
        for e in default.episodes
        if e.returned_at and now - e.returned_at < timedelta(days=4)
    }
    by_state = Counter()
    for interview in default.interviews:
        ep = [recent[i] for i in interview.episode_ids if i in recent]
        if not ep:
            continue
        left = ep[-1].returned_at + RHI_WINDOW - now  # type: ignore[operator]
        if interview.state is None and not default.offers_for(interview.id) and left < timedelta(0):
            by_state["overdue, nothing done"] += 1
        elif interview.state is None and timedelta(0) < left < timedelta(hours=12):
            by_state["under 12 h left"] += 1
        elif interview.state is InterviewState.DRAFT:
            by_state["draft"] += 1
        elif interview.is_completed:
            by_state["completed"] += 1
        elif any(o.outcome is OfferOutcome.DECLINED for o in default.offers_for(interview.id)):
            by_state["declined"] += 1
    assert by_state == {
        "overdue, nothing done": 2,
        "under 12 h left": 2,
        "draft": 2,
        "completed": 1,
        "declined": 1,
    }


def test_real_now_and_small_sizes() -> None:
    now = datetime.now(UTC)
    ds = generate(seed=3, n_children=12, now=now)
    assert len(ds.children) == 12
    assert all(e.returned_at is None or e.returned_at <= now for e in ds.episodes)
    assert len(generate(n_children=1).children) == 1
    with pytest.raises(ValueError):
        generate(n_children=0)
    with pytest.raises(ValueError):
        generate(now=datetime(2026, 1, 1))


def test_benchmark_size_is_fast_and_has_10000_interviews() -> None:
    started = time.perf_counter()
    ds = generate(n_children=6000)
    elapsed = time.perf_counter() - started
    assert len(ds.interviews) >= 10_000
    assert elapsed < 10


def test_attempts_follow_the_offer_definition(default: Dataset) -> None:
    """Only an answered attempt is an offer: the demo has unanswered attempts on interviews that
    were never offered, and every decline path the services know."""
    from rhi_core.reports import figures

    paths: Counter[str] = Counter()
    for interview in default.interviews:
        outcomes = [o.outcome for o in default.offers_for(interview.id)]
        answered = [o for o in outcomes if o is not OfferOutcome.NO_CONTACT]
        if figures.is_offered(default, interview):
            assert answered or interview.state is not None
        elif outcomes:
            paths["no contact only"] += 1
        if figures.is_declined(default, interview):
            paths[
                "accepted then declined" if OfferOutcome.ACCEPTED in outcomes else "declined"
            ] += 1
        elif interview.held_at and OfferOutcome.DECLINED in outcomes:
            paths["declined then accepted"] += 1
    assert paths["no contact only"] >= 20
    assert paths["accepted then declined"] >= 10
    assert paths["declined then accepted"] >= 20
    assert paths["declined"] > 300


def test_referrals_sit_on_completed_interviews(default: Dataset) -> None:
    # A demo profile writes referrals for completed records, so the figures survive the store.
    for interview in default.interviews:
        if interview.referrals:
            assert interview.is_completed
        if interview.is_completed and interview.risk_flags:
            assert {"police_information", "mace"} & set(interview.referrals)
