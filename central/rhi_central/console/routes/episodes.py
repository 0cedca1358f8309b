"""Recording a missing episode (the child found by case number, or added) and correcting one.

Recording goes through the same rules as a CSV import (``episodes.service.record_from_form``):
a new child needs names and date of birth, a date of birth that conflicts with central's record
is refused, overlaps and impossible dates are refused, the same police reference is the same
episode.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rhi_central.console.access import child_for, viewed
from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text
from rhi_central.console.forms import FieldErrors, date_field, datetime_field, echo, parts
from rhi_central.console.guard import Staff, get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.episodes.service import record_from_form, update_episode
from rhi_central.models import Child, Episode
from rhi_central.staff.roles import Permission
from rhi_central.staff.service import allocatable_workers
from rhi_central.timeutil import utcnow
from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex

router = APIRouter()
Recorder = guard(Permission.EPISODE_RECORD)
Form = Annotated[FormData, Depends(read_form)]

DATE_FIELDS = ("date_of_birth",)
TIME_FIELDS = ("started_at", "returned_at", "notified_at")
TEXT_FIELDS = (
    "case_number",
    "first_name",
    "last_name",
    "sex",
    "looked_after",
    "uasc",
    "placing_authority",
    "category",
    "risk_grade",
    "police_reference",
    "where_found",
    "allocated_worker",
)
YES_NO = [("yes", "Yes"), ("no", "No")]


def _choices() -> dict[str, Any]:
    return {
        "categories": [(c.value, c.label) for c in EpisodeCategory],
        "grades": [(g.value, g.label) for g in RiskGrade],
        "sexes": [(s.value, s.label) for s in Sex],
        "yes_no": YES_NO,
    }


def _find(s: Session, case_number: str) -> Child | None:
    return s.scalar(select(Child).where(Child.local_id == case_number).limit(1))


@router.get("/episodes/new", name="console.episode_new")
def case_number_step(request: Request, staff: Recorder) -> HTMLResponse:
    return render(
        request,
        "episode_case.html",
        {"title": "Record a missing episode", "errors": {}, "case": ""},
    )


@router.get("/episodes/new/details", name="console.episode_details")
def details_step(request: Request, staff: Recorder) -> HTMLResponse:
    central = get_central(request)
    case = request.query_params.get("case", "").strip()[:64]
    if not case:
        return render(
            request,
            "episode_case.html",
            {
                "title": "Record a missing episode",
                "errors": {"case": "Enter the child's case number"},
                "case": "",
            },
            status=422,
        )
    with central.db.transaction() as s:
        child = _find(s, case)
        if child is not None:
            child = child_for(s, request, staff, child.id)
            viewed(s, staff, "episode_new", [child.id])
        workers = [(u.name, u.name) for u in allocatable_workers(s)]
    return _details_page(
        request,
        case,
        child,
        workers,
        {"allocated_worker": (child.assigned_worker or "") if child else ""},
        FieldErrors(),
    )


def _details_page(
    request: Request,
    case: str,
    child: Child | None,
    workers: list[tuple[str, str]],
    values: dict[str, str],
    errors: FieldErrors,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "episode_details.html",
        {
            "title": "Record a missing episode",
            "case": case,
            "child": child,
            "workers": [("", "Do not allocate now")] + workers,
            "values": values,
            "errors": errors,
            **_choices(),
        },
        status=status,
    )


def _cells(form: FormData, errors: FieldErrors, new_child: bool) -> dict[str, str]:
    cells = {name: text(form, name, 2000) for name in TEXT_FIELDS}
    if new_child:
        for name, label in (
            ("first_name", "the child's first name"),
            ("last_name", "the child's last name"),
        ):
            if not cells[name]:
                errors[name] = f"Enter {label}"
        dob = date_field(form, "date_of_birth", "the child's date of birth", errors, required=True)
        cells["date_of_birth"] = dob.isoformat() if dob else ""
    else:
        for name in ("first_name", "last_name", "sex", "looked_after", "uasc", "placing_authority"):
            cells.pop(name)
    if not cells["category"]:
        errors["category"] = "Choose whether the child was missing or away"
    if not cells["risk_grade"]:
        errors["risk_grade"] = "Choose the police risk grade"
    for name, label, required in (
        ("started_at", "when the child went missing", True),
        ("returned_at", "when the child came back", False),
        ("notified_at", "when the council was told", False),
    ):
        value = datetime_field(form, name, label, errors, required=required)
        cells[name] = value.isoformat() if value else ""
    return {k: v for k, v in cells.items() if v}


@router.post("/episodes/new", name="console.episode_create")
def record(request: Request, staff: Recorder, form: Form) -> Response:
    central = get_central(request)
    case = text(form, "case_number", 64)
    errors = FieldErrors()
    if not case:
        raise ConsoleError(422, "The form is incomplete", "Start again from the case number.")
    with central.db.transaction() as s:
        child = _find(s, case)
        if child is not None:
            child = child_for(s, request, staff, child.id)
        cells = _cells(form, errors, new_child=child is None)
        result = None
        if not errors:
            result = record_from_form(s, cells, actor=staff.actor, now=utcnow())
            assert result.plan is not None
            for problem in result.plan.problems:
                errors.setdefault(
                    _field(problem.field), problem.message[0].upper() + problem.message[1:]
                )
        workers = [(u.name, u.name) for u in allocatable_workers(s)]
        child_id = (
            result.plan.outcomes[0].child_id if result and result.applied and result.plan else None
        )
    if errors:
        values = echo(
            form,
            list(TEXT_FIELDS)
            + [
                f"{n}-{p}"
                for n in DATE_FIELDS + TIME_FIELDS
                for p in ("day", "month", "year", "time")
            ],
        )
        return _details_page(request, case, child, workers, values, errors, status=422)
    return RedirectResponse(f"{PREFIX}/children/{child_id}?done=episode", status_code=303)


def _field(name: str | None) -> str:
    return (
        name if name in TEXT_FIELDS or name in DATE_FIELDS or name in TIME_FIELDS else "case_number"
    )


@router.get("/episodes/{episode_id}/edit", name="console.episode_edit")
def edit_form(request: Request, episode_id: str, staff: Recorder) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        episode, child = _episode(s, request, staff, episode_id)
        values: dict[str, str] = {
            "category": episode.category,
            "risk_grade": episode.risk_grade,
            "police_reference": episode.police_reference or "",
            "where_found": episode.where_found or "",
        }
        for name in TIME_FIELDS:
            values.update(parts(name, getattr(episode, name)))
        viewed(s, staff, "episode_edit", [child.id], episode=episode.id)
    return _edit_page(request, episode, child, values, FieldErrors())


def _episode(s: Session, request: Request, staff: Staff, episode_id: str) -> tuple[Episode, Child]:
    episode = s.get(Episode, episode_id)
    if episode is None:
        raise ConsoleError(404, "Page not found", "There is no such episode.")
    return episode, child_for(s, request, staff, episode.child_id)


def _edit_page(
    request: Request,
    episode: Episode,
    child: Child,
    values: dict[str, str],
    errors: FieldErrors,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "episode_edit.html",
        {
            "title": "Change an episode",
            "episode": episode,
            "child": child,
            "values": values,
            "errors": errors,
            **_choices(),
        },
        status=status,
    )


@router.post("/episodes/{episode_id}/edit", name="console.episode_update")
def update(request: Request, episode_id: str, staff: Recorder, form: Form) -> Response:
    central = get_central(request)
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    category = text(form, "category", 8)
    grade = text(form, "risk_grade", 32)
    if category not in {c.value for c in EpisodeCategory}:
        errors["category"] = "Choose whether the child was missing or away"
    if grade not in {g.value for g in RiskGrade}:
        errors["risk_grade"] = "Choose the police risk grade"
    changes.update(
        category=category,
        risk_grade=grade,
        police_reference=text(form, "police_reference", 64) or None,
        where_found=text(form, "where_found", 2000) or None,
    )
    for name, label, required in (
        ("started_at", "when the child went missing", True),
        ("returned_at", "when the child came back", False),
        ("notified_at", "when the council was told", False),
    ):
        changes[name] = datetime_field(form, name, label, errors, required=required)
    with central.db.transaction() as s:
        episode, child = _episode(s, request, staff, episode_id)
        if not errors:
            for field, message in update_episode(
                s, episode.id, changes, actor=staff.actor, now=utcnow()
            ):
                errors.setdefault(field, message.rstrip("."))
    if errors:
        values = echo(
            form,
            ["category", "risk_grade", "police_reference", "where_found"]
            + [f"{n}-{p}" for n in TIME_FIELDS for p in ("day", "month", "year", "time")],
        )
        return _edit_page(request, episode, child, values, errors, status=422)
    return RedirectResponse(f"{PREFIX}/children/{child.id}?done=episode-updated", status_code=303)
