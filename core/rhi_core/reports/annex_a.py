"""Ofsted Annex A, List 8 (children who have been missing or absent), one row per child.

Rows cover the 12 months before `now`. "Offered a return interview after the last episode" and
"accepted" use the same rules as the figures and the interview services (figures.is_offered /
is_accepted / is_declined, see docs/figures.md):
- offered: Yes if an interview covering the last episode was offered (an attempt reached the child
  or carer, or it was held or started; a "no contact" attempt is not an offer); No if the child
  returned more than 72 hours ago with no offer; Unknown while the child is still missing or the
  72 hours have not run out.
- accepted: Yes if accepted (held or started, or the latest attempt accepted: "declined then
  accepted" is Yes); No if on the declined path (nothing held and the latest attempt a decline:
  "accepted then declined" is No); Unknown otherwise (not offered, or undecided).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rhi_core.domain.codes import EpisodeCategory
from rhi_core.domain.deadlines import RHI_WINDOW
from rhi_core.domain.episodes import age_on
from rhi_core.reports.figures import is_accepted, is_declined, is_offered
from rhi_core.reports.period import Period, uk_date
from rhi_core.reports.records import Dataset

YES, NO, UNKNOWN = "Yes", "No", "Unknown"


@dataclass(frozen=True, slots=True)
class AnnexAList8Row:
    child_id: str  # the council's case number (local_id)
    sex: str
    ethnicity: str
    age: int  # at `now`
    looked_after: bool
    missing_episodes: int  # category M in the last 12 months
    absent_episodes: int  # category A (away without authorisation)
    offered_rhi_after_last: str  # Yes / No / Unknown
    accepted_rhi_after_last: str  # Yes / No / Unknown


def annex_a_list8(dataset: Dataset, now: datetime) -> list[AnnexAList8Row]:
    """Children with an episode overlapping the 12 months before `now`, by case number."""
    window = Period(now - timedelta(days=365), now)
    rows = []
    for child in sorted(dataset.children, key=lambda c: c.local_id):
        episodes = [
            e for e in dataset.episodes_of(child.id) if window.overlaps(e.started_at, e.returned_at)
        ]
        if not episodes:
            continue
        last = episodes[-1]
        interviews = dataset.interviews_covering(last.id)
        if any(is_offered(dataset, i) for i in interviews):
            offered = YES
        elif last.returned_at is not None and now - last.returned_at > RHI_WINDOW:
            offered = NO
        else:
            offered = UNKNOWN
        if any(is_accepted(dataset, i) for i in interviews):
            accepted = YES
        elif any(is_declined(dataset, i) for i in interviews):
            accepted = NO
        else:
            accepted = UNKNOWN
        rows.append(
            AnnexAList8Row(
                child_id=child.local_id,
                sex=child.sex.label,
                ethnicity=child.ethnicity,
                age=age_on(child.dob, uk_date(now)),
                looked_after=child.looked_after,
                missing_episodes=sum(e.category is EpisodeCategory.MISSING for e in episodes),
                absent_episodes=sum(e.category is EpisodeCategory.AWAY for e in episodes),
                offered_rhi_after_last=offered,
                accepted_rhi_after_last=accepted,
            )
        )
    return rows
