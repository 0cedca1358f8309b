"""Each worker's current load: children allocated, missing now, waiting for an RHI, overdue."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import render
from rhi_central.models import Child
from rhi_central.oversight.board import awaiting_rhi, missing_now
from rhi_central.staff import service as staff_service
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import utcnow

router = APIRouter()
Viewer = guard(Permission.WORKLOAD)


@router.get("/workers", name="console.workers")
def workers(request: Request, staff: Viewer) -> HTMLResponse:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        allocated = dict(
            s.execute(
                select(Child.assigned_worker, func.count())
                .where(Child.assigned_worker.is_not(None))
                .group_by(Child.assigned_worker)
            ).all()
        )
        missing = Counter(m.child.worker for m in missing_now(s, now))
        awaiting = awaiting_rhi(s, now)
        waiting = Counter(a.child.worker for a in awaiting)
        overdue = Counter(a.child.worker for a in awaiting if a.overdue)
        people = staff_service.allocatable_workers(s)
    names = [u.name for u in people]
    others = sorted(w for w in allocated if w not in set(names))  # e.g. names from `demo seed`
    rows = [
        {
            "name": name,
            "active": name in names,
            "allocated": allocated.get(name, 0),
            "missing": missing.get(name, 0),
            "waiting": waiting.get(name, 0),
            "overdue": overdue.get(name, 0),
        }
        for name in names + others
    ]
    unallocated = {"missing": missing.get(None, 0), "waiting": waiting.get(None, 0)}
    return render(
        request,
        "workers.html",
        {"title": "Workers", "rows": rows, "unallocated": unallocated},
    )
