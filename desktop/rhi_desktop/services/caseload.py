"""The worker's caseload: one row per child, with the 72-hour clock and the RHI status."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState, OfferOutcome, RhiStatus
from rhi_core.domain.deadlines import Deadline, rhi_deadline
from rhi_core.domain.episodes import age_on
from rhi_desktop.security import audit
from rhi_desktop.store.models import (
    MissingEpisode,
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
    """The caseload status from the interview's state and its offer outcomes (oldest first)."""
    return status_from(
        state,
        any_accepted=OfferOutcome.ACCEPTED in outcomes,
        last_outcome=outcomes[-1] if outcomes else None,
        held=held,
    )


def status_from(
    state: str | None, *, any_accepted: bool, last_outcome: str | None, held: bool = True
) -> RhiStatus:
    """A record completed without any session after a decline is shown as declined: the
    decline is what the worker needs to see, not that the paperwork is done."""
    if state is not None and not held and last_outcome == OfferOutcome.DECLINED:
        return RhiStatus.DECLINED
    if state == InterviewState.HAS_ISSUES:
        return RhiStatus.RETURNED  # the reviewer sent it back: the worker must act
    if state == InterviewState.DRAFT:
        return RhiStatus.DRAFT
    if state == InterviewState.COMPLETED:
        return RhiStatus.COMPLETED
    if state in (InterviewState.SYNCED, InterviewState.APPROVED):
        return RhiStatus.SYNCED
    if last_outcome is None:
        return RhiStatus.NOT_OFFERED
    if any_accepted:
        return RhiStatus.OFFERED
    if last_outcome == OfferOutcome.DECLINED:
        return RhiStatus.DECLINED
    return RhiStatus.OFFERED


# One aggregate query: SQLite groups 20,000 episodes faster than Python can build rows for
# them, and the caseload is on the path to the first paint.
_CASELOAD_SQL = """
WITH ep AS (
    SELECT child_id,
           MAX(returned_at) AS last_return,
           MAX(CASE WHEN returned_at IS NULL THEN started_at END) AS missing_since,
           SUM(started_at >= ?) AS n30,
           SUM(started_at >= ?) AS n12
    FROM missing_episode GROUP BY child_id
),
li AS (
    SELECT id, child_id, state, risk_flags, held_at,
           (SELECT MAX(e.returned_at) FROM interview_episode ie
            JOIN missing_episode e ON e.id = ie.episode_id
            WHERE ie.interview_id = ranked.id) AS covered_return
    FROM (
        SELECT id, child_id, state, risk_flags, held_at,
               ROW_NUMBER() OVER (PARTITION BY child_id ORDER BY created_at DESC) AS rn
        FROM return_interview
    ) AS ranked WHERE rn = 1
),
lo AS (
    SELECT o.interview_id,
           MAX(o.outcome = 'accepted') AS any_accepted,
           (SELECT o2.outcome FROM offer_attempt o2 WHERE o2.interview_id = o.interview_id
            ORDER BY o2.at DESC LIMIT 1) AS last_outcome
    FROM offer_attempt o JOIN li ON li.id = o.interview_id
    GROUP BY o.interview_id
)
SELECT c.id, c.local_id, c.first_name, c.last_name, c.dob, c.looked_after, c.uasc,
       c.out_of_area, ep.last_return, ep.missing_since, ep.n30, ep.n12,
       li.id, li.state, li.risk_flags, li.held_at, lo.any_accepted, lo.last_outcome,
       li.covered_return
FROM child c
LEFT JOIN ep ON ep.child_id = c.id
LEFT JOIN li ON li.child_id = c.id
LEFT JOIN lo ON lo.interview_id = li.id
"""


def _sql_time(value: datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime stores (naive UTC), so string order is time order.
    return f"{value.astimezone(UTC).replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}"


def _from_sql_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def load_caseload(session: Session, now: datetime) -> list[CaseloadRow]:
    """All children in the profile, one row each, from one aggregate query."""
    params = (_sql_time(now - timedelta(days=30)), _sql_time(now - timedelta(days=365)))
    result = session.connection().exec_driver_sql(_CASELOAD_SQL, params)
    rows: list[CaseloadRow] = []
    for (
        child_id, local_id, first, last, dob, looked_after, uasc, out_of_area,
        last_return, missing_since, n30, n12,
        iid, state, flags, held_at, any_accepted, last_outcome, covered_return,
    ) in result:  # fmt: skip
        if last_return is not None and (covered_return is None or last_return > covered_return):
            # A return no interview covers yet (e.g. an episode that arrived by sync): a new
            # RHI is due and its 72-hour clock runs, whatever happened to the last one.
            iid, state, flags, held_at, any_accepted, last_outcome = (
                None, None, None, None, None, None,
            )  # fmt: skip
        rows.append(
            CaseloadRow(
                child_id=child_id,
                local_id=local_id,
                name=f"{first} {last}",
                dob=date.fromisoformat(dob),
                looked_after=bool(looked_after),
                uasc=bool(uasc),
                out_of_area=bool(out_of_area),
                returned_at=_from_sql_time(last_return),
                missing_since=_from_sql_time(missing_since),
                rhi_status=status_from(
                    state,
                    any_accepted=bool(any_accepted),
                    last_outcome=last_outcome,
                    held=held_at is not None,
                ),
                interview_id=iid,
                episodes_30d=n30 or 0,
                episodes_12m=n12 or 0,
                risk_flags=tuple(json.loads(flags)) if flags else (),
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


def view_child(session: Session, child_id: str, *, actor: str) -> list[EpisodeRow]:
    """A worker opened a child's panel: the episodes, and the access in the audit trail
    (looking at a child's record is an access the trail must show)."""
    audit.record(session, actor=actor, action="child.view", entity="child", entity_id=child_id)
    return child_episodes(session, child_id)
