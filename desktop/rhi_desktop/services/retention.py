"""Retention: interviews central holds and has approved leave the laptop after the retention
period central sets. Data minimisation: a lost laptop then carries as little as possible.

Only an interview whose every revision central confirmed (no outbox row in any other state)
and whose current revision central approved is ever purged. The interview's header row stays,
stripped of free text, so the caseload still knows the RHI was done and does not ask for it
again; answers, safety plans, signatures, referrals, offers, sessions, superseded headers and
review comments go. One audit event records the ids (never names).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_desktop.security import audit
from rhi_desktop.store.models import (
    Answer,
    Attachment,
    InterviewRevision,
    InterviewSession,
    OfferAttempt,
    OutboxItem,
    Referral,
    ReturnInterview,
    ReviewFeedback,
    SafetyPlan,
    SafetyPlanItem,
    Signature,
)
from rhi_desktop.sync import outbox


def delete_interview_content(session: Session, interview_id: str) -> None:
    """Every revision's content of one interview (the header row is the caller's business)."""
    plan_ids = select(SafetyPlan.id).where(SafetyPlan.interview_id == interview_id)
    session.execute(delete(SafetyPlanItem).where(SafetyPlanItem.plan_id.in_(plan_ids)))
    for model in (
        SafetyPlan,
        Answer,
        Attachment,
        Signature,
        Referral,
        OfferAttempt,
        InterviewSession,
        InterviewRevision,
        ReviewFeedback,
        OutboxItem,
    ):
        column = model.entity_id if model is OutboxItem else model.interview_id
        session.execute(delete(model).where(column == interview_id))


def purgeable(session: Session, now: datetime, retention_days: int) -> list[str]:
    """Approved, wholly confirmed interviews whose approval is older than the retention."""
    cutoff = now - timedelta(days=retention_days)
    approved_at = (
        select(ReviewFeedback.interview_id, func.max(ReviewFeedback.reviewed_at).label("at"))
        .where(ReviewFeedback.verdict == "approved")
        .group_by(ReviewFeedback.interview_id)
        .subquery()
    )
    unconfirmed = select(OutboxItem.entity_id).where(OutboxItem.state != outbox.CONFIRMED)
    confirmed = select(OutboxItem.entity_id).where(OutboxItem.state == outbox.CONFIRMED)
    rows = session.execute(
        select(ReturnInterview.id)
        .join(approved_at, approved_at.c.interview_id == ReturnInterview.id)
        .where(
            ReturnInterview.state == InterviewState.APPROVED,
            approved_at.c.at <= cutoff,
            ReturnInterview.id.in_(confirmed),
            ReturnInterview.id.not_in(unconfirmed),
        )
        .order_by(ReturnInterview.id)
    )
    return list(rows.scalars())


def purge(session: Session, now: datetime, retention_days: int, actor: str) -> list[str]:
    """Purge what :func:`purgeable` names; returns the interview ids."""
    ids = purgeable(session, now, retention_days)
    for interview_id in ids:
        delete_interview_content(session, interview_id)
        header = session.get(ReturnInterview, interview_id)
        assert header is not None
        header.analysis = None
        header.recommendations = None
        header.late_note = None
        header.amendment_reason = None
        header.current_section = None
    if ids:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="sync.purge",
            detail={"interviews": ids, "retention_days": retention_days},
        )
    return ids
