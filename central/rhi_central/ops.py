"""Administrative operations, shared by the CLI and the /admin endpoints so both behave the
same (and both leave the same audit trail). Each takes an open session and an actor; the caller
owns the transaction."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_central import audit, ownership
from rhi_central import forms as forms_mod
from rhi_central.auth import new_token, token_hash
from rhi_central.db import lock_sequence
from rhi_central.models import (
    AdminToken,
    Child,
    Device,
    EnrolCode,
    Episode,
    Form,
    Interview,
    Review,
)
from rhi_central.settings import ENROL_CODE_HOURS
from rhi_central.timeutil import new_id, utcnow
from rhi_core.protocol import ChildWire, EpisodeWire, ReviewOutcome

log = logging.getLogger(__name__)

# No 0/O or 1/I: codes are read out over the phone and typed on a laptop.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4  # 4 x 4 characters of 5 bits = 80 bits; plenty for a 24-hour single-use code


class OpError(Exception):
    """A refused operation: ``status`` for HTTP, ``message`` (one sentence) for everyone."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_enrol_code(session: Session, worker: str, actor: str) -> tuple[str, EnrolCode]:
    worker = worker.strip()
    if not worker:
        raise OpError(422, "The worker's name cannot be empty.")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * 4))
    code = "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    now = utcnow()
    row = EnrolCode(
        id=new_id(),
        code_sha256=token_hash(raw),
        worker=worker,
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=ENROL_CODE_HOURS),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="enrol_code.create",
        entity="enrol_code",
        entity_id=row.id,
        detail={"worker": worker, "expires_at": row.expires_at.isoformat()},
    )
    return code, row


def list_devices(session: Session, actor: str) -> list[Device]:
    devices = list(session.execute(select(Device).order_by(Device.enrolled_at)).scalars())
    audit.record(session, actor=actor, action="devices.list", detail={"count": len(devices)})
    return devices


def revoke_device(session: Session, device_id: str, actor: str) -> Device:
    device = session.get(Device, device_id.strip())
    if device is None:
        raise OpError(404, f"There is no device with ID {device_id}.")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="device.revoke",
        entity="device",
        entity_id=device.id,
        detail={"worker": device.worker},
    )
    return device


def create_admin_token(session: Session, name: str, actor: str) -> tuple[str, AdminToken]:
    name = name.strip()
    if not name:
        raise OpError(422, "The token's name cannot be empty.")
    token = new_token()
    row = AdminToken(id=new_id(), name=name, token_sha256=token_hash(token), created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="admin_token.create", entity="admin_token", entity_id=row.id
    )
    return token, row


def publish_form(session: Session, yaml_text: str, actor: str) -> tuple[Form, bool]:
    """Store a form version; returns (form, created). Re-publishing identical text is a no-op;
    a version is immutable once published (laptops pin interviews to it)."""
    try:
        form_id, version = forms_mod.read_identity(yaml_text)
        definition = forms_mod.parse(yaml_text)
    except forms_mod.FormProblem as exc:
        raise OpError(422, str(exc)) from None
    if definition is not None and (definition.id, definition.version) != (form_id, version):
        raise OpError(422, "The form's id and version do not match what the forms engine read.")
    digest = forms_mod.form_sha256(yaml_text)
    existing = session.get(Form, (form_id, version))
    if existing is not None:
        if existing.sha256 != digest:
            raise OpError(
                409,
                f"Form {form_id} version {version} is already published with other content; "
                "publish it under a new version.",
            )
        created = False
        form = existing
    else:
        form = Form(
            form_id=form_id,
            version=version,
            sha256=digest,
            yaml_text=yaml_text,
            published_by=actor,
            published_at=utcnow(),
        )
        session.add(form)
        created = True
    audit.record(
        session,
        actor=actor,
        action="form.publish",
        entity="form",
        entity_id=f"{form_id}@{version}",
        detail={"sha256": digest, "created": created},
    )
    return form, created


BUILTIN_ACTOR = "system:built-in forms"


