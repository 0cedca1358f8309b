"""Starting and resuming an interview from the caseload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.domain.episodes import EpisodeProblem  # noqa: I001
from rhi_core.forms.schema import FormDefinition
from rhi_desktop.security import audit
from rhi_desktop.store.models import Child, MissingEpisode, ReturnInterview

from .answers import load_answers
from .attachments import attachment_infos, describe_attachment
from .children import ValidationFailed
from .forms_registry import get_form
from .interview_meta import fill_at_start


@dataclass(frozen=True)
class WizardData:
    """Everything the interview screen needs to open, read in one go off the GUI thread."""

    interview_id: str
    revision: int
    state: str
    form: FormDefinition
    answers: dict[str, Any]
    current_section: str | None
    child_name: str
    child_local_id: str
    child_dob: date
    child_language: str
    # The interview's attachments, as the wizard shows them: id -> "letter.png (12 kB)".
    attachments: dict[str, str] = field(default_factory=dict)


def start_or_resume(
    session: Session, child_id: str, form: FormDefinition, *, actor: str, now: datetime
) -> str:
    """The child's open interview (starting it on `form` if it has not started), or a new one
    covering their latest return."""
    child = session.get(Child, child_id)
    if child is None:
        raise ValidationFailed([EpisodeProblem("child", "That child is not in this profile.")])
    interview = session.scalars(
        select(ReturnInterview)
        .where(ReturnInterview.child_id == child_id)
        .order_by(ReturnInterview.created_at.desc())
    ).first()
    if interview is not None and interview.state in (
        InterviewState.DRAFT,
        InterviewState.HAS_ISSUES,
    ):
        audit.record(
            session,
            actor=actor,
            action="interview.open",
            entity="interview",
            entity_id=interview.id,
        )
        return interview.id
    if interview is None or interview.state is not None:
        latest = session.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.child_id == child_id, MissingEpisode.returned_at.is_not(None))
            .order_by(MissingEpisode.returned_at.desc())
        ).first()
        if latest is None:
            raise ValidationFailed(
                [EpisodeProblem("child", "Record the child's return before starting an interview.")]
            )
        interview = ReturnInterview(child_id=child_id, worker=actor, created_at=now)
        interview.episodes.append(latest)
        session.add(interview)
    interview.form_id = form.id
    interview.form_version = form.version
    interview.state = InterviewState.DRAFT
    interview.worker = interview.worker or actor
    session.flush()
    fill_at_start(session, interview, form, now)
    audit.record(
        session,
        actor=actor,
        action="interview.start",
        entity="interview",
        entity_id=interview.id,
        detail={"form": form.id, "version": form.version},
    )
    return interview.id


def load_wizard(session: Session, interview_id: str) -> WizardData:
    interview = session.get(ReturnInterview, interview_id)
    if interview is None or interview.form_id is None or interview.form_version is None:
        raise ValidationFailed([EpisodeProblem("interview", "That interview has not started.")])
    child = interview.child
    return WizardData(
        interview_id=interview.id,
        revision=interview.revision,
        state=interview.state or "",
        form=get_form(interview.form_id, interview.form_version, session),
        answers=load_answers(session, interview.id, interview.revision),
        current_section=interview.current_section,
        child_name=child.full_name,
        child_local_id=child.local_id,
        child_dob=child.dob,
        child_language=child.preferred_language,
        attachments={
            ref: describe_attachment(info)
            for ref, info in attachment_infos(session, interview.id).items()
        },
    )
