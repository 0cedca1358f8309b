"""Children: find one, see one (details, episodes, allocation, tasks, RHIs received), allocate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rhi_central.allocation.service import AllocationProblem, allocatable, allocate, history
from rhi_central.console.access import child_for, viewed, worker_scope
from rhi_central.console.formdata import read_form, text
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.models import Child, Episode, Interview
from rhi_central.oversight.tasks import tasks_of_child
from rhi_central.staff.roles import Permission
from rhi_central.staff.service import allocatable_workers
from rhi_central.timeutil import utcnow
from rhi_core.domain.codes import EpisodeCategory, EscalationDecision, EscalationKind, RiskGrade
from rhi_core.domain.episodes import age_on
from rhi_core.reports.period import uk_date
from rhi_core.reports.records import COMPLETED_STATES

router = APIRouter()
Viewer = guard(Permission.CHILD_VIEW)
Allocator = guard(Permission.ALLOCATE)
Form = Annotated[FormData, Depends(read_form)]
SEARCH_LIMIT = 50
RECEIVED_STATES = sorted(s.value for s in COMPLETED_STATES)  # a completed RHI, as synced


@router.get("/children", name="console.children")
def search(request: Request, staff: Viewer) -> HTMLResponse:
    central = get_central(request)
    q = request.query_params.get("q", "").strip()[:100]
    scope = worker_scope(staff)
    with central.db.transaction() as s:
        query = select(Child).order_by(Child.last_name, Child.first_name).limit(SEARCH_LIMIT + 1)
        if scope is not None:
            query = query.where(Child.assigned_worker == scope)
        if q:
            like = f"%{q.lower()}%"
            query = query.where(
                or_(
                    func.lower(Child.local_id) == q.lower(),
                    func.lower(Child.first_name + " " + Child.last_name).like(like),
                )
            )
        found = list(s.scalars(query)) if (q or scope is not None) else []
        more = len(found) > SEARCH_LIMIT
        found = found[:SEARCH_LIMIT]
        if found:
            viewed(s, staff, "children_search", [c.id for c in found], query=bool(q))
    return render(
        request,
        "children.html",
        {
            "title": "Children",
            "q": q,
            "children": found,
            "more": more,
            "own_only": scope is not None,
        },
    )


@router.get("/children/{child_id}", name="console.child")
def child_page(request: Request, child_id: str, staff: Viewer) -> HTMLResponse:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        child = child_for(s, request, staff, child_id)
        episodes = list(
            s.scalars(
                select(Episode)
                .where(Episode.child_id == child.id)
                .order_by(Episode.started_at.desc())
            )
        )
        interviews = list(
            s.execute(
                select(
                    Interview.interview_id,
                    Interview.revision,
                    Interview.state,
                    Interview.completed_at,
                    Interview.worker,
                )
                .where(Interview.child_id == child.id, Interview.state.in_(RECEIVED_STATES))
                .order_by(Interview.completed_at.desc(), Interview.revision.desc())
            )
        )
        allocations = history(s, child.id)
        tasks = tasks_of_child(s, child.id) if staff.can(Permission.TASKS) else []
        viewed(s, staff, "child", [child.id])
    return render(
        request,
        "child.html",
        {
            "title": f"{child.first_name} {child.last_name}",
            "child": child,
            "age": age_on(child.dob, uk_date(now)),
            "episodes": episodes,
            "interviews": interviews,
            "allocations": allocations,
            "tasks": tasks,
            "categories": {c.value: c.label for c in EpisodeCategory},
            "grades": {g.value: g.label for g in RiskGrade},
            "kinds": {k.value: k.label for k in EscalationKind},
            "decisions": {d.value: d.label for d in EscalationDecision},
            "can_allocate": staff.can(Permission.ALLOCATE),
            "can_edit": staff.can(Permission.EPISODE_RECORD),
        },
    )


def _allocate_page(
    request: Request,
    child: Child,
    workers: list[tuple[str, str]],
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "allocate.html",
        {
            "title": ("Reallocate " if child.assigned_worker else "Allocate ")
            + f"{child.first_name} {child.last_name}",
            "child": child,
            "workers": workers,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


def _worker_options(s: Session, current: str | None) -> list[tuple[str, str]]:
    return [("", "Choose a worker")] + [
        (u.id, u.name + (" (allocated now)" if u.name == current else ""))
        for u in allocatable_workers(s)
    ]


@router.get("/children/{child_id}/allocate", name="console.allocate")
def allocate_form(request: Request, child_id: str, staff: Allocator) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        child = child_for(s, request, staff, child_id)
        workers = _worker_options(s, child.assigned_worker)
        viewed(s, staff, "allocate", [child.id])
    return _allocate_page(request, child, workers, {}, {})


@router.post("/children/{child_id}/allocate", name="console.allocate_post")
def allocate_post(request: Request, child_id: str, staff: Allocator, form: Form) -> Response:
    central = get_central(request)
    values = {"worker": text(form, "worker", 64), "reason": text(form, "reason", 2000)}
    errors: dict[str, str] = {}
    with central.db.transaction() as s:
        child = child_for(s, request, staff, child_id)
        try:
            if not values["worker"]:
                raise AllocationProblem("worker", "Choose the worker to allocate the child to.")
            worker = allocatable(s, values["worker"])
            allocate(s, child.id, worker, reason=values["reason"], actor=staff.actor, now=utcnow())
        except AllocationProblem as exc:
            errors[exc.field] = exc.message
            workers = _worker_options(s, child.assigned_worker)
    if errors:
        return _allocate_page(request, child, workers, values, errors, status=422)
    return RedirectResponse(f"{PREFIX}/children/{child_id}?done=allocated", status_code=303)
