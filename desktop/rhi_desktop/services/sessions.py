"""Interview sessions: one RHI may take several.

The first session is when the interview was *held*: it sets ``ReturnInterview.held_at`` (kept
equal to the earliest session's start as sessions change) and moves the state from ``None``
(offers only) to ``draft``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState, OfferOutcome, SessionPresent
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.offers import validate_session
from rhi_desktop.store.models import InterviewSession, ReturnInterview

from .children import ValidationFailed
from .completion import assert_editable, offers_for, record_step, sessions_for, touch

__all__ = ["SessionInput", "record_session", "remove_session", "update_session"]


@dataclass(frozen=True)
class SessionInput:
    started_at: datetime | None
    duration_minutes: int | None
    place: str | None
    present: Sequence[SessionPresent | str] = field(default_factory=tuple)
    time_alone: bool | None = None
    confidentiality_explained: bool | None = None


def _validate(
    session: Session,
    interview: ReturnInterview,
    data: SessionInput,
    now: datetime,
) -> None:
    returns = [e.returned_at for e in interview.episodes if e.returned_at]
    accepted = [
        o.at
        for o in offers_for(session, interview.id, interview.revision)
        if o.outcome == OfferOutcome.ACCEPTED
    ]
    problems = validate_session(
        started_at=data.started_at,
        duration_minutes=data.duration_minutes,
        place=data.place,
        present=[str(p) for p in data.present],
        time_alone=data.time_alone,
        confidentiality_explained=data.confidentiality_explained,
        earliest_return=min(returns) if returns else None,
        first_accepted_offer=min(accepted) if accepted else None,
        now=now,
    )
    if problems:
        raise ValidationFailed(problems)


def _apply(row: InterviewSession, data: SessionInput) -> None:
    assert data.started_at is not None and data.place is not None
    row.started_at = data.started_at
    row.duration_minutes = data.duration_minutes
    row.place = data.place.strip()
    # Stored in the code list's order so the same people always read the same way.
    order = list(SessionPresent)
    row.present = sorted(
        {str(p) for p in data.present}, key=lambda p: order.index(SessionPresent(p))
    )
    row.time_alone = data.time_alone
    row.confidentiality_explained = data.confidentiality_explained


def _sync_held_at(session: Session, interview: ReturnInterview) -> None:
    session.flush()
    starts = [s.started_at for s in sessions_for(session, interview.id, interview.revision)]
    interview.held_at = min(starts) if starts else None


def record_session(
    session: Session, interview_id: str, data: SessionInput, *, actor: str, now: datetime
) -> InterviewSession:
    interview = assert_editable(session, interview_id)
    _validate(session, interview, data, now)
    row = InterviewSession(interview_id=interview.id, revision=interview.revision)
    _apply(row, data)
    session.add(row)
    first = interview.state is None
    if first:
        interview.state = InterviewState.DRAFT
    _sync_held_at(session, interview)
    touch(interview, now)
    record_step(
        session,
        interview,
        "session.record",
        actor=actor,
        session_id=row.id,
        present=row.present,
        time_alone=row.time_alone,
        started_interview=first,
    )
    return row


def _own_session(session: Session, session_id: str) -> tuple[ReturnInterview, InterviewSession]:
    row = session.get(InterviewSession, session_id)
    if row is None:
        raise ValidationFailed([EpisodeProblem("session", "That session is not in this profile.")])
    interview = assert_editable(session, row.interview_id)
    if row.revision != interview.revision:
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "session",
                    "This session belongs to a completed revision and stays as recorded.",
                )
            ]
        )
    return interview, row


def update_session(
    session: Session, session_id: str, data: SessionInput, *, actor: str, now: datetime
) -> InterviewSession:
    interview, row = _own_session(session, session_id)
    _validate(session, interview, data, now)
    _apply(row, data)
    _sync_held_at(session, interview)
    touch(interview, now)
    record_step(session, interview, "session.update", actor=actor, session_id=row.id)
    return row


def remove_session(session: Session, session_id: str, *, actor: str, now: datetime) -> None:
    """Remove a session recorded in error. The interview stays a draft (its answers remain)."""
    interview, row = _own_session(session, session_id)
    session.delete(row)
    _sync_held_at(session, interview)
    touch(interview, now)
    record_step(session, interview, "session.remove", actor=actor, session_id=session_id)
