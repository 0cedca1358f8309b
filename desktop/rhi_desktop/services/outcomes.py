"""Outcomes of an interview revision: referrals (each with a date), the worker's analysis and
recommendations, and the date the report was shared with the child's social worker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import ReferralKind
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.referrals import REFERRALS_FOR_FLAG
from rhi_desktop.store.models import AuditEvent, Referral, ReturnInterview

from .children import ValidationFailed
from .completion import assert_editable, record_step, touch

__all__ = [
    "OutcomesInput",
    "ReferralInput",
    "add_referral",
    "referrals_for",
    "remove_referral",
    "replace_referrals",
    "save_outcomes",
    "set_flag_decision",
    "set_outcomes",
    "update_referral",
]


@dataclass(frozen=True)
class ReferralInput:
    kind: ReferralKind | str
    made_on: date | None
    note: str | None = None


@dataclass(frozen=True)
class OutcomesInput:
    analysis: str | None = None
    recommendations: str | None = None
    shared_with_social_worker_on: date | None = None


def _earliest_start(interview: ReturnInterview) -> date | None:
    starts = [e.started_at.date() for e in interview.episodes]
    return min(starts) if starts else None


def _date_problems(
    field: str, value: date | None, interview: ReturnInterview, now: datetime, what: str
) -> list[EpisodeProblem]:
    if value is None:
        return [EpisodeProblem(field, f"Enter the date {what}.")]
    if value > now.date():
        return [EpisodeProblem(field, "The date cannot be in the future.")]
    earliest = _earliest_start(interview)
    if earliest is not None and value < earliest:
        return [EpisodeProblem(field, "The date cannot be before the child went missing.")]
    return []


def _referral_problems(
    r: ReferralInput, interview: ReturnInterview, now: datetime, prefix: str = ""
) -> list[EpisodeProblem]:
    problems = []
    if r.kind not in {k.value for k in ReferralKind}:
        problems.append(EpisodeProblem(f"{prefix}kind", "Choose the kind of referral."))
    problems += _date_problems(f"{prefix}made_on", r.made_on, interview, now, "it was made")
    return problems


def referrals_for(session: Session, interview_id: str, revision: int) -> list[Referral]:
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.interview_id == interview_id, Referral.revision == revision)
            .order_by(Referral.made_on, Referral.kind, Referral.id)
        )
    )


def _new(interview: ReturnInterview, r: ReferralInput) -> Referral:
    return Referral(
        interview_id=interview.id,
        revision=interview.revision,
        kind=ReferralKind(r.kind),
        made_on=r.made_on,
        note=(r.note or "").strip() or None,
    )


def replace_referrals(
    session: Session,
    interview_id: str,
    referrals: Sequence[ReferralInput],
    *,
    actor: str,
    now: datetime,
) -> list[Referral]:
    interview = assert_editable(session, interview_id)
    problems = []
    for i, r in enumerate(referrals):
        problems += _referral_problems(r, interview, now, f"referrals.{i}.")
    if problems:
        raise ValidationFailed(problems)
    for old in referrals_for(session, interview.id, interview.revision):
        session.delete(old)
    rows = [_new(interview, r) for r in referrals]
    session.add_all(rows)
    touch(interview, now)
    session.flush()
    record_step(
        session,
        interview,
        "referrals.replace",
        actor=actor,
        kinds=sorted(str(r.kind) for r in rows),
    )
    return rows


def add_referral(
    session: Session, interview_id: str, data: ReferralInput, *, actor: str, now: datetime
) -> Referral:
    interview = assert_editable(session, interview_id)
    problems = _referral_problems(data, interview, now)
    if problems:
        raise ValidationFailed(problems)
    row = _new(interview, data)
    session.add(row)
    touch(interview, now)
    session.flush()
    record_step(session, interview, "referral.add", actor=actor, referral_id=row.id, kind=row.kind)
    return row


def _own(session: Session, referral_id: str) -> tuple[ReturnInterview, Referral]:
    row = session.get(Referral, referral_id)
    if row is None:
        raise ValidationFailed(
            [EpisodeProblem("referral", "That referral is not in this profile.")]
        )
    return assert_editable(session, row.interview_id, row.revision), row


def update_referral(
    session: Session, referral_id: str, data: ReferralInput, *, actor: str, now: datetime
) -> Referral:
    interview, row = _own(session, referral_id)
    problems = _referral_problems(data, interview, now)
    if problems:
        raise ValidationFailed(problems)
    row.kind = ReferralKind(data.kind)
    row.made_on = data.made_on
    row.note = (data.note or "").strip() or None
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "referral.update", actor=actor, referral_id=row.id, kind=row.kind
    )
    return row


def remove_referral(session: Session, referral_id: str, *, actor: str, now: datetime) -> None:
    interview, row = _own(session, referral_id)
    kind = row.kind
    session.delete(row)
    touch(interview, now)
    session.flush()
    record_step(
        session, interview, "referral.remove", actor=actor, referral_id=referral_id, kind=kind
    )


def set_outcomes(
    session: Session, interview_id: str, data: OutcomesInput, *, actor: str, now: datetime
) -> ReturnInterview:
    """The worker's analysis and recommendations, and when the report went to the social
    worker (optional: it may be shared after completion, in an amendment)."""
    interview = assert_editable(session, interview_id)
    if data.shared_with_social_worker_on is not None:
        problems = _date_problems(
            "shared_with_social_worker_on",
            data.shared_with_social_worker_on,
            interview,
            now,
            "it was shared",
        )
        if problems:
            raise ValidationFailed(problems)
    interview.analysis = (data.analysis or "").strip() or None
    interview.recommendations = (data.recommendations or "").strip() or None
    interview.shared_with_social_worker_on = data.shared_with_social_worker_on
    touch(interview, now)
    session.flush()
    # Free text may name the child: the audit notes only which parts are filled in.
    record_step(
        session,
        interview,
        "outcomes.set",
        actor=actor,
        has_analysis=interview.analysis is not None,
        has_recommendations=interview.recommendations is not None,
        shared_on=(
            interview.shared_with_social_worker_on.isoformat()
            if interview.shared_with_social_worker_on
            else None
        ),
    )
    return interview


# --- the Outcomes screen, saved as it is edited -------------------------------------------------

# Text edited for a while is one edit in the audit trail, not one per pause in typing.
AUDIT_TEXT_EDITS_EVERY = timedelta(minutes=10)


def _summary(interview: ReturnInterview, rows: Sequence[Referral]) -> dict[str, Any]:
    """What the audit trail says about the outcomes: codes and dates, never the free text."""
    return {
        "referrals": sorted(
            [str(r.kind), r.made_on.isoformat() if r.made_on else None] for r in rows
        ),
        "has_analysis": interview.analysis is not None,
        "has_recommendations": interview.recommendations is not None,
        "shared_on": (
            interview.shared_with_social_worker_on.isoformat()
            if interview.shared_with_social_worker_on
            else None
        ),
    }


def _recently_audited(session: Session, interview: ReturnInterview, now: datetime) -> bool:
    last = session.scalar(
        select(AuditEvent.at)
        .where(
            AuditEvent.entity_id == interview.id,
            AuditEvent.action == "outcomes.save",
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return last is not None and now - last < AUDIT_TEXT_EDITS_EVERY


def save_outcomes(
    session: Session,
    interview_id: str,
    referrals: Sequence[ReferralInput],
    data: OutcomesInput,
    *,
    actor: str,
    now: datetime,
) -> bool:
    """Save the whole Outcomes screen as it stands (referrals by kind, the analysis, the
    recommendations, the date shared), in one transaction; True when anything changed.

    Called as the worker edits, like the questionnaire's autosave: a referral keeps its id
    while it stays ticked. Each change of a referral or a date is audited; edits of the free
    text are audited once per ten minutes of editing (which parts are filled in, never the
    words)."""
    interview = assert_editable(session, interview_id)
    problems: list[EpisodeProblem] = []
    seen: set[str] = set()
    for i, r in enumerate(referrals):
        problems += _referral_problems(r, interview, now, f"referrals.{i}.")
        if str(r.kind) in seen:
            problems.append(EpisodeProblem(f"referrals.{i}.kind", "That referral is ticked twice."))
        seen.add(str(r.kind))
    if data.shared_with_social_worker_on is not None:
        problems += _date_problems(
            "shared_with_social_worker_on",
            data.shared_with_social_worker_on,
            interview,
            now,
            "it was shared",
        )
    if problems:
        raise ValidationFailed(problems)
    existing = {str(r.kind): r for r in referrals_for(session, interview.id, interview.revision)}
    before = _summary(interview, list(existing.values()))
    texts_before = (interview.analysis, interview.recommendations)
    notes_before = {k: r.note for k, r in existing.items()}
    wanted = {str(r.kind): r for r in referrals}
    for kind, row in existing.items():
        if kind not in wanted:
            session.delete(row)
    rows: list[Referral] = []
    for kind, r in wanted.items():
        row = existing.get(kind)
        if row is None:
            row = _new(interview, r)
            session.add(row)
        else:
            row.made_on = r.made_on
            row.note = (r.note or "").strip() or None
        rows.append(row)
    interview.analysis = (data.analysis or "").strip() or None
    interview.recommendations = (data.recommendations or "").strip() or None
    interview.shared_with_social_worker_on = data.shared_with_social_worker_on
    after = _summary(interview, rows)
    notes_changed = notes_before != {str(r.kind): r.note for r in rows}
    texts_changed = texts_before != (interview.analysis, interview.recommendations)
    changed = after != before or texts_changed or notes_changed
    if not changed:
        return False
    touch(interview, now)
    session.flush()
    if after != before or not _recently_audited(session, interview, now):
        record_step(session, interview, "outcomes.save", actor=actor, **after)
    return True


def set_flag_decision(
    session: Session,
    interview_id: str,
    flag: str,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
) -> ReturnInterview:
    """Why no referral was made for a raised flag that suggests one (None or "" withdraws it).

    The reason is printed beside the flag on the record; the audit names the flag only."""
    interview = assert_editable(session, interview_id)
    if flag not in REFERRALS_FOR_FLAG:
        raise ValidationFailed(
            [EpisodeProblem(f"flag:{flag}", "That risk flag does not ask for a referral.")]
        )
    decisions = dict(interview.flag_decisions or {})
    text = (reason or "").strip()
    if decisions.get(flag) == (text or None):
        return interview
    if text:
        decisions[flag] = text
    else:
        decisions.pop(flag, None)
    interview.flag_decisions = decisions or None
    touch(interview, now)
    session.flush()
    record_step(session, interview, "flag.decision", actor=actor, flag=flag, has_reason=bool(text))
    return interview
