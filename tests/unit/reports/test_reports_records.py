from __future__ import annotations

from datetime import datetime

import pytest
from unit.reports.reports_builders import Builder, at

from rhi_core.domain.codes import EpisodeCategory, InterviewState, OfferOutcome, RiskGrade
from rhi_core.reports.records import Dataset, EpisodeRecord


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        EpisodeRecord(
            id="e",
            child_id="c",
            category=EpisodeCategory.MISSING,
            started_at=datetime(2025, 1, 1),
            returned_at=None,
            where_found=None,
            found_by=None,
            police_reference=None,
            risk_grade=RiskGrade.LOW,
        )


def test_dataset_indexes() -> None:
    b = Builder()
    c = b.child("A")
    late = b.episode(c, at("2025-03-01"), at("2025-03-02"))
    early = b.episode(c, at("2025-01-01"), at("2025-01-02"))
    rhi = b.interview(c, (early, late, "not-in-dataset"), state=InterviewState.DRAFT)
    b.offer(rhi, at("2025-03-04"), OfferOutcome.ACCEPTED)
    b.offer(rhi, at("2025-03-03"), OfferOutcome.NO_CONTACT)
    ds = b.build()
    assert [e.id for e in ds.episodes_of(c)] == [early, late]
    assert [o.outcome for o in ds.offers_for(rhi)] == [
        OfferOutcome.NO_CONTACT,
        OfferOutcome.ACCEPTED,
    ]
    assert [i.id for i in ds.interviews_covering(late)] == [rhi]
    assert [e.id for e in ds.covered_episodes(ds.interview(rhi))] == [early, late]
    assert ds.child(c).full_name == "A Test"
    assert ds.episodes_of("nobody") == ()
    assert ds.interviews_of(c)[0].is_completed is False


def test_dataset_accepts_lists_and_compares_by_content() -> None:
    b = Builder()
    b.child("A")
    one = Dataset(children=list(b.children))
    assert isinstance(one.children, tuple)
    assert one == Dataset(children=tuple(b.children))
