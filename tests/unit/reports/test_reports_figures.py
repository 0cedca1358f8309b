"""Every figure pinned on small hand-built datasets (the definitions are in docs/figures.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from unit.reports.reports_builders import Builder, at

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    InterviewState,
    OfferOutcome,
    ReferralKind,
    RiskFlag,
)
from rhi_core.reports import figures
from rhi_core.reports.figures import Ratio, compute_kpis
from rhi_core.reports.period import as_period

Y_FROM, Y_TO = date(2025, 1, 1), date(2025, 12, 31)
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def scenario() -> Builder:
    """Six children missing in 2025 covering the awkward cases."""
    b = Builder()
    a = b.child("A", looked_after=True)
    # Spans the start of the year: offered/completed in 2025 (return), counts as missing in 2025.
    ep1 = b.episode(a, at("2024-12-30"), at("2025-01-02"))
    b.episode(a, at("2024-12-20"), at("2024-12-22"))  # all in 2024: ignored
    r1 = b.interview(a, (ep1,), state=InterviewState.APPROVED, held_at=at("2025-01-03"))
    b.offer(r1, at("2025-01-02", 14), OfferOutcome.ACCEPTED)
    # One RHI covers two episodes; declined then accepted; held late.
    bb = b.child("B", looked_after=True, uasc=True)
    ep3 = b.episode(bb, at("2025-03-01", 10), at("2025-03-01", 20))
    ep4 = b.episode(bb, at("2025-03-02", 12), at("2025-03-02", 18))
    r2 = b.interview(bb, (ep3, ep4), state=InterviewState.COMPLETED, held_at=at("2025-03-06"))
    b.offer(r2, at("2025-03-03"), OfferOutcome.DECLINED, DeclinedBy.CHILD, DeclineReason.OTHER)
    b.offer(r2, at("2025-03-04"), OfferOutcome.ACCEPTED)
    # Never offered.
    c = b.child("C")
    ep5 = b.episode(c, at("2025-06-01"), at("2025-06-02"))
    b.interview(c, (ep5,))
    # Declined twice; the parent's later refusal is the one that stood.
    d = b.child("D", out_of_area=True)
    ep6 = b.episode(d, at("2025-07-01", 8), at("2025-07-01", 22))
    r4 = b.interview(d, (ep6,))
    b.offer(
        r4, at("2025-07-02"), OfferOutcome.DECLINED, DeclinedBy.CHILD, DeclineReason.MISSING_AGAIN
    )
    b.offer(
        r4,
        at("2025-07-03"),
        OfferOutcome.DECLINED,
        DeclinedBy.PARENT_CARER,
        DeclineReason.FAMILY_REFUSED,
    )
    # Still missing.
    e = b.child("E")
    b.episode(e, at("2025-12-30"), None)
    # Returns after the year ends: missing in 2025, but its offer counts in 2026.
    f = b.child("F")
    b.episode(f, at("2025-12-31", 20), at("2026-01-01", 2))
    return b


def test_offer_rate_counts_episodes_by_return_and_both_episodes_of_a_shared_rhi() -> None:
    ds = scenario().build()
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(4, 5)
    assert figures.offer_rate(ds, Y_FROM, Y_TO).percent == 80.0
    # The 2024 episode is judged in 2024 (and was not offered); the spanning one is not.
    assert figures.offer_rate(ds, date(2024, 1, 1), date(2024, 12, 31)) == Ratio(0, 1)


def test_completion_counts_a_two_episode_rhi_once() -> None:
    ds = scenario().build()
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(2, 3)
    assert figures.completion_rate(ds, Y_FROM, Y_TO).percent == 66.7


def test_within_72h_is_measured_from_the_latest_covered_return() -> None:
    ds = scenario().build()
    # A: held 1 day after return. B: 3 days 18 hours after the second return: late.
    assert figures.within_72h_rate(ds, Y_FROM, Y_TO) == Ratio(1, 2)


def test_within_72h_boundary_is_inclusive() -> None:
    b = Builder()
    c = b.child("X")
    ep = b.episode(c, at("2025-05-01"), at("2025-05-02"))
    b.interview(c, (ep,), state=InterviewState.SYNCED, held_at=at("2025-05-05"))  # exactly 72 h
    ep2 = b.episode(c, at("2025-06-01"), at("2025-06-02"))
    late = at("2025-06-05") + timedelta(minutes=1)
    b.interview(c, (ep2,), state=InterviewState.HAS_ISSUES, held_at=late)
    assert figures.within_72h_rate(b.build(), Y_FROM, Y_TO) == Ratio(1, 2)


def test_declined_then_accepted_is_not_a_decline() -> None:
    ds = scenario().build()
    refused = figures.declines(ds, Y_FROM, Y_TO)
    assert refused.total == 1
    assert refused.by_who == {DeclinedBy.CHILD: 0, DeclinedBy.PARENT_CARER: 1}
    assert refused.by_reason[DeclineReason.FAMILY_REFUSED] == 1
    assert sum(refused.by_reason.values()) == 1


def test_draft_started_without_a_recorded_offer_still_counts_as_offered() -> None:
    b = Builder()
    c = b.child("X")
    ep = b.episode(c, at("2025-05-01"), at("2025-05-02"))
    b.interview(c, (ep,), state=InterviewState.DRAFT, held_at=at("2025-05-03"))
    ds = b.build()
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(0, 1)


def test_children_and_episodes_count_by_overlap() -> None:
    ds = scenario().build()
    assert figures.children_missing(ds, Y_FROM, Y_TO) == 6
    assert figures.episodes_in_period(ds, Y_FROM, Y_TO) == 7
    assert figures.episodes_per_child(ds, Y_FROM, Y_TO) == 1.17
    assert figures.in_care(ds, Y_FROM, Y_TO) == Ratio(2, 6)
    assert figures.uasc(ds, Y_FROM, Y_TO) == Ratio(1, 6)
    assert figures.out_of_area(ds, Y_FROM, Y_TO) == Ratio(1, 6)
    assert figures.top_n_share(ds, Y_FROM, Y_TO, n=1) == Ratio(2, 7)
    assert figures.top_n_share(ds, Y_FROM, Y_TO).percent == 100.0
    # 2026 so far: the child still missing and the one who returned on New Year's Day.
    assert figures.children_missing(ds, date(2026, 1, 1), date(2026, 1, 4)) == 2


def test_date_period_uses_uk_days() -> None:
    # 00:30 BST on 1 April is 23:30 UTC on 31 March: it belongs to April.
    p = as_period(date(2025, 4, 1), date(2025, 4, 1))
    assert p.start == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)
    assert p.end == datetime(2025, 4, 1, 23, 0, tzinfo=UTC)
    b = Builder()
    c = b.child("X")
    b.episode(c, datetime(2025, 3, 31, 23, 30, tzinfo=UTC), datetime(2025, 4, 1, 2, tzinfo=UTC))
    ds = b.build()
    assert figures.offer_rate(ds, date(2025, 4, 1), date(2025, 4, 30)) == Ratio(0, 1)
    assert figures.offer_rate(ds, date(2025, 3, 1), date(2025, 3, 31)) == Ratio(0, 0)


def test_datetime_periods_exclude_their_end_and_mixed_types_are_refused() -> None:
    b = Builder()
    c = b.child("X")
    b.episode(c, at("2025-05-01"), at("2025-05-02"))
    ds = b.build()
    assert figures.offer_rate(ds, at("2025-05-01"), at("2025-05-02")).denominator == 0
    assert figures.offer_rate(ds, at("2025-05-02"), at("2025-05-03")).denominator == 1
    with pytest.raises(TypeError):
        as_period(date(2025, 1, 1), at("2025-05-02"))


def test_empty_ratio_is_zero_percent() -> None:
    assert Ratio(0, 0).percent == 0.0
    assert figures.completion_rate(Builder().build(), Y_FROM, Y_TO) == Ratio(0, 0)


def test_three_or_more_episodes_within_30_days() -> None:
    b = Builder()
    yes = b.child("Yes")
    for day in ("2025-01-10", "2025-01-20", "2025-02-09"):  # third is exactly 30 days later
        b.episode(yes, at(day), at(day, 18))
    no = b.child("No")
    for day in ("2025-01-10", "2025-01-25", "2025-02-10"):  # 31 days
        b.episode(no, at(day), at(day, 18))
    two = b.child("Two")
    for day in ("2025-01-10", "2025-01-11"):
        b.episode(two, at(day), at(day, 18))
    assert figures.children_3plus_in_30_days(b.build(), Y_FROM, Y_TO) == 1


def test_open_past_72h_and_5_days_at_an_instant() -> None:
    now = at("2025-08-10")
    b = Builder()
    c = b.child("X")
    b.episode(c, now - timedelta(hours=72), None)  # exactly 72 h: flagged
    b.episode(b.child("Y"), now - timedelta(hours=71, minutes=59), None)
    b.episode(b.child("Z"), now - timedelta(days=5), None)  # 5 days: not yet "beyond"
    b.episode(b.child("W"), now - timedelta(days=5, minutes=1), None)
    # Returned after `now`: still open at `now` (reports can be run for a past instant).
    b.episode(b.child("V"), now - timedelta(days=6), now + timedelta(hours=1))
    b.episode(b.child("U"), now - timedelta(days=9), now - timedelta(days=1))  # back: not open
    ds = b.build()
    assert figures.open_past_72h(ds, now) == 4
    assert figures.open_past_5_days(ds, now) == 2


def test_exploitation_shares_use_interviews_covering_episodes_in_the_period() -> None:
    b = Builder()
    a = b.child("A")
    ep = b.episode(a, at("2025-02-01"), at("2025-02-02"))
    b.interview(
        a,
        (ep,),
        state=InterviewState.APPROVED,
        held_at=at("2025-02-03"),
        risk_flags=(RiskFlag.CSE, RiskFlag.CCE),
        referrals=(ReferralKind.MACE,),
    )
    c = b.child("C")
    ep = b.episode(c, at("2025-03-01"), at("2025-03-02"))
    b.interview(c, (ep,), state=InterviewState.DRAFT, held_at=at("2025-03-03"), risk_flags=("cce",))
    d = b.child("D")
    b.episode(d, at("2025-04-01"), at("2025-04-02"))
    old = b.episode(d, at("2024-04-01"), at("2024-04-02"))  # flagged, but last year
    b.interview(
        d, (old,), state=InterviewState.APPROVED, held_at=at("2024-04-03"), risk_flags=("cse",)
    )
    b.episode(b.child("E"), at("2025-05-01"), None)
    ds = b.build()
    assert figures.cse_share(ds, Y_FROM, Y_TO) == Ratio(1, 4)
    assert figures.cce_share(ds, Y_FROM, Y_TO) == Ratio(2, 4)
    assert figures.mace_share(ds, Y_FROM, Y_TO) == Ratio(1, 4)
    assert figures.cse_share(ds, date(2024, 1, 1), date(2024, 12, 31)) == Ratio(1, 1)


def test_compute_kpis_names_and_values() -> None:
    ds = scenario().build()
    kpis = compute_kpis(ds, Y_FROM, Y_TO, NOW)
    expected = {
        "offer_rate": 80.0,
        "episodes_offered": 4,
        "episodes_ended": 5,
        "completion_rate": 66.7,
        "rhis_completed": 2,
        "rhis_offered": 3,
        "within_72h_rate": 50.0,
        "rhis_within_72h": 1,
        "rhis_declined": 1,
        "declined_by_child": 0,
        "declined_by_parent_carer": 1,
        "declined_reason_family_refused": 1,
        "declined_reason_other": 0,
        "children_missing": 6,
        "episodes": 7,
        "episodes_per_child": 1.17,
        "in_care_share": 33.3,
        "children_in_care": 2,
        "children_not_in_care": 4,
        "out_of_area_share": 16.7,
        "uasc_share": 16.7,
        "top_n_share": 100.0,
        "top_n": 20,
        "children_3plus_in_30_days": 0,
        "open_past_72h": 1,  # E, missing since 30 December
        "open_past_5_days": 1,
        "cse_share": 0.0,
        "cce_share": 0.0,
        "mace_share": 0.0,
    }
    assert {k: kpis[k] for k in expected} == expected
    assert all(isinstance(v, int | float) for v in kpis.values())


# --- One definition everywhere: the interview services' offer / decline rules ------------------


def _one_rhi(*attempts: tuple[OfferOutcome, str], held: str | None = None, state=None):
    """A child, one episode returned 2025-05-02, one interview with these attempts."""
    b = Builder()
    c = b.child("X")
    ep = b.episode(c, at("2025-05-01"), at("2025-05-02"))
    rhi = b.interview(c, (ep,), state=state, held_at=at(held) if held else None)
    for n, (outcome, day) in enumerate(attempts):
        declined = outcome is OfferOutcome.DECLINED
        b.offer(
            rhi,
            at(day, 9 + n),
            outcome,
            DeclinedBy.PARENT_CARER if declined else None,
            DeclineReason.FAMILY_REFUSED if declined else None,
        )
    return b.build()


def test_no_contact_attempt_alone_is_not_an_offer() -> None:
    ds = _one_rhi((OfferOutcome.NO_CONTACT, "2025-05-02"), (OfferOutcome.NO_CONTACT, "2025-05-03"))
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(0, 1)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(0, 0)
    assert figures.declines(ds, Y_FROM, Y_TO).total == 0
    interview = ds.interviews[0]
    assert not figures.is_offered(ds, interview)
    assert not figures.is_accepted(ds, interview)
    assert not figures.is_declined(ds, interview)


def test_no_contact_then_declined_is_offered_and_declined() -> None:
    ds = _one_rhi((OfferOutcome.NO_CONTACT, "2025-05-02"), (OfferOutcome.DECLINED, "2025-05-03"))
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(0, 1)
    assert figures.declines(ds, Y_FROM, Y_TO).total == 1


def test_accepted_then_declined_is_a_decline_by_the_latest_attempt() -> None:
    ds = _one_rhi((OfferOutcome.ACCEPTED, "2025-05-02"), (OfferOutcome.DECLINED, "2025-05-03"))
    interview = ds.interviews[0]
    assert figures.is_offered(ds, interview)
    assert figures.is_declined(ds, interview)
    assert not figures.is_accepted(ds, interview)
    refused = figures.declines(ds, Y_FROM, Y_TO)
    assert refused.total == 1
    assert refused.by_who[DeclinedBy.PARENT_CARER] == 1
    assert refused.by_reason[DeclineReason.FAMILY_REFUSED] == 1


def test_declined_then_accepted_is_accepted_and_not_a_decline() -> None:
    ds = _one_rhi((OfferOutcome.DECLINED, "2025-05-02"), (OfferOutcome.ACCEPTED, "2025-05-03"))
    interview = ds.interviews[0]
    assert figures.is_accepted(ds, interview) and not figures.is_declined(ds, interview)
    assert figures.declines(ds, Y_FROM, Y_TO).total == 0
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)


def test_accepted_then_no_contact_is_offered_but_undecided() -> None:
    ds = _one_rhi((OfferOutcome.ACCEPTED, "2025-05-02"), (OfferOutcome.NO_CONTACT, "2025-05-03"))
    interview = ds.interviews[0]
    assert figures.is_offered(ds, interview)
    assert not figures.is_accepted(ds, interview) and not figures.is_declined(ds, interview)
    # A decline followed by "no contact" is not the declined path either (as the services say).
    ds = _one_rhi((OfferOutcome.DECLINED, "2025-05-02"), (OfferOutcome.NO_CONTACT, "2025-05-03"))
    assert figures.declines(ds, Y_FROM, Y_TO).total == 0
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)


def test_a_completed_decline_is_a_decline_not_a_completed_rhi() -> None:
    # The services let a worker complete the record of a refusal: no session, state completed.
    ds = _one_rhi((OfferOutcome.DECLINED, "2025-05-03"), state=InterviewState.COMPLETED)
    interview = ds.interviews[0]
    assert interview.is_completed and figures.is_declined(ds, interview)
    assert not figures.is_completed_rhi(ds, interview)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(0, 1)
    assert figures.within_72h_rate(ds, Y_FROM, Y_TO) == Ratio(0, 0)
    assert figures.declines(ds, Y_FROM, Y_TO).total == 1


def test_held_after_a_decline_is_accepted_and_completed() -> None:
    ds = _one_rhi(
        (OfferOutcome.DECLINED, "2025-05-02"),
        held="2025-05-03",
        state=InterviewState.APPROVED,
    )
    interview = ds.interviews[0]
    assert figures.is_accepted(ds, interview) and not figures.is_declined(ds, interview)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)
    assert figures.within_72h_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)


def test_figures_agree_with_the_interview_services_rules() -> None:
    """figures.is_declined is domain.offers.is_declined on every short attempt history."""
    from itertools import product

    from rhi_core.domain.offers import OfferFacts, is_declined

    outcomes = list(OfferOutcome)
    for n in range(4):
        for history in product(outcomes, repeat=n):
            for held in (None, "2025-05-06"):
                attempts = [(o, f"2025-05-0{2 + k}") for k, o in enumerate(history)]
                ds = _one_rhi(*attempts, held=held)
                facts = [OfferFacts(o.at, o.outcome) for o in ds.offers]
                expected = is_declined(facts, 1 if held else 0)
                assert figures.is_declined(ds, ds.interviews[0]) is expected, (history, held)
                answered = {OfferOutcome.ACCEPTED, OfferOutcome.DECLINED}
                offered = bool(held) or any(o in answered for o in history)
                assert figures.is_offered(ds, ds.interviews[0]) is offered, (history, held)


def test_rhi_covering_two_episodes_across_the_period_boundary() -> None:
    b = Builder()
    c = b.child("X")
    # First episode ends in 2024, second in 2025; one interview covers both.
    ep1 = b.episode(c, at("2024-12-30"), at("2024-12-31"))
    ep2 = b.episode(c, at("2025-01-01", 2), at("2025-01-01", 20))
    rhi = b.interview(c, (ep1, ep2), state=InterviewState.SYNCED, held_at=at("2025-01-03"))
    b.offer(rhi, at("2025-01-02"), OfferOutcome.ACCEPTED)
    ds = b.build()
    # Each episode is judged in the year it ended; the interview in the year of its latest return.
    assert figures.offer_rate(ds, date(2024, 1, 1), date(2024, 12, 31)) == Ratio(1, 1)
    assert figures.offer_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)
    assert figures.completion_rate(ds, date(2024, 1, 1), date(2024, 12, 31)) == Ratio(0, 0)
    assert figures.completion_rate(ds, Y_FROM, Y_TO) == Ratio(1, 1)
    assert figures.episodes_in_period(ds, Y_FROM, Y_TO) == 1
