"""Autosave: one answer at a time, committed and encrypted, in a few milliseconds.

Top-level questions are one row each. A repeat (people, places, vehicles) is one row holding
the list of its instances, so adding or removing a person never renumbers other rows. Each row
records who wrote it last (the worker, or the young person in young-person mode) and when.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
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

WORKER = "worker"
YOUNG_PERSON = "young_person"
AUTHORS = (WORKER, YOUNG_PERSON)


@dataclass(frozen=True)
class Authorship:
    author: str  # WORKER or YOUNG_PERSON
    at: datetime


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
    author: str = WORKER,
) -> None:
    """Upsert answers (None or "" deletes the answer) in the caller's transaction.

    ``author`` is who typed them: the worker, or the young person holding the laptop.
    With `audit_actor`, an "interview.edit" event names the questions edited (never the
    answers): the UI audits each question's first edit per opening, not every keystroke."""
    if author not in AUTHORS:
        raise ValueError(f"unknown author {author!r}")
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
            author=author,
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["interview_id", "revision", "question", "repeat_path"],
                set_={
                    "value": stmt.excluded.value,
                    "updated_at": stmt.excluded.updated_at,
                    "author": stmt.excluded.author,
                },
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
            detail={
                "revision": revision,
                "questions": list(audit_questions),
                **({"by": author} if author != WORKER else {}),
            },
        )


def load_answers(session: Session, interview_id: str, revision: int) -> dict[str, Any]:
    rows = session.execute(
        select(Answer.question, Answer.value).where(
            Answer.interview_id == interview_id, Answer.revision == revision
        )
    )
    return {name: value for name, value in rows}


def load_authors(session: Session, interview_id: str, revision: int) -> dict[str, Authorship]:
    """Who wrote each stored answer, and when (answers from before authorship count as the
    worker's)."""
    rows = session.execute(
        select(Answer.question, Answer.author, Answer.updated_at).where(
            Answer.interview_id == interview_id,
            Answer.revision == revision,
            Answer.repeat_path == "",
        )
    )
    return {name: Authorship(author or WORKER, at) for name, author, at in rows}


class AnswerWriter:
    """The questionnaire's autosave for one opening of one revision: ``writer(batch, meta)``
    saves a batch of answers in its own transaction.

    The audit rule lives here, not in the screen: each question's first edit in an opening is
    an "interview.edit" event (names only, never answers), not every keystroke."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Session]],
        interview_id: str,
        revision: int,
        *,
        actor: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._transaction = transaction
        self.interview_id = interview_id
        self.revision = revision
        self._actor = actor
        self._clock = clock
        self._audited: set[str] = set()

    def __call__(self, batch: dict[str, Any], meta: dict[str, Any]) -> None:
        first_edits = sorted(set(batch) - self._audited)
        with self._transaction() as s:
            save_answers(
                s,
                self.interview_id,
                self.revision,
                batch,
                now=self._clock(),
                section=meta.get("section"),
                risk_flags=meta.get("risk_flags"),
                audit_actor=self._actor if first_edits else None,
                audit_questions=first_edits,
                author=meta.get("author") or WORKER,
            )
        self._audited.update(first_edits)
