"""Completing, locking, amending and reopening an interview revision.

The lock: a revision is editable only while ``ReturnInterview.state`` is ``None`` (offers only)
or ``draft``, and only the current revision. ``completed``, ``synced``, ``approved`` and
``has_issues`` are locked: central holds exactly what was completed, so it is never changed in
place. Every mutating service in this package calls :func:`assert_editable` first, and so should
the wizard's autosave.

Amendment (``amend``) and review feedback (``reopen_for_review``) both make revision N+1 in
``draft``: answers, the safety plan (with its items) and referrals are **copied**; signatures are
**not** (a changed record must be signed again). The old revision's rows stay untouched and its
header (state, dates, late reason, outcomes text) is frozen in ``InterviewRevision``. Offers and
sessions are facts about the RHI rather than revision content: they carry the revision they were
recorded in, a later revision may add to them, and an older revision's record shows only its own.

``has_issues`` semantics (chosen): the flagged revision stays locked as central reviewed it;
``reopen_for_review`` turns it into a new draft revision whose ``amendment_reason`` is the
reviewer's comment. The state therefore goes ``has_issues`` (revision N) -> ``draft``
(revision N+1), never back to ``draft`` on the same revision.

``completed_at`` during an amendment keeps the previous revision's completion time until the
new revision is completed: the RHI *was* completed (the amendment corrects it), and lookups of
"pending" interviews that key off ``completed_at`` keep new episodes out of an amended RHI.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_core.domain import completion as rules
from rhi_core.domain.codes import InterviewState, OfferOutcome, SignatureRole
from rhi_core.domain.completion import CompletionProblem, FormProblemLike
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.offers import OfferFacts, Timeliness, is_declined, timeliness
from rhi_desktop.security import audit
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import (
    Answer,
    InterviewRevision,
    InterviewSession,
    OfferAttempt,
    Referral,
    ReturnInterview,
    ReviewFeedback,
    SafetyPlan,
    SafetyPlanItem,
    Signature,
)
from rhi_desktop.store.types import utcnow

from .children import ValidationFailed
from .interview_meta import fill_at_completion

EDITABLE_STATES: frozenset[str | None] = frozenset({None, InterviewState.DRAFT})
AMENDABLE_STATES: frozenset[str] = frozenset(
    {
        InterviewState.COMPLETED,
        InterviewState.SYNCED,
        InterviewState.APPROVED,
        InterviewState.HAS_ISSUES,
    }
)


class InterviewLocked(StoreError):
    """A write to a completed (or superseded) revision."""


class IncompleteInterview(ValidationFailed):
    """``complete`` refused: ``problems`` are CompletionProblems, each with a link target."""

    def __init__(self, problems: list[CompletionProblem]) -> None:
        super().__init__(problems)  # type: ignore[arg-type]  # same .field/.message shape
        self.problems = problems  # type: ignore[assignment]


# --- lookups and the lock -----------------------------------------------------------------------


def get_interview(session: Session, interview_id: str) -> ReturnInterview:
    interview = session.get(ReturnInterview, interview_id)
    if interview is None:
        raise ValidationFailed(
            [EpisodeProblem("interview", "That interview is not in this profile.")]
        )
    return interview


def assert_editable(
    session: Session, interview_id: str, revision: int | None = None
) -> ReturnInterview:
    """The interview, if ``revision`` (default: the current one) may still be written to.

    Raises InterviewLocked with a sentence the worker can act on otherwise.
    """
    interview = get_interview(session, interview_id)
    if revision is not None and revision != interview.revision:
        raise InterviewLocked(
            f"Revision {revision} of this interview is kept as it was completed and cannot be "
            f"changed; revision {interview.revision} is the current one."
        )
    if interview.state not in EDITABLE_STATES:
        if interview.state == InterviewState.HAS_ISSUES:
            raise InterviewLocked(
                "This interview came back from review with issues: reopen it to make a new "
                "revision, then make the changes there."
            )
        raise InterviewLocked(
            "This interview has been completed and is locked; make an amendment to change it."
        )
    return interview


def record_step(
    session: Session, interview: ReturnInterview, action: str, *, actor: str, **detail: Any
) -> None:
    """One audit event per step, in the caller's transaction. Details are ids and codes only,
    never names or free text (which may name the child)."""
    audit.record(
        session,
        actor=actor,
        action=action,
        entity="interview",
        entity_id=interview.id,
        detail={"revision": interview.revision, **detail},
    )


def touch(interview: ReturnInterview, now: datetime) -> None:
    interview.updated_at = now


# --- facts ---------------------------------------------------------------------------------------


def offers_for(session: Session, interview_id: str, revision: int) -> list[OfferAttempt]:
    return list(
        session.scalars(
            select(OfferAttempt)
            .where(OfferAttempt.interview_id == interview_id, OfferAttempt.revision <= revision)
            .order_by(OfferAttempt.at, OfferAttempt.id)
        )
    )


def sessions_for(session: Session, interview_id: str, revision: int) -> list[InterviewSession]:
    return list(
        session.scalars(
            select(InterviewSession)
            .where(
                InterviewSession.interview_id == interview_id,
                InterviewSession.revision <= revision,
            )
            .order_by(InterviewSession.started_at, InterviewSession.id)
        )
    )


def interview_timeliness(
    session: Session, interview: ReturnInterview, now: datetime, revision: int | None = None
) -> Timeliness:
    """The computed 72-hour flags of one revision (see ``domain.offers``)."""
    rev = interview.revision if revision is None else revision
    return timeliness(
        returns=[e.returned_at for e in interview.episodes],
        offers=[OfferFacts(o.at, o.outcome) for o in offers_for(session, interview.id, rev)],
        session_starts=[s.started_at for s in sessions_for(session, interview.id, rev)],
        now=now,
    )


def is_declined_path(session: Session, interview: ReturnInterview) -> bool:
    offers = offers_for(session, interview.id, interview.revision)
    n_sessions = len(sessions_for(session, interview.id, interview.revision))
    return is_declined([OfferFacts(o.at, o.outcome) for o in offers], n_sessions)


def _facts(session: Session, interview: ReturnInterview, now: datetime) -> rules.CompletionFacts:
    rev = interview.revision
    offers = offers_for(session, interview.id, rev)
    n_sessions = len(sessions_for(session, interview.id, rev))
    flags = interview_timeliness(session, interview, now)
    declines = [o for o in offers if o.outcome == OfferOutcome.DECLINED]
    last_decline = declines[-1] if declines else None
    worker_signed = session.scalar(
        select(func.count())
        .select_from(Signature)
        .where(
            Signature.interview_id == interview.id,
            Signature.revision == rev,
            Signature.role == SignatureRole.WORKER,
            Signature.png.is_not(None),
        )
    )
    return rules.CompletionFacts(
        has_returned_episode=any(e.returned_at for e in interview.episodes),
        session_count=n_sessions,
        declined=is_declined([OfferFacts(o.at, o.outcome) for o in offers], n_sessions),
        any_offer=bool(offers),
        held_within_72h=flags.held_within_72h,
        offered_within_72h=flags.offered_within_72h,
        late_reason=interview.late_reason,
        late_note=interview.late_note,
        latest_decline_id=last_decline.id if last_decline else None,
        declined_by=last_decline.declined_by if last_decline else None,
        decline_reason=last_decline.decline_reason if last_decline else None,
        decline_note=last_decline.decline_note if last_decline else None,
        has_worker_signature=bool(worker_signed),
    )


def completion_problems(
    session: Session,
    interview_id: str,
    form_problems: Iterable[FormProblemLike] = (),
    *,
    now: datetime | None = None,
) -> list[CompletionProblem]:
    """Everything the current revision still needs, each with a link target (``.target``).

    ``form_problems`` come from the form engine (objects with ``.question``, ``.section`` and
    ``.message``); they are ignored on the declined path, where the interview was not held.
    """
    interview = get_interview(session, interview_id)
    return rules.completion_problems(_facts(session, interview, now or utcnow()), form_problems)


# --- life cycle ----------------------------------------------------------------------------------


def complete(
    session: Session,
    interview_id: str,
    *,
    actor: str,
    now: datetime,
    form_problems: Iterable[FormProblemLike] = (),
) -> ReturnInterview:
    """Complete and lock the current revision, or raise IncompleteInterview with every gap."""
    interview = assert_editable(session, interview_id)
    form_problems = list(form_problems)
    problems = rules.completion_problems(_facts(session, interview, now), form_problems)
    if problems:
        raise IncompleteInterview(problems)
    declined = is_declined_path(session, interview)
    fill_at_completion(session, interview, now)  # the form's "end" (XLSForm metadata)
    interview.state = InterviewState.COMPLETED
    interview.completed_at = now
    interview.locked_at = now
    touch(interview, now)
    session.flush()
    record_step(
        session,
        interview,
        "interview.complete",
        actor=actor,
        path="declined" if declined else "held",
    )
    return interview


def amend(
    session: Session, interview_id: str, reason: str, *, actor: str, now: datetime
) -> ReturnInterview:
    """Start revision N+1 of a completed interview, to correct it (see the module docstring)."""
    interview = get_interview(session, interview_id)
    if interview.state not in AMENDABLE_STATES:
        raise InterviewLocked(
            "Only a completed interview can be amended; this one can still be edited directly."
        )
    if not reason.strip():
        raise ValidationFailed([EpisodeProblem("reason", "Say why the record is being amended.")])
    old, new = _new_revision(session, interview, reason.strip(), now)
    record_step(session, interview, "interview.amend", actor=actor, from_revision=old)
    assert interview.revision == new
    return interview


def reopen_for_review(
    session: Session,
    interview_id: str,
    comment: str | None = None,
    *,
    actor: str,
    now: datetime,
) -> ReturnInterview:
    """Central said "has issues": make revision N+1 in draft, the reviewer's comment (or the
    latest received feedback's) as its reason."""
    interview = get_interview(session, interview_id)
    if interview.state != InterviewState.HAS_ISSUES:
        raise InterviewLocked(
            "Only an interview that came back from review with issues can be reopened."
        )
    if not (comment or "").strip():
        comment = session.scalar(
            select(ReviewFeedback.comment)
            .where(
                ReviewFeedback.interview_id == interview.id,
                ReviewFeedback.revision == interview.revision,
            )
            .order_by(ReviewFeedback.reviewed_at.desc())
            .limit(1)
        )
    reason = f"Review: {(comment or '').strip() or 'returned with issues'}"
    old, _ = _new_revision(session, interview, reason, now)
    record_step(session, interview, "interview.reopen", actor=actor, from_revision=old)
    return interview


