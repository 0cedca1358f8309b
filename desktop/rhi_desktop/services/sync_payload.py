"""One completed revision as the wire payload central stores: the record-to-wire mapping.

The payload is built from the complete read model (``record_view.load_record``) and must be the
same bytes every time for the same revision: a resend after a lost response has to hash alike,
or central would call it a conflict. So it holds only facts frozen at completion: the audit
events are those up to the revision's ``interview.complete`` event (viewing or exporting the
record later adds events that are not part of what was completed), and nothing depends on the
clock or on the signing certificate of the day.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.canonical import content_sha256
from rhi_core.forms.attachments import attachment_answers
from rhi_core.forms.bundled import load_builtin
from rhi_core.protocol import (
    AttachmentWire,
    AuditEventWire,
    BatchItem,
    InterviewPayload,
    OfferWire,
    ReferralWire,
    SafetyActionWire,
    SafetyPlanWire,
    SessionWire,
    SignatureMetaWire,
    TrustedAdultWire,
    payload_dict,
)
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import AuditEvent

from .attachments import attachment_data, attachment_infos
from .forms_registry import DEFAULT_FORM, get_form
from .record_view import RecordView, load_record

# The desktop's signature roles on the wire (central's vocabulary calls the young person "child").
_ROLES = {"worker": "worker", "young_person": "child", "carer": "carer"}


@lru_cache(maxsize=1)
def _builtin_version() -> str:
    return load_builtin(DEFAULT_FORM).version


def answers_tree(stored: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The forms engine's answer shape from the store's ``{repeat_path: {question: value}}``
    (repeats kept as one top-level list; older ``"name/N"`` rows folded into it)."""
    out: dict[str, Any] = dict(stored.get("", {}))
    for path, values in sorted(stored.items()):
        name, _, index = path.partition("/")
        if not path or not index.isdigit():
            continue
        instances = out.setdefault(name, [])
        if not isinstance(instances, list):
            continue
        i = int(index)
        while len(instances) <= i:
            instances.append({})
        if isinstance(instances[i], dict):
            instances[i] = {**instances[i], **values}
    return out


def completed_events(session: Session, interview_id: str, revision: int) -> list[AuditEvent]:
    """The interview's audit events up to the completion of ``revision`` (fixed once completed)."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "interview", AuditEvent.entity_id == interview_id)
            .order_by(AuditEvent.seq)
        )
    )
    end = None
    for i, e in enumerate(events):
        if e.action == "interview.complete" and (e.detail or {}).get("revision") == revision:
            end = i
    return events[: end + 1] if end is not None else events


def record_attachments(session: Session, record: RecordView) -> list[AttachmentWire]:
    """The pictures and files the revision's answers name, in the order of the form."""
    if record.path == "declined" or not record.form_id or not record.form_version:
        return []
    form = get_form(record.form_id, record.form_version, session)
    refs = list(
        dict.fromkeys(ref for _q, ref in attachment_answers(form, answers_tree(record.answers)))
    )
    infos = attachment_infos(session, record.interview_id, refs)
    data = attachment_data(session, record.interview_id, refs)
    missing = [r for r in refs if r not in infos]
    if missing:
        raise StoreError(
            "An attached file of this interview is missing from the laptop, so the record "
            "cannot be sent; attach it again in a new revision."
        )
    return [
        AttachmentWire(
            id=ref,
            question=infos[ref].question,
            file_name=infos[ref].file_name,
            media_type=infos[ref].media_type,
            size=infos[ref].size,
            sha256=infos[ref].sha256,
            data_base64=base64.b64encode(data[ref]).decode("ascii"),
        )
        for ref in refs
    ]


def build_payload(session: Session, interview_id: str, revision: int) -> InterviewPayload:
    record = load_record(session, interview_id, revision)
    if record.completed_at is None:
        raise StoreError("This revision has not been completed, so it cannot be sent.")
    return payload_from_record(
        record,
        completed_events(session, interview_id, revision),
        record_attachments(session, record),
    )


