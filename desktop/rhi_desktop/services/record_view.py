"""A plain, complete read model of one interview revision, for the PDF renderer and sync.

``canonical_payload`` is the revision's *content*: the same revision always gives the same
dict, so its hash (``rhi_core.canonical.content_sha256``) is stable. It leaves out what changes without the
content changing: the life-cycle state (completed -> synced -> approved) and the audit trail ids
(viewing or exporting a record adds events). PNG bytes are base64 text.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import SafetyPlanItemKind as Kind
from rhi_core.domain.episodes import EpisodeProblem
from rhi_core.domain.offers import OfferFacts, Timeliness, is_declined
from rhi_desktop.store.models import (
    Answer,
    AuditEvent,
    InterviewRevision,
    SafetyPlan,
    Signature,
)
from rhi_desktop.store.types import utcnow

from .children import ValidationFailed
from .completion import get_interview, interview_timeliness, offers_for, sessions_for
from .outcomes import referrals_for
from .safety_plans import plan_items

__all__ = [
    "RecordView",
    "canonical_payload",
    "load_record",
]


@dataclass(frozen=True)
class ChildView:
    id: str
    local_id: str
    first_name: str
    last_name: str
    dob: date
    sex: str
    ethnicity: str | None
    looked_after: bool
    uasc: bool
    out_of_area: bool
    placement_type: str | None
    placing_authority: str | None
    social_worker: str | None
    preferred_language: str
    interpreter_needed: bool


@dataclass(frozen=True)
class EpisodeView:
    id: str
    category: str
    started_at: datetime
    returned_at: datetime | None
    where_found: str | None
    found_by: str | None
    police_reference: str | None
    risk_grade: str


@dataclass(frozen=True)
class OfferView:
    id: str
    revision: int
    at: datetime
    method: str
    outcome: str
    by_whom: str | None
    declined_by: str | None
    decline_reason: str | None
    decline_note: str | None
    carer_shared: str | None


@dataclass(frozen=True)
class SessionView:
    id: str
    revision: int
    started_at: datetime
    duration_minutes: int | None
    place: str | None
    present: tuple[str, ...]
    time_alone: bool | None
    confidentiality_explained: bool | None


@dataclass(frozen=True)
class TrustedAdultView:
    id: str
    name: str | None
    relationship: str | None
    phone: str | None


@dataclass(frozen=True)
class TextItemView:
    id: str
    text: str | None


@dataclass(frozen=True)
class ActionView:
    id: str
    who: str | None
    what: str | None
    by_when: date | None


@dataclass(frozen=True)
class HelplineView:
    id: str
    name: str | None
    phone: str | None
    note: str | None


@dataclass(frozen=True)
class SafetyPlanView:
    id: str | None = None
    review_date: date | None = None
    trusted_adults: tuple[TrustedAdultView, ...] = ()
    safe_places: tuple[TextItemView, ...] = ()
    warning_signs: tuple[TextItemView, ...] = ()
    actions: tuple[ActionView, ...] = ()
    helplines: tuple[HelplineView, ...] = ()


@dataclass(frozen=True)
class ReferralView:
    id: str
    kind: str
    made_on: date | None
    note: str | None


@dataclass(frozen=True)
class SignatureView:
    id: str
    role: str
    name: str
    signed_at: datetime | None
    strokes: tuple[tuple[tuple[float, ...], ...], ...] | None
    png: bytes | None
    declined_reason: str | None


@dataclass(frozen=True)
class RecordView:
    interview_id: str
    revision: int
    current_revision: int  # the interview's newest revision (== revision unless superseded)
    state: str | None
    path: str  # "held" / "declined" / "open" (neither yet)
    form_id: str | None
    form_version: str | None
    worker: str | None
    created_at: datetime
    held_at: datetime | None
    completed_at: datetime | None
    locked_at: datetime | None
    amendment_reason: str | None
    child: ChildView
    episodes: tuple[EpisodeView, ...]
    offers: tuple[OfferView, ...]
    sessions: tuple[SessionView, ...]
    timeliness: Timeliness
    late_reason: str | None
    late_note: str | None
    risk_flags: tuple[str, ...]
    answers: dict[str, dict[str, Any]]  # {repeat_path ("" = top level): {question: value}}
    safety_plan: SafetyPlanView
    referrals: tuple[ReferralView, ...]
    analysis: str | None
    recommendations: str | None
    shared_with_social_worker_on: date | None
    signatures: tuple[SignatureView, ...]
    audit_event_ids: tuple[str, ...]


def load_record(
    session: Session, interview_id: str, revision: int | None = None, *, now: datetime | None = None
) -> RecordView:
    """Everything about one revision (default: the current one), read-only.

    ``now`` only matters for an open interview (whether a missing offer/session is already
    late); a completed revision's flags come from recorded times alone.
    """
    interview = get_interview(session, interview_id)
    rev = interview.revision if revision is None else revision
    if not 1 <= rev <= interview.revision:
        raise ValidationFailed([EpisodeProblem("revision", f"There is no revision {rev}.")])
    header: Any = interview
    if rev != interview.revision:
        header = session.scalar(
            select(InterviewRevision).where(
                InterviewRevision.interview_id == interview.id, InterviewRevision.revision == rev
            )
        )
        if header is None:
            raise ValidationFailed(
                [EpisodeProblem("revision", f"Revision {rev} was not kept in this profile.")]
            )
    offers = offers_for(session, interview.id, rev)
    sessions = sessions_for(session, interview.id, rev)
    flags = interview_timeliness(session, interview, header.completed_at or now or utcnow(), rev)
    if sessions:
        path = "held"
    elif is_declined([OfferFacts(o.at, o.outcome) for o in offers], 0):
        path = "declined"
    else:
        path = "open"
    c = interview.child
    plan = session.scalar(
        select(SafetyPlan).where(
            SafetyPlan.interview_id == interview.id, SafetyPlan.revision == rev
        )
    )
    answers: dict[str, dict[str, Any]] = {}
    for a in session.scalars(
        select(Answer)
        .where(Answer.interview_id == interview.id, Answer.revision == rev)
        .order_by(Answer.repeat_path, Answer.question)
    ):
        answers.setdefault(a.repeat_path or "", {})[a.question] = a.value
    signatures = session.scalars(
        select(Signature)
        .where(Signature.interview_id == interview.id, Signature.revision == rev)
        .order_by(Signature.signed_at, Signature.id)
    )
    audit_ids = session.scalars(
        select(AuditEvent.id)
        .where(AuditEvent.entity == "interview", AuditEvent.entity_id == interview.id)
        .order_by(AuditEvent.seq)
    )
    return RecordView(
        interview_id=interview.id,
        revision=rev,
        current_revision=interview.revision,
        state=header.state,
        path=path,
        form_id=header.form_id,
        form_version=header.form_version,
        worker=interview.worker,
        created_at=interview.created_at,
        held_at=header.held_at,
        completed_at=header.completed_at,
        locked_at=header.locked_at,
        amendment_reason=header.amendment_reason,
        child=ChildView(
            id=c.id,
            local_id=c.local_id,
            first_name=c.first_name,
            last_name=c.last_name,
            dob=c.dob,
            sex=c.sex,
            ethnicity=c.ethnicity,
            looked_after=c.looked_after,
            uasc=c.uasc,
            out_of_area=c.out_of_area,
            placement_type=c.placement_type,
            placing_authority=c.placing_authority,
            social_worker=c.social_worker,
            preferred_language=c.preferred_language,
            interpreter_needed=c.interpreter_needed,
        ),
        episodes=tuple(
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
            for e in sorted(interview.episodes, key=lambda e: e.started_at)
        ),
        offers=tuple(
            OfferView(
                id=o.id,
                revision=o.revision,
                at=o.at,
                method=o.method,
                outcome=o.outcome,
                by_whom=o.by_whom,
                declined_by=o.declined_by,
                decline_reason=o.decline_reason,
                decline_note=o.decline_note,
                carer_shared=o.carer_shared,
            )
            for o in offers
        ),
        sessions=tuple(
            SessionView(
                id=s.id,
                revision=s.revision,
                started_at=s.started_at,
                duration_minutes=s.duration_minutes,
                place=s.place,
                present=tuple(s.present or ()),
                time_alone=s.time_alone,
                confidentiality_explained=s.confidentiality_explained,
            )
            for s in sessions
        ),
        timeliness=flags,
        late_reason=header.late_reason,
        late_note=header.late_note,
        risk_flags=tuple(sorted(header.risk_flags or ())),
        answers=answers,
        safety_plan=_plan_view(plan),
        referrals=tuple(
            ReferralView(id=r.id, kind=r.kind, made_on=r.made_on, note=r.note)
            for r in referrals_for(session, interview.id, rev)
        ),
        analysis=header.analysis,
        recommendations=header.recommendations,
        shared_with_social_worker_on=header.shared_with_social_worker_on,
        signatures=tuple(
            SignatureView(
                id=s.id,
                role=s.role,
                name=s.name,
                signed_at=s.signed_at,
                strokes=(
                    tuple(tuple(tuple(p) for p in stroke) for stroke in s.strokes)
                    if s.strokes is not None
                    else None
                ),
                png=s.png,
                declined_reason=s.declined_reason,
            )
            for s in signatures
        ),
        audit_event_ids=tuple(audit_ids),
    )


def _plan_view(plan: SafetyPlan | None) -> SafetyPlanView:
    if plan is None:
        return SafetyPlanView()
    return SafetyPlanView(
        id=plan.id,
        review_date=plan.review_date,
        trusted_adults=tuple(
            TrustedAdultView(i.id, i.name, i.relationship_, i.phone)
            for i in plan_items(plan, Kind.TRUSTED_ADULT)
        ),
        safe_places=tuple(TextItemView(i.id, i.text) for i in plan_items(plan, Kind.SAFE_PLACE)),
        warning_signs=tuple(
            TextItemView(i.id, i.text) for i in plan_items(plan, Kind.WARNING_SIGN)
        ),
        actions=tuple(
            ActionView(i.id, i.who, i.text, i.by_when) for i in plan_items(plan, Kind.ACTION)
        ),
        helplines=tuple(
            HelplineView(i.id, i.name, i.phone, i.text) for i in plan_items(plan, Kind.HELPLINE)
        ),
    )


# Left out of the content fingerprint: they change while the content does not.
_VOLATILE = frozenset({"state", "audit_event_ids", "current_revision", "locked_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a record")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in sorted(dataclasses.fields(value), key=lambda f: f.name)
        }
    if isinstance(value, dict):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_payload(record: RecordView) -> dict[str, Any]:
    """The revision's content as JSON-able data with sorted keys (see the module docstring)."""
    full = _plain(record)
    return {k: v for k, v in full.items() if k not in _VOLATILE}
