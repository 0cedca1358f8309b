"""Escalation tasks: the open ones by due time, one task with its decision form, reassignment."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rhi_central.console.access import viewed
from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text
from rhi_central.console.forms import FieldErrors, date_field, echo
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.ops import OpError
from rhi_central.oversight import tasks as task_ops
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import utcnow
from rhi_core.domain.codes import EscalationDecision
from rhi_core.domain.escalations import RULES

router = APIRouter()
Viewer = guard(Permission.TASKS)
Decider = guard(Permission.TASK_DECIDE)
Form = Annotated[FormData, Depends(read_form)]


@router.get("/tasks", name="console.tasks")
def task_list(request: Request, staff: Viewer) -> HTMLResponse:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        open_tasks = task_ops.list_tasks(s, open_only=True)
        closed = task_ops.list_tasks(s, open_only=False, limit=20)
        viewed(s, staff, "tasks", [t.task.child_id for t in open_tasks + closed])
    return render(
        request,
        "tasks.html",
        {"title": "Escalation tasks", "open_tasks": open_tasks, "closed": closed, "now": now},
    )


def _task_page(
    request: Request,
    view: task_ops.TaskView,
    owners: list[tuple[str, str]],
    values: dict[str, str],
    errors: FieldErrors,
    status: int = 200,
) -> HTMLResponse:
    rule = RULES[view.kind]
    return render(
        request,
        "task.html",
        {
            "title": view.kind.label,
            "view": view,
            "rule": rule,
            "decisions": [(d.value, d.label) for d in rule.decisions],
            "decision_values": [d.value for d in rule.decisions],
            "decision_labels": {d.value: d.label for d in EscalationDecision},
            "owners": owners,
            "values": values,
            "errors": errors,
            "now": utcnow(),
        },
        status=status,
    )


def _owners(s: Session) -> list[tuple[str, str]]:
    return [(u.id, u.name) for u in task_ops.task_owners(s)]


@router.get("/tasks/{task_id}", name="console.task")
def task_page(request: Request, task_id: str, staff: Viewer) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        view = _get(s, task_id)
        owners = _owners(s)
        viewed(s, staff, "task", [view.task.child_id], task=task_id)
    return _task_page(request, view, owners, {}, FieldErrors())


def _get(s: Session, task_id: str) -> task_ops.TaskView:
    try:
        return task_ops.get_task(s, task_id)
    except OpError as exc:
        raise ConsoleError(404, "Page not found", exc.message) from None


@router.post("/tasks/{task_id}/close", name="console.task_close")
def close(request: Request, task_id: str, staff: Decider, form: Form) -> Response:
    central = get_central(request)
    errors = FieldErrors()
    decision = text(form, "decision", 64) or None
    decided_on: date | None = None
    if decision == EscalationDecision.STRATEGY_MEETING_CONVENED.value:
        decided_on = date_field(
            form, "meeting_on", "the date of the meeting", errors, required=True
        )
    elif decision == EscalationDecision.HEAD_OF_SERVICE_UPDATED.value:
        decided_on = date_field(form, "updated_on", "the date of the update", errors, required=True)
    reason = text(form, "reason", 4000)
    with central.db.transaction() as s:
        view = _get(s, task_id)
        if not errors:
            try:
                task_ops.close(
                    s,
                    task_id,
                    decision=decision,
                    decided_on=decided_on,
                    reason=reason,
                    actor=staff.actor,
                    now=utcnow(),
                )
            except task_ops.DecisionRefused as refused:
                for field, message in refused.problems:
                    errors.setdefault(_anchor(field, decision), message.rstrip("."))
            except OpError as exc:
                raise ConsoleError(exc.status, "The task cannot be closed", exc.message) from None
        owners = _owners(s)
    if errors:
        values = echo(
            form,
            ["decision", "reason"]
            + [f"{n}-{p}" for n in ("meeting_on", "updated_on") for p in ("day", "month", "year")],
        )
        return _task_page(request, view, owners, values, errors, status=422)
    return RedirectResponse(f"{PREFIX}/tasks/{task_id}?done=task-closed", status_code=303)


def _anchor(field: str, decision: str | None) -> str:
    if field == "decided_on":
        return (
            "updated_on"
            if decision == EscalationDecision.HEAD_OF_SERVICE_UPDATED.value
            else "meeting_on"
        )
    return field


@router.post("/tasks/{task_id}/owner", name="console.task_owner")
def reassign(request: Request, task_id: str, staff: Decider, form: Form) -> Response:
    central = get_central(request)
    owner = text(form, "owner", 64)
    with central.db.transaction() as s:
        view = _get(s, task_id)
        try:
            task_ops.reassign(s, task_id, owner, actor=staff.actor)
        except OpError as exc:
            errors = FieldErrors(owner=exc.message)
            owners = _owners(s)
        else:
            errors = FieldErrors()
    if errors:
        return _task_page(request, view, owners, {"owner": owner}, errors, status=422)
    return RedirectResponse(f"{PREFIX}/tasks/{task_id}?done=task-owner", status_code=303)
