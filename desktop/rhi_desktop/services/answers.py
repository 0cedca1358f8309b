"""Autosave: one answer at a time, committed and encrypted, in a few milliseconds.

Top-level questions are one row each. A repeat (people, places, vehicles) is one row holding
the list of its instances, so adding or removing a person never renumbers other rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from rhi_desktop.security import audit
from rhi_desktop.store.models import Answer, ReturnInterview
from rhi_desktop.store.types import new_id

from .completion import InterviewLocked as InterviewNotEditable  # noqa: F401 - re-exported
from .completion import assert_editable


def _check_editable(session: Session, interview_id: str, revision: int) -> None:
    # One lock rule for every write: the completion service owns it.
    assert_editable(session, interview_id, revision)


def save_answers(
    session: Session,
    interview_id: str,
    revision: int,
    changes: dict[str, Any],
    now: datetime,
    section: str | None = None,
    risk_flags: list[str] | None = None,
    audit_actor: str | None = None,
    audit_questions: list[str] | None = None,
) -> None:
    """Upsert answers (None or "" deletes the answer) in the caller's transaction.

    With `audit_actor`, an "interview.edit" event names the questions edited (never the
    answers): the UI audits each question's first edit per opening, not every keystroke."""
    _check_editable(session, interview_id, revision)
    for name, value in changes.items():
        if value is None or value == "" or value == []:
            session.execute(
                Answer.__table__.delete().where(
                    (Answer.interview_id == interview_id)
                    & (Answer.revision == revision)
                    & (Answer.question == name)
                    & (Answer.repeat_path == "")
                )
            )
            continue
        stmt = insert(Answer).values(
            id=new_id(),
            interview_id=interview_id,
            revision=revision,
            question=name,
            repeat_path="",
            value=value,
            updated_at=now,
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["interview_id", "revision", "question", "repeat_path"],
                set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
            )
        )
    values: dict[str, Any] = {"updated_at": now}
    if section is not None:
        values["current_section"] = section
    if risk_flags is not None:
        values["risk_flags"] = sorted(risk_flags)
    session.execute(
        update(ReturnInterview).where(ReturnInterview.id == interview_id).values(**values)
    )
    if audit_actor and audit_questions:
        audit.record(
            session,
            actor=audit_actor,
            action="interview.edit",
            entity="interview",
            entity_id=interview_id,
            detail={"revision": revision, "questions": list(audit_questions)},
        )


def load_answers(session: Session, interview_id: str, revision: int) -> dict[str, Any]:
    rows = session.execute(
        select(Answer.question, Answer.value).where(
            Answer.interview_id == interview_id, Answer.revision == revision
        )
    )
    return {name: value for name, value in rows}
