"""A tiny builder for hand-made datasets: every figure test states its records explicitly.

Imported as unit.reports.reports_builders (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    InterviewState,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskGrade,
    Sex,
)
from rhi_core.reports.records import (
    ChildRecord,
    Dataset,
    EpisodeRecord,
    InterviewRecord,
    OfferRecord,
)


def at(day: str, hour: float = 12.0) -> datetime:
    """'2025-03-04' at `hour` o'clock UTC."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour)


@dataclass
class Builder:
    children: list[ChildRecord] = field(default_factory=list)
    episodes: list[EpisodeRecord] = field(default_factory=list)
    interviews: list[InterviewRecord] = field(default_factory=list)
    offers: list[OfferRecord] = field(default_factory=list)

    def child(
        self,
        name: str,
        *,
        looked_after: bool = False,
        uasc: bool = False,
        out_of_area: bool = False,
        dob: date = date(2010, 5, 1),
    ) -> str:
        cid = f"child-{name}"
        self.children.append(
            ChildRecord(
                id=cid,
                local_id=f"C{100000 + len(self.children)}",
                first_name=name,
                last_name="Test",
                dob=dob,
                sex=Sex.FEMALE,
                ethnicity="White: Irish",
                looked_after=looked_after,
                uasc=uasc,
                out_of_area=out_of_area,
                placement_type=None,
                placing_authority=None,
                social_worker=None,
                preferred_language="en",
                interpreter_needed=False,
            )
        )
        return cid

    def episode(
        self,
        child_id: str,
        started: datetime,
        returned: datetime | None,
        category: EpisodeCategory = EpisodeCategory.MISSING,
    ) -> str:
        eid = f"ep-{len(self.episodes) + 1}"
        self.episodes.append(
            EpisodeRecord(
                id=eid,
                child_id=child_id,
                category=category,
                started_at=started,
                returned_at=returned,
                where_found=None,
                found_by=None,
                police_reference=None,
                risk_grade=RiskGrade.MEDIUM,
            )
        )
        return eid

    def interview(
        self,
        child_id: str,
        episode_ids: tuple[str, ...],
        *,
        state: InterviewState | None = None,
        held_at: datetime | None = None,
        risk_flags: tuple[str, ...] = (),
        referrals: tuple[ReferralKind, ...] = (),
    ) -> str:
        iid = f"rhi-{len(self.interviews) + 1}"
        self.interviews.append(
            InterviewRecord(
                id=iid,
                child_id=child_id,
                episode_ids=episode_ids,
                state=state,
                created_at=datetime(2020, 1, 1, tzinfo=UTC),
                held_at=held_at,
                completed_at=held_at + timedelta(hours=2) if held_at and state else None,
                risk_flags=risk_flags,
                referrals=referrals,
                worker="W",
            )
        )
        return iid

    def offer(
        self,
        interview_id: str,
        when: datetime,
        outcome: OfferOutcome,
        declined_by: DeclinedBy | None = None,
        reason: DeclineReason | None = None,
    ) -> None:
        self.offers.append(
            OfferRecord(
                id=f"offer-{len(self.offers) + 1}",
                interview_id=interview_id,
                at=when,
                method=OfferMethod.PHONE,
                outcome=outcome,
                by_whom="W",
                declined_by=declined_by,
                decline_reason=reason,
            )
        )

    def build(self) -> Dataset:
        return Dataset(
            children=tuple(self.children),
            episodes=tuple(self.episodes),
            interviews=tuple(self.interviews),
            offers=tuple(self.offers),
        )