def builtin_form_texts() -> dict[str, str]:
    """form id -> YAML of every questionnaire this version of the product ships (rhi-core)."""
    from rhi_core.forms.bundled import BUILTIN_FORMS  # the forms engine is optional for central

    folder = resources.files("rhi_core.forms.builtin")
    return {
        fid: folder.joinpath(f"{fid}.yaml").read_text(encoding="utf-8") for fid in BUILTIN_FORMS
    }


def publish_builtin_forms(session: Session, actor: str = BUILTIN_ACTOR) -> list[str]:
    """Publish each shipped questionnaire version central does not hold yet (audited as any
    publish), so a fresh central accepts the interviews laptops make on them from the first
    sync. Returns ``id@version`` of those published now; idempotent."""
    try:
        texts = builtin_form_texts()
    except ImportError:  # a thin deployment without the forms engine: nothing shipped
        return []
    published: list[str] = []
    for text in texts.values():
        form_id, version = forms_mod.read_identity(text)
        existing = session.get(Form, (form_id, version))
        if existing is not None:
            if existing.sha256 != forms_mod.form_sha256(text):
                log.warning("form %s %s on central differs from the one shipped", form_id, version)
            continue
        publish_form(session, text, actor)
        published.append(f"{form_id}@{version}")
    return published


@dataclass(frozen=True, slots=True)
class ReviewResult:
    review: Review
    interview: Interview


def review_interview(
    session: Session,
    interview_id: str,
    outcome: ReviewOutcome,
    comment: str | None,
    actor: str,
    reviewer: str,
) -> ReviewResult:
    """Feedback on the latest revision central holds of an interview."""
    interview_id = interview_id.strip()
    if outcome is ReviewOutcome.HAS_ISSUES and not (comment and comment.strip()):
        raise OpError(422, "Say what the issues are: 'has issues' needs a comment.")
    latest = session.execute(
        select(Interview)
        .where(Interview.interview_id == interview_id)
        .order_by(Interview.revision.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:
        raise OpError(404, f"Central holds no interview {interview_id}.")
    # Feedback goes to the worker who owns the interview now (its child's worker), on every
    # laptop of theirs; not to whichever device happened to send the latest revision.
    owner = ownership.interview_owner(session, latest.interview_id) or latest.worker
    review = Review(
        id=new_id(),
        interview_id=latest.interview_id,
        revision=latest.revision,
        device_id=latest.device_id,
        worker=owner,
        outcome=outcome.value,
        comment=comment.strip() if comment else None,
        reviewer=reviewer,
        reviewed_at=utcnow(),
    )
    lock_sequence(session, "reviews")
    session.add(review)
    latest.state = outcome.value
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="interview.review",
        entity="interview",
        entity_id=latest.interview_id,
        detail={"revision": latest.revision, "outcome": outcome.value},
    )
    return ReviewResult(review, latest)


def counts(session: Session) -> dict[str, Any]:
    return {
        "children": session.scalar(select(func.count()).select_from(Child)),
        "episodes": session.scalar(select(func.count()).select_from(Episode)),
        "interviews": session.scalar(select(func.count()).select_from(Interview)),
    }


def assign_child(
    session: Session,
    child: ChildWire,
    episodes: list[EpisodeWire],
    worker: str,
    actor: str,
) -> None:
    """Create or update a child with its episodes and assign it to ``worker``.

    Writes the change rows the assignments cursor serves: an "upsert" for the new worker and,
    when the child moves, an "unassigned" for the previous one (their laptops drop the child).
    """
    lock_sequence(session, "assignment_changes")
    row = session.get(Child, child.id)
    values = child.model_dump(mode="python")
    values["sex"] = child.sex.value
    if row is None:
        row = Child(**values, assigned_worker=None)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    for ep in episodes:
        if ep.child_id != child.id:
            raise OpError(422, f"Episode {ep.id} belongs to another child.")
        ep_values = ep.model_dump(mode="python")
        ep_values["category"] = ep.category.value
        ep_values["risk_grade"] = ep.risk_grade.value
        existing = session.get(Episode, ep.id)
        if existing is None:
            session.add(Episode(**ep_values))
        else:
            for name, value in ep_values.items():
                setattr(existing, name, value)
    previous = ownership.set_owner(session, row, worker)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="child.assign",
        entity="child",
        entity_id=child.id,
        detail={"worker": worker, "previous": previous, "episodes": len(episodes)},
    )
