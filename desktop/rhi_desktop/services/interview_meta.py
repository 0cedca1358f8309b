"""What a new interview starts with: XLSForm metadata, filled in by the app, never typed (when the
interview started and ended, in local wall time as the engine reads times; the day it started;
the laptop's device id, its enrolment with central; the worker's name), and the questions'
defaults.

Saved as ordinary answers (so they reach the PDF and central with the rest) when the interview
starts and when it is completed; a value already saved is never overwritten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.forms.schema import FormDefinition, Group, Item, Question
from rhi_desktop.store.models import Answer, ReturnInterview
from rhi_desktop.store.types import new_id
from rhi_desktop.sync import state as sync_state

from .forms_registry import get_form


def _meta_questions(form: FormDefinition) -> dict[str, str]:
    """Top-level metadata questions: name -> type (start, end, today, deviceid, username)."""
    return {
        q.name: q.type
        for section in form.sections
        for q in section.items
        if not hasattr(q, "items") and q.type in ("start", "end", "today", "deviceid", "username")
    }


def _device_id(session: Session) -> str:
    value = sync_state.get(session, sync_state.DEVICE_ID)
    return str(value) if value else ""


def _fill(
    session: Session,
    interview: ReturnInterview,
    form: FormDefinition,
    now: datetime,
    kinds: set[str],
) -> None:
    wanted = {n: t for n, t in _meta_questions(form).items() if t in kinds}
    if not wanted:
        return
    saved = {
        name
        for name in session.scalars(
            select(Answer.question).where(
                Answer.interview_id == interview.id,
                Answer.revision == interview.revision,
                Answer.repeat_path == "",
                Answer.question.in_(wanted),
            )
        )
    }
    local = now.astimezone().replace(tzinfo=None)
    values = {
        "start": local.isoformat(timespec="seconds"),
        "end": local.isoformat(timespec="seconds"),
        "today": local.date().isoformat(),
        "deviceid": _device_id(session),
        "username": interview.worker or "",
    }
    for name, kind in wanted.items():
        if name not in saved and values[kind]:
            # The callers have checked the revision is editable (start, complete).
            session.add(
                Answer(
                    id=new_id(),
                    interview_id=interview.id,
                    revision=interview.revision,
                    question=name,
                    repeat_path="",
                    value=values[kind],
                    updated_at=now,
                )
            )
    session.flush()


def fill_at_start(
    session: Session, interview: ReturnInterview, form: FormDefinition, now: datetime
) -> None:
    """Metadata, and each top-level question's ``default`` (the value a new interview starts
    with; a repeat's defaults are filled in when an entry is added)."""
    _fill(session, interview, form, now, {"start", "today", "deviceid", "username"})
    defaults = {
        q.name: q.default
        for section in form.sections
        for q in _top_questions(section.items)
        if q.default not in (None, "", []) and q.calculate is None
    }
    if not defaults:
        return
    saved = set(
        session.scalars(
            select(Answer.question).where(
                Answer.interview_id == interview.id,
                Answer.revision == interview.revision,
                Answer.question.in_(defaults),
            )
        )
    )
    for name, value in defaults.items():
        if name not in saved:
            session.add(
                Answer(
                    id=new_id(),
                    interview_id=interview.id,
                    revision=interview.revision,
                    question=name,
                    repeat_path="",
                    value=value,
                    updated_at=now,
                )
            )
    session.flush()


def _top_questions(items: tuple[Item, ...]) -> list[Question]:
    """Questions outside repeats (inside groups too)."""
    out: list[Question] = []
    for item in items:
        if isinstance(item, Group):
            if item.kind != "repeat":
                out += _top_questions(item.items)
        else:
            out.append(item)
    return out


def fill_at_completion(session: Session, interview: ReturnInterview, now: datetime) -> None:
    """``end`` (and a device id the laptop got since the start) before the revision locks."""
    if not interview.form_id or not interview.form_version:
        return
    form = get_form(interview.form_id, interview.form_version, session)
    _fill(session, interview, form, now, {"end", "deviceid", "start", "today", "username"})
