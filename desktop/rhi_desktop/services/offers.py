"""Offers and consent: offer attempts, declines, the late reason and the episodes an RHI covers.

The 72-hour flags are computed (``timeliness_of``), never typed: see ``domain.offers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    InterviewState,
    LateReason,
    OfferMethod,
    OfferOutcome,
)
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.offers import Timeliness, validate_offer
from rhi_desktop.store.models import (
    MissingEpisode,
    OfferAttempt,
    ReturnInterview,
    interview_episode,
)

from .children import ValidationFailed
from .completion import (
    assert_editable,
    get_interview,
    interview_timeliness,
    record_step,
    sessions_for,
    touch,
)

__all__ = [
    "OfferInput",
    "ValidationFailed",
    "link_episode",
    "record_offer",
    "remove_offer",
    "set_late_reason",
    "timeliness_of",
    "unlink_episode",
    "update_offer",
]


@dataclass(frozen=True)
class OfferInput:
    at: datetime | None
    method: OfferMethod | str | None
    outcome: OfferOutcome | str | None
    by_whom: str | None = None  # None: the worker recording it
    declined_by: DeclinedBy | str | None = None
    decline_reason: DeclineReason | str | None = None
    decline_note: str | None = None
    carer_shared: str | None = None  # what a carer shared when the child would not talk


def _earliest_return(interview: ReturnInterview) -> datetime | None:
    returns = [e.returned_at for e in interview.episodes if e.returned_at]
    return min(returns) if returns else None


def _validate(interview: ReturnInterview, data: OfferInput, actor: str, now: datetime) -> None:
    problems = validate_offer(
        at=data.at,
        method=data.method,
        outcome=data.outcome,
        by_whom=data.by_whom or actor,
        declined_by=data.declined_by,
        decline_reason=data.decline_reason,
        decline_note=data.decline_note,
        earliest_return=_earliest_return(interview),
        now=now,
    )
    if problems:
        raise ValidationFailed(problems)


def _apply(offer: OfferAttempt, data: OfferInput, actor: str) -> None:
    assert data.at is not None and data.method is not None and data.outcome is not None
    declined = data.outcome == OfferOutcome.DECLINED
    offer.at = data.at
    offer.method = OfferMethod(data.method)
    offer.outcome = OfferOutcome(data.outcome)
    offer.by_whom = (data.by_whom or actor).strip()
    offer.declined_by = DeclinedBy(data.declined_by) if declined and data.declined_by else None
    offer.decline_reason = (
        DeclineReason(data.decline_reason) if declined and data.decline_reason else None
    )
    offer.decline_note = (data.decline_note or "").strip() or None
    offer.carer_shared = (data.carer_shared or "").strip() or None


def _check_sessions_follow_acceptance(session: Session, interview: ReturnInterview) -> None:
    """Changing or removing an offer must not leave a session before the first acceptance."""
    starts = [s.started_at for s in sessions_for(session, interview.id, interview.revision)]
    if not starts:
        return
    session.flush()
    session.expire(interview, ["offers"])
    accepted = [o.at for o in interview.offers if o.outcome == OfferOutcome.ACCEPTED]
    if not accepted or min(accepted) > min(starts):
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "outcome",
                    "A session is already recorded, so the offer the child accepted before it "
                    "must stay.",
                )
            ]
        )


def record_offer(
    session: Session, interview_id: str, data: OfferInput, *, actor: str, now: datetime
) -> OfferAttempt:
    """Record one offer attempt (accepted, declined or no contact)."""
    interview = assert_editable(session, interview_id)
    _validate(interview, data, actor, now)
    offer = OfferAttempt(interview_id=interview.id, revision=interview.revision)
    _apply(offer, data, actor)
    session.add(offer)
    touch(interview, now)
    session.flush()
    session.expire(interview, ["offers"])
    record_step(
        session,
        interview,
        "offer.record",
        actor=actor,
        offer_id=offer.id,
        method=offer.method,
        outcome=offer.outcome,
        declined_by=offer.declined_by,
        decline_reason=offer.decline_reason,
    )
    return offer


def _own_offer(session: Session, offer_id: str) -> tuple[ReturnInterview, OfferAttempt]:
    offer = session.get(OfferAttempt, offer_id)
    if offer is None:
        raise ValidationFailed([EpisodeProblem("offer", "That offer is not in this profile.")])
    interview = assert_editable(session, offer.interview_id)
    if offer.revision != interview.revision:
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "offer",
                    "This offer belongs to a completed revision and stays as recorded; "
                    "record a new attempt instead.",
                )
            ]
        )
    return interview, offer


def update_offer(
    session: Session, offer_id: str, data: OfferInput, *, actor: str, now: datetime
) -> OfferAttempt:
    interview, offer = _own_offer(session, offer_id)
    _validate(interview, data, actor, now)
    _apply(offer, data, actor)
    _check_sessions_follow_acceptance(session, interview)
    touch(interview, now)
    record_step(
        session, interview, "offer.update", actor=actor, offer_id=offer.id, outcome=offer.outcome
    )
    return offer


def remove_offer(session: Session, offer_id: str, *, actor: str, now: datetime) -> None:
    interview, offer = _own_offer(session, offer_id)
    session.delete(offer)
    _check_sessions_follow_acceptance(session, interview)
    touch(interview, now)
    record_step(session, interview, "offer.remove", actor=actor, offer_id=offer_id)


def set_late_reason(
    session: Session,
    interview_id: str,
    reason: LateReason | str | None,
    note: str | None = None,
    *,
    actor: str,
    now: datetime,
) -> ReturnInterview:
    """Why the RHI was late (needed to complete once the 72-hour window was missed)."""
    interview = assert_editable(session, interview_id)
    problems = []
    if reason is not None and reason not in {r.value for r in LateReason}:
        problems.append(EpisodeProblem("late_reason", "Choose why it was late from the list."))
    elif reason == LateReason.OTHER and not (note or "").strip():
        problems.append(EpisodeProblem("late_note", "Describe the reason, as 'Other' was chosen."))
    if problems:
        raise ValidationFailed(problems)
    interview.late_reason = LateReason(reason) if reason else None
    interview.late_note = (note or "").strip() or None
    touch(interview, now)
    record_step(session, interview, "interview.late_reason", actor=actor, late_reason=reason)
    return interview


def timeliness_of(session: Session, interview_id: str, now: datetime) -> Timeliness:
    """The computed 72-hour flags of the current revision."""
    return interview_timeliness(session, get_interview(session, interview_id), now)


# --- episodes covered ----------------------------------------------------------------------------


def link_episode(
    session: Session, interview_id: str, episode_id: str, *, actor: str, now: datetime
) -> ReturnInterview:
    """Add an episode to the RHI: the same child's, returned, and not in another completed RHI.

    Coverage is fixed once a revision has been completed (an amendment cannot move the 72-hour
    clock of a completed record); a later episode belongs to a new RHI.
    """
    interview = _coverage_editable(session, interview_id)
    episode = session.get(MissingEpisode, episode_id)
    problems = []
    if episode is None or episode.child_id != interview.child_id:
        problems.append(EpisodeProblem("episodes", "That episode is not this child's."))
    elif episode.returned_at is None:
        problems.append(
            EpisodeProblem("episodes", "The child has not returned from that episode yet.")
        )
    elif episode in interview.episodes:
        problems.append(EpisodeProblem("episodes", "That episode is already covered."))
    else:
        other = session.scalar(
            select(ReturnInterview.id)
            .join(interview_episode, interview_episode.c.interview_id == ReturnInterview.id)
            .where(
                interview_episode.c.episode_id == episode_id,
                ReturnInterview.id != interview.id,
                ReturnInterview.completed_at.is_not(None),
            )
        )
        if other is not None:
            problems.append(
                EpisodeProblem("episodes", "Another completed interview already covers it.")
            )
    if problems:
        raise ValidationFailed(problems)
    assert episode is not None
    # Taken from any pending (not completed) RHI: one episode is covered by one interview.
    session.execute(interview_episode.delete().where(interview_episode.c.episode_id == episode_id))
    session.expire(interview, ["episodes"])
    interview.episodes.append(episode)
    touch(interview, now)
    session.flush()
    record_step(session, interview, "interview.link_episode", actor=actor, episode_id=episode_id)
    return interview


def unlink_episode(
    session: Session, interview_id: str, episode_id: str, *, actor: str, now: datetime
) -> ReturnInterview:
    interview = _coverage_editable(session, interview_id)
    episode = next((e for e in interview.episodes if e.id == episode_id), None)
    if episode is None:
        raise ValidationFailed(
            [EpisodeProblem("episodes", "That episode is not covered by this interview.")]
        )
    remaining = [e for e in interview.episodes if e.id != episode_id]
    if not remaining:
        raise ValidationFailed(
            [EpisodeProblem("episodes", "An interview must cover at least one episode.")]
        )
    earliest = min((e.returned_at for e in remaining if e.returned_at), default=None)
    held = [s.started_at for s in sessions_for(session, interview.id, interview.revision)]
    if earliest is not None and any(t < earliest for t in [o.at for o in interview.offers] + held):
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "episodes",
                    "An offer or session happened before the other episodes' returns, so "
                    "this episode must stay.",
                )
            ]
        )
    interview.episodes.remove(episode)
    touch(interview, now)
    session.flush()
    record_step(session, interview, "interview.unlink_episode", actor=actor, episode_id=episode_id)
    return interview


def _coverage_editable(session: Session, interview_id: str) -> ReturnInterview:
    interview = assert_editable(session, interview_id)
    if interview.revision > 1 or interview.state not in (None, InterviewState.DRAFT):
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "episodes",
                    "The episodes an amended interview covers stay as they were completed.",
                )
            ]
        )
    return interview