def _new_revision(
    session: Session, interview: ReturnInterview, reason: str, now: datetime
) -> tuple[int, int]:
    old = interview.revision
    new = old + 1
    session.add(
        InterviewRevision(
            interview_id=interview.id,
            revision=old,
            state=interview.state,
            form_id=interview.form_id,
            form_version=interview.form_version,
            held_at=interview.held_at,
            completed_at=interview.completed_at,
            locked_at=interview.locked_at,
            late_reason=interview.late_reason,
            late_note=interview.late_note,
            risk_flags=interview.risk_flags,
            analysis=interview.analysis,
            recommendations=interview.recommendations,
            shared_with_social_worker_on=interview.shared_with_social_worker_on,
            amendment_reason=interview.amendment_reason,
            superseded_at=now,
        )
    )
    for a in session.scalars(
        select(Answer).where(Answer.interview_id == interview.id, Answer.revision == old)
    ):
        session.add(
            Answer(
                interview_id=interview.id,
                revision=new,
                question=a.question,
                repeat_path=a.repeat_path,
                value=a.value,
                updated_at=now,
            )
        )
    plan = session.scalar(
        select(SafetyPlan).where(
            SafetyPlan.interview_id == interview.id, SafetyPlan.revision == old
        )
    )
    if plan is not None:
        copy = SafetyPlan(interview_id=interview.id, revision=new, review_date=plan.review_date)
        session.add(copy)
        for item in plan.items:
            copy.items.append(
                SafetyPlanItem(
                    kind=item.kind,
                    position=item.position,
                    name=item.name,
                    relationship_=item.relationship_,
                    phone=item.phone,
                    text=item.text,
                    who=item.who,
                    by_when=item.by_when,
                )
            )
    for r in session.scalars(
        select(Referral)
        .where(Referral.interview_id == interview.id, Referral.revision == old)
        .order_by(Referral.made_on, Referral.id)
    ):
        session.add(
            Referral(
                interview_id=interview.id, revision=new, kind=r.kind, made_on=r.made_on, note=r.note
            )
        )
    interview.revision = new
    interview.state = InterviewState.DRAFT
    interview.locked_at = None
    interview.amendment_reason = reason
    touch(interview, now)
    session.flush()
    return old, new
