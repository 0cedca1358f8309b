"""Opening a child's RHI from the caseload, and the read model of the RHI-level screens.

``start_or_resume`` starts a *new* interview whenever the latest one is no longer a draft, which
is right for a new return but wrong for a worker who wants to look at a completed record: that
record must open as it was completed (read-only), with "amend" as the way to change it. This
module decides between the two, and reads everything the offer / session / safety plan /
outcomes / signatures / review screens show in one go, off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain import completion as rules
from rhi_core.domain.codes import InterviewState, ReferralKind
from rhi_core.domain.completion import CompletionProblem
from rhi_core.domain.referrals import suggested_referrals
from rhi_core.forms.labels import text_in
from rhi_core.forms.schema import FormDefinition
from rhi_desktop.security import audit
from rhi_desktop.store.models import MissingEpisode, ReturnInterview, interview_episode

from .completion import (
    AMENDABLE_STATES,
    completion_facts,
    flag_label,
    form_state,
    get_interview,
)
from .interview_flow import review_note, start_or_resume
from .record_view import EpisodeView, RecordView, load_record

__all__ = [
    "FlagView",
    "RecordSnapshot",
    "linkable_episodes",
    "load_snapshot",
    "open_for_child",
]

# States that open read-only from the caseload ("View record").
VIEWABLE_STATES: frozenset[str] = frozenset(
    {InterviewState.COMPLETED, InterviewState.SYNCED, InterviewState.APPROVED}
)


@dataclass(frozen=True)
class FlagView:
    """A raised risk flag as the record screens show it, with what was done about it."""

    code: str
    label: str
    prompts: tuple[str, ...]
    reasons: tuple[str, ...]  # the answers that raised it
    suggested: tuple[str, ...]  # referral kinds that act on it (none: no referral asked for)
    made: tuple[str, ...]  # those recorded
    reason_not: str | None  # the worker's reason for making none
    error: str | None = None

    @property
    def needs_answer(self) -> bool:
        return bool(self.suggested) and not self.made and not self.reason_not

    def suggested_labels(self) -> list[str]:
        return [ReferralKind(k).label for k in self.suggested]


@dataclass(frozen=True)
class RecordSnapshot:
    """What the RHI-level screens show: the record, the episodes that could still be linked,
    everything completion still needs (form problems included) and the raised risk flags."""

    record: RecordView
    linkable: tuple[EpisodeView, ...]
    problems: tuple[CompletionProblem, ...]
    flags: tuple[FlagView, ...] = ()
    review_note: str | None = None  # sent back with issues: the comment, who and when

    @property
    def locked(self) -> bool:
        return self.record.state in AMENDABLE_STATES


def _has_uncovered_return(session: Session, interview: ReturnInterview) -> bool:
    """A return after the record's own, covered by no interview: it is owed a new RHI."""
    covered = [e.returned_at for e in interview.episodes if e.returned_at]
    latest = max(covered) if covered else None
    linked = select(interview_episode.c.episode_id)
    query = select(MissingEpisode.id).where(
        MissingEpisode.child_id == interview.child_id,
        MissingEpisode.returned_at.is_not(None),
        MissingEpisode.id.not_in(linked),
    )
    if latest is not None:
        query = query.where(MissingEpisode.returned_at > latest)
    return session.scalar(query.limit(1)) is not None


def open_for_child(
    session: Session, child_id: str, form: FormDefinition, *, actor: str, now: datetime
) -> str:
    """The interview to open for a child: their completed record (read-only, unless a newer
    return needs a new interview), else whatever ``start_or_resume`` starts or resumes."""
    latest = session.scalars(
        select(ReturnInterview)
        .where(ReturnInterview.child_id == child_id)
        .order_by(ReturnInterview.created_at.desc())
    ).first()
    if (
        latest is not None
        and latest.state in VIEWABLE_STATES
        and latest.form_id is not None
        and not _has_uncovered_return(session, latest)
    ):
        audit.record(
            session,
            actor=actor,
            action="interview.view",
            entity="interview",
            entity_id=latest.id,
            detail={"revision": latest.revision},
        )
        return latest.id
    return start_or_resume(session, child_id, form, actor=actor, now=now)


def linkable_episodes(session: Session, interview_id: str) -> list[EpisodeView]:
    """The child's returned episodes this RHI could also cover (none covered elsewhere by a
    completed interview; ``offers.link_episode`` has the final word)."""
    interview = get_interview(session, interview_id)
    covered = {e.id for e in interview.episodes}
    completed_cover = (
        select(interview_episode.c.episode_id)
        .join(ReturnInterview, ReturnInterview.id == interview_episode.c.interview_id)
        .where(ReturnInterview.completed_at.is_not(None))
    )
    rows = session.scalars(
        select(MissingEpisode)
        .where(
            MissingEpisode.child_id == interview.child_id,
            MissingEpisode.returned_at.is_not(None),
            MissingEpisode.id.not_in(completed_cover),
        )
        .order_by(MissingEpisode.started_at.desc())
    )
    return [
        EpisodeView(
            id=e.id,
            category=e.category,
            started_at=e.started_at,
            returned_at=e.returned_at,
            where_found=e.where_found,
            found_by=e.found_by,
            police_reference=e.police_reference,
            risk_grade=e.risk_grade,
        )
        for e in rows
        if e.id not in covered
    ]


def load_snapshot(session: Session, interview_id: str, *, now: datetime) -> RecordSnapshot:
    """The current revision as the RHI screens need it (a read: nothing is written). The
    questionnaire's gaps and flags are read from the stored answers."""
    record = load_record(session, interview_id, now=now)
    interview = get_interview(session, interview_id)
    locked = record.state in AMENDABLE_STATES
    # A completed record reads as it was when completed (a today() must not change it).
    state = form_state(
        session, interview, record.completed_at if locked and record.completed_at else now
    )
    facts = completion_facts(session, interview, now, state)
    responses = {r.code: r for r in facts.flag_responses}
    made_kinds = {r.kind for r in record.referrals}
    flags = []
    for f in state.flags:
        response = responses.get(f.code)
        flags.append(
            FlagView(
                code=f.code,
                label=flag_label(f, state.form),
                prompts=tuple(text_in(p, state.form, None) for p in f.prompts if state.form),
                reasons=f.reasons,
                suggested=suggested_referrals(f.code),
                made=tuple(k for k in suggested_referrals(f.code) if k in made_kinds),
                reason_not=response.reason_not if response else None,
                error=f.error,
            )
        )
    return RecordSnapshot(
        record=record,
        linkable=() if locked else tuple(linkable_episodes(session, interview_id)),
        problems=() if locked else tuple(rules.completion_problems(facts, state.problems)),
        flags=tuple(flags),
        review_note=review_note(session, interview),
    )
