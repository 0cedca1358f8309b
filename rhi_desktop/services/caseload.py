"""The worker's caseload: one row per child, with the 72-hour clock and the RHI status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_desktop.domain.codes import InterviewState, OfferOutcome, RhiStatus
from rhi_desktop.domain.deadlines import Deadline, rhi_deadline
from rhi_desktop.domain.episodes import age_on
from rhi_desktop.store.models import (
    Child,
    MissingEpisode,
    OfferAttempt,
    ReturnInterview,
)

REPEAT_THRESHOLD = 3  # episodes in 30 days: some councils call a strategy meeting


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    id: str
    category: str
    started_at: datetime
    returned_at: datetime | None
    where_found: str | None
    police_reference: str | None
    risk_grade: str


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    child_id: str
    local_id: str
    name: str
    dob: date
    looked_after: bool
    uasc: bool
    out_of_area: bool
    returned_at: datetime | None  # latest return; None if never returned or still missing
    missing_since: datetime | None  # set while the child is missing now
    rhi_status: RhiStatus
    interview_id: str | None
    episodes_30d: int
    episodes_12m: int
    risk_flags: tuple[str, ...]

    def age(self, today: date) -> int:
        return age_on(self.dob, today)

    @property
    def clock_running(self) -> bool:
        """The 72-hour clock runs until the interview is held, declined or done."""
        return (
            self.returned_at is not None
            and self.missing_since is None
            and self.rhi_status in (RhiStatus.NOT_OFFERED, RhiStatus.OFFERED, RhiStatus.DRAFT)
        )

    def deadline(self, now: datetime) -> Deadline | None:
        """The running 72-hour clock, or None once the interview is done or the window lapsed."""
        if not self.clock_running or self.returned_at is None:
            return None
        deadline = rhi_deadline(self.returned_at, now)
        return None if deadline.lapsed else deadline

    @property
    def repeat_flag(self) -> bool:
        return self.episodes_30d >= REPEAT_THRESHOLD


def rhi_status(state: str | None, outcomes: list[str], held: bool = True) -> RhiStatus:
    """The caseload status from the interview's state and its offer outcomes (oldest first).

    A record completed without any session after a decline is shown as declined: the decline
    is what the worker needs to see, not that the paperwork is done."""
    if state is not None and not held and outcomes and outcomes[-1] == OfferOutcome.DECLINED:
        return RhiStatus.DECLINED
    if state in (InterviewState.DRAFT, InterviewState.HAS_ISSUES):
        return RhiStatus.DRAFT
    if state == InterviewState.COMPLETED:
        return RhiStatus.COMPLETED
    if state in (InterviewState.SYNCED, InterviewState.APPROVED):
        return RhiStatus.SYNCED
    if not outcomes:
        return RhiStatus.NOT_OFFERED
    if OfferOutcome.ACCEPTED in outcomes:
        return RhiStatus.OFFERED
    if outcomes[-1] == OfferOutcome.DECLINED:
        return RhiStatus.DECLINED
    return RhiStatus.OFFERED


def load_caseload(session: Session, now: datetime) -> list[CaseloadRow]:
    """All children in the profile, built from four column queries (no ORM objects: fast)."""
    year_ago = now - timedelta(days=365)
    month_ago = now - timedelta(days=30)

    episodes: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for child_id, started, returned in session.execute(
        select(MissingEpisode.child_id, MissingEpisode.started_at, MissingEpisode.returned_at)
    ):
        episodes[child_id].append((started, returned))

    outcomes: dict[str, list[str]] = defaultdict(list)
    for interview_id, outcome in session.execute(
        select(OfferAttempt.interview_id, OfferAttempt.outcome).order_by(OfferAttempt.at)
    ):
        outcomes[interview_id].append(outcome)

    latest: dict[str, tuple[str, str | None, list[str] | None, bool]] = {}
    for iid, child_id, state, flags, held_at in session.execute(
        select(
            ReturnInterview.id,
            ReturnInterview.child_id,
            ReturnInterview.state,
            ReturnInterview.risk_flags,
            ReturnInterview.held_at,
        ).order_by(ReturnInterview.created_at)
    ):
        latest[child_id] = (iid, state, flags, held_at is not None)

    rows: list[CaseloadRow] = []
    for c in session.execute(
        select(
            Child.id,
            Child.local_id,
            Child.first_name,
            Child.last_name,
            Child.dob,
            Child.looked_after,
            Child.uasc,
            Child.out_of_area,
        )
    ):
        eps = episodes.get(c.id, [])
        open_eps = [s for s, r in eps if r is None]
        returns = [r for _, r in eps if r is not None]
        interview = latest.get(c.id)
        iid, state, flags, held = interview if interview else (None, None, None, True)
        rows.append(
            CaseloadRow(
                child_id=c.id,
                local_id=c.local_id,
                name=f"{c.first_name} {c.last_name}",
                dob=c.dob,
                looked_after=c.looked_after,
                uasc=c.uasc,
                out_of_area=c.out_of_area,
                returned_at=max(returns) if returns else None,
                missing_since=max(open_eps) if open_eps else None,
                rhi_status=rhi_status(state, outcomes.get(iid, []) if iid else [], held),
                interview_id=iid,
                episodes_30d=sum(1 for s, _ in eps if s >= month_ago),
                episodes_12m=sum(1 for s, _ in eps if s >= year_ago),
                risk_flags=tuple(flags or ()),
            )
        )
    return rows


def child_episodes(session: Session, child_id: str) -> list[EpisodeRow]:
    result = session.execute(
        select(
            MissingEpisode.id,
            MissingEpisode.category,
            MissingEpisode.started_at,
            MissingEpisode.returned_at,
            MissingEpisode.where_found,
            MissingEpisode.police_reference,
            MissingEpisode.risk_grade,
        )
        .where(MissingEpisode.child_id == child_id)
        .order_by(MissingEpisode.started_at.desc())
    )
    return [EpisodeRow(*r) for r in result]
