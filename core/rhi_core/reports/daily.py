"""The daily missing report: children missing right now and the escalation each needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rhi_core.domain.codes import EpisodeCategory, RiskGrade
from rhi_core.domain.deadlines import LONG_MISSING, VERY_LONG_MISSING
from rhi_core.reports.figures import open_episodes
from rhi_core.reports.records import Dataset

# Wording from the seed council's practice (section 6 and 7 of its report).
ESCALATION_72H = "Flag on the daily missing report; Missing Lead to consider a strategy meeting"
ESCALATION_5_DAYS = "Update report to Head of Service and Director"


@dataclass(frozen=True, slots=True)
class MissingNow:
    child_id: str
    local_id: str
    name: str
    episode_id: str
    category: EpisodeCategory
    risk_grade: RiskGrade
    police_reference: str | None
    started_at: datetime
    hours_missing: float  # 1 decimal
    past_72h: bool  # missing 72 hours or longer
    past_5_days: bool  # missing beyond five days
    escalations: tuple[str, ...]


def daily_missing(dataset: Dataset, now: datetime) -> list[MissingNow]:
    """Children missing at `now`, longest missing first."""
    rows = []
    for episode in open_episodes(dataset, now):
        child = dataset.child(episode.child_id)
        missing_for = now - episode.started_at
        past_72h = missing_for >= LONG_MISSING
        past_5_days = missing_for > VERY_LONG_MISSING
        escalations = tuple(
            text
            for text, due in ((ESCALATION_72H, past_72h), (ESCALATION_5_DAYS, past_5_days))
            if due
        )
        rows.append(
            MissingNow(
                child_id=child.id,
                local_id=child.local_id,
                name=child.full_name,
                episode_id=episode.id,
                category=episode.category,
                risk_grade=episode.risk_grade,
                police_reference=episode.police_reference,
                started_at=episode.started_at,
                hours_missing=round(missing_for.total_seconds() / 3600, 1),
                past_72h=past_72h,
                past_5_days=past_5_days,
                escalations=escalations,
            )
        )
    return sorted(rows, key=lambda r: (r.started_at, r.episode_id))