def payload_from_record(
    record: RecordView, events: list[AuditEvent], attachments: list[AttachmentWire] | None = None
) -> InterviewPayload:
    worker = record.worker or ""
    plan = record.safety_plan
    has_plan = plan.id is not None
    assert record.completed_at is not None
    return InterviewPayload(
        # A declined RHI may never have opened the questionnaire: it is filed against the
        # built-in one (a constant of this app version, so the hash stays stable).
        form_id=record.form_id or DEFAULT_FORM,
        form_version=record.form_version or _builtin_version(),
        child_id=record.child.id,
        episode_ids=[e.id for e in record.episodes],
        worker=worker,
        created_at=record.created_at,
        held_at=record.held_at,
        completed_at=record.completed_at,
        late_reason=record.late_reason,
        answers=answers_tree(record.answers) if record.path != "declined" else {},
        offers=[
            OfferWire(
                id=o.id,
                at=o.at,
                method=o.method,
                outcome=o.outcome,
                by_whom=o.by_whom or worker,
                declined_by=o.declined_by,
                decline_reason=o.decline_reason,
                decline_note=o.decline_note,
                carer_shared=o.carer_shared,
            )
            for o in record.offers
        ],
        sessions=[
            SessionWire(
                id=s.id,
                started_at=s.started_at,
                ended_at=(
                    s.started_at + timedelta(minutes=s.duration_minutes)
                    if s.duration_minutes is not None
                    else None
                ),
                place=s.place,
                interviewer=worker,
                others_present=list(s.present),
                time_alone_with_child=s.time_alone,
                confidentiality_explained=s.confidentiality_explained,
                duration_minutes=s.duration_minutes,
            )
            for s in record.sessions
        ],
        safety_plan=(
            SafetyPlanWire(
                trusted_adults=[
                    TrustedAdultWire(name=a.name or "", relationship=a.relationship, phone=a.phone)
                    for a in plan.trusted_adults
                ],
                safe_places=[p.text or "" for p in plan.safe_places],
                triggers=[w.text or "" for w in plan.warning_signs],
                actions=[
                    SafetyActionWire(what=a.what or "", who=a.who, by_when=a.by_when)
                    for a in plan.actions
                ],
                helplines=[
                    " ".join(part for part in (h.name, h.phone) if part) for h in plan.helplines
                ],
                review_on=plan.review_date,
            )
            if has_plan
            else None
        ),
        referrals=[
            ReferralWire(id=r.id, kind=r.kind, made_on=r.made_on, note=r.note)
            for r in record.referrals
        ],
        risk_flags=list(record.risk_flags),
        signatures=[
            SignatureMetaWire(
                role=_ROLES.get(s.role, "other"),  # type: ignore[arg-type]
                signer_name=s.name,
                signed_at=s.signed_at or record.completed_at,
                declined_reason=s.declined_reason,
            )
            for s in record.signatures
        ],
        audit_events=[
            AuditEventWire(
                id=e.id,
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                detail=e.detail,
                prev_hash=e.prev_hash,
                hash=e.hash,
            )
            for e in events
        ],
        path="declined" if record.path == "declined" else "held",
        late_note=record.late_note,
        analysis=record.analysis,
        recommendations=record.recommendations,
        shared_with_social_worker_on=record.shared_with_social_worker_on,
        amendment_reason=record.amendment_reason,
        attachments=attachments or [],
    )


def batch_item(
    payload: InterviewPayload, interview_id: str, revision: int, pdf: bytes | None
) -> BatchItem:
    body = payload_dict(payload)
    return BatchItem(
        interview_id=interview_id,
        revision=revision,
        content_sha256=content_sha256(body),
        payload=body,
        pdf_base64=base64.b64encode(pdf).decode("ascii") if pdf is not None else None,
    )
