"""SSDA903 Missing table, its validation problems, Ofsted Annex A List 8 and the daily report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from unit.reports.reports_builders import Builder, at

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    InterviewState,
    OfferOutcome,
)
from rhi_core.reports.annex_a import annex_a_list8
from rhi_core.reports.daily import ESCALATION_5_DAYS, ESCALATION_72H, daily_missing
from rhi_core.reports.ssda903 import ssda903_missing, ssda903_problems


def test_ssda903_rows_clip_to_the_collection_year() -> None:
    b = Builder()
    x = b.child("X", looked_after=True, dob=date(2010, 5, 1))
    b.episode(x, at("2025-03-01"), at("2025-03-02"))  # before April 2025: left out
    b.episode(x, at("2025-03-30", 10), at("2025-04-02", 9))  # overlaps the start: in
    b.episode(x, at("2025-10-10", 8), at("2025-10-11", 1), EpisodeCategory.AWAY)
    # 20:00 UTC on 31 March 2026 is 21:00 BST: in the year; its end is after it: blank.
    b.episode(x, at("2026-03-31", 20), at("2026-04-02"))
    z = b.child("Z", looked_after=True, dob=date(2011, 1, 2))
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April: a UK date in the year.
    b.episode(z, datetime(2025, 3, 31, 23, 30, tzinfo=UTC), datetime(2025, 4, 1, 5, tzinfo=UTC))
    b.episode(z, at("2025-12-01"), None)  # still missing: blank end
    not_in_care = b.child("Y")
    b.episode(not_in_care, at("2025-06-01"), at("2025-06-02"))
    rows = [r.as_dict() for r in ssda903_missing(b.build(), 2026)]
    assert rows == [
        {"CHILD": "C100000", "DOB": "01/05/2010", "MISSING": "M", "MIS_START": "30/03/2025", "MIS_END": "02/04/2025"},
        {"CHILD": "C100000", "DOB": "01/05/2010", "MISSING": "A", "MIS_START": "10/10/2025", "MIS_END": "11/10/2025"},
        {"CHILD": "C100000", "DOB": "01/05/2010", "MISSING": "M", "MIS_START": "31/03/2026", "MIS_END": ""},
        {"CHILD": "C100001", "DOB": "02/01/2011", "MISSING": "M", "MIS_START": "01/04/2025", "MIS_END": "01/04/2025"},
        {"CHILD": "C100001", "DOB": "02/01/2011", "MISSING": "M", "MIS_START": "01/12/2025", "MIS_END": ""},
    ]  # fmt: skip


def test_ssda903_problems_name_the_child_and_the_rule() -> None:
    b = Builder()
    p = b.child("P", looked_after=True)
    backwards = b.episode(p, at("2025-06-01"), at("2025-05-31"))
    q = b.child("Q", looked_after=True)
    b.episode(q, at("2025-07-01"), None)
    while_open = b.episode(q, at("2025-08-01"), at("2025-08-02"))
    r = b.child("R", looked_after=True)
    b.episode(r, at("2025-09-01"), at("2025-09-20"))
    b.episode(r, at("2025-09-05"), at("2025-09-06"))
    spanned = b.episode(r, at("2025-09-10"), at("2025-09-11"))  # inside the first one too
    s = b.child("S", looked_after=True, dob=date(2025, 10, 1))
    unborn = b.episode(s, at("2025-09-01"), at("2025-09-02"))
    fine = b.child("T", looked_after=True)
    b.episode(fine, at("2025-09-01"), at("2025-09-02"))
    b.episode(fine, at("2025-09-02", 13), at("2025-09-03"))
    problems = [(x.local_id, x.episode_id, x.reason) for x in ssda903_problems(b.build(), 2026)]
    assert problems == [
        ("C100000", backwards, "Missing end date is before the start date"),
        ("C100001", while_open, "A new episode starts while an earlier one is still open"),
        ("C100002", "ep-5", "Episode overlaps an earlier episode"),
        ("C100002", spanned, "Episode overlaps an earlier episode"),
        ("C100003", unborn, "Missing start date is before the child's date of birth"),
        ("C100003", unborn, "Missing end date is before the child's date of birth"),
    ]


def test_annex_a_list8_offered_and_accepted_after_the_last_episode() -> None:
    now = at("2026-01-10")
    b = Builder()
    # Yes / Yes; the 2024 episode is outside the 12 months.
    a = b.child("A", looked_after=True)
    b.episode(a, at("2024-11-01"), at("2024-11-02"))
    b.episode(a, at("2025-05-01"), at("2025-05-02"), EpisodeCategory.AWAY)
    last = b.episode(a, at("2025-12-01"), at("2025-12-02"))
    rhi = b.interview(a, (last,), state=InterviewState.APPROVED, held_at=at("2025-12-03"))
    b.offer(rhi, at("2025-12-02", 14), OfferOutcome.ACCEPTED)
    # Returned 5 days ago, nothing offered: No / Unknown.
    c = b.child("C")
    ep = b.episode(c, now - timedelta(days=6), now - timedelta(days=5))
    b.interview(c, (ep,))
    # Returned 10 hours ago, not offered yet: Unknown / Unknown.
    d = b.child("D")
    b.episode(d, now - timedelta(hours=20), now - timedelta(hours=10))
    # Declined: Yes / No.
    e = b.child("E")
    ep = b.episode(e, at("2025-12-20"), at("2025-12-21"))
    rhi = b.interview(e, (ep,))
    b.offer(rhi, at("2025-12-22"), OfferOutcome.DECLINED, DeclinedBy.CHILD, DeclineReason.OTHER)
    # Declined then accepted: Yes / Yes.
    f = b.child("F")
    ep = b.episode(f, at("2025-12-20"), at("2025-12-21"))
    rhi = b.interview(f, (ep,))
    b.offer(rhi, at("2025-12-22"), OfferOutcome.DECLINED, DeclinedBy.CHILD, DeclineReason.OTHER)
    b.offer(rhi, at("2025-12-23"), OfferOutcome.ACCEPTED)
    # Still missing: Unknown / Unknown. Only a "no contact" attempt, 8 days on: not an offer, so
    # No / Unknown (a letter nobody answered is not an offer).
    b.episode(b.child("G"), now - timedelta(days=2), None)
    h = b.child("H")
    ep = b.episode(h, at("2026-01-01"), at("2026-01-02"))
    rhi = b.interview(h, (ep,))
    b.offer(rhi, at("2026-01-03"), OfferOutcome.NO_CONTACT)
    # Accepted, then declined: the decline stood: Yes / No.
    k = b.child("K")
    ep = b.episode(k, at("2025-12-20"), at("2025-12-21"))
    rhi = b.interview(k, (ep,))
    b.offer(rhi, at("2025-12-22"), OfferOutcome.ACCEPTED)
    b.offer(rhi, at("2025-12-23"), OfferOutcome.DECLINED, DeclinedBy.CHILD, DeclineReason.OTHER)
    b.episode(b.child("Old"), at("2024-06-01"), at("2024-06-02"))  # no episode in 12 months
    rows = annex_a_list8(b.build(), now)
    got = [
        (r.child_id, r.missing_episodes, r.absent_episodes, r.offered_rhi_after_last, r.accepted_rhi_after_last)
        for r in rows
    ]  # fmt: skip
    assert got == [
        ("C100000", 1, 1, "Yes", "Yes"),
        ("C100001", 1, 0, "No", "Unknown"),
        ("C100002", 1, 0, "Unknown", "Unknown"),
        ("C100003", 1, 0, "Yes", "No"),
        ("C100004", 1, 0, "Yes", "Yes"),
        ("C100005", 1, 0, "Unknown", "Unknown"),
        ("C100006", 1, 0, "No", "Unknown"),
        ("C100007", 1, 0, "Yes", "No"),
    ]
    assert rows[0].age == 15 and rows[0].sex == "Female" and rows[0].looked_after


def test_daily_missing_lists_open_episodes_longest_first_with_escalations() -> None:
    now = at("2025-08-10")
    b = Builder()
    b.episode(b.child("Hours"), now - timedelta(hours=10), None)
    b.episode(b.child("Three"), now - timedelta(hours=72), None)
    b.episode(b.child("Six"), now - timedelta(days=6), None)
    b.episode(b.child("Back"), now - timedelta(days=2), now - timedelta(hours=1))
    b.episode(b.child("Later"), now + timedelta(hours=1), None)
    rows = daily_missing(b.build(), now)
    assert [(r.name, r.hours_missing) for r in rows] == [
        ("Six Test", 144.0),
        ("Three Test", 72.0),
        ("Hours Test", 10.0),
    ]
    assert rows[0].escalations == (ESCALATION_72H, ESCALATION_5_DAYS)
    assert rows[1].escalations == (ESCALATION_72H,) and rows[1].past_72h and not rows[1].past_5_days
    assert rows[2].escalations == ()
    assert ESCALATION_72H == (
        "Flag on the daily missing report; Missing Lead to consider a strategy meeting"
    )
