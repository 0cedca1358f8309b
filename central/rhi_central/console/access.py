"""Child-level access (a social worker sees only the children allocated to them) and the audit
of every page that shows child data: who saw which child, when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.console.errors import ConsoleError
from rhi_central.console.guard import Staff, forbidden, refused
from rhi_central.models import Child


def worker_scope(staff: Staff) -> str | None:
    """The worker whose children this member of staff may see; None: every child."""
    return None if staff.sees_all_children else staff.name


def child_for(session: Session, request: Request, staff: Staff, child_id: str) -> Child:
    """The child, if it exists and this member of staff may see it; otherwise a refusal page
    (audited: asking for another worker's child is exactly what the audit is for)."""
    child = session.get(Child, child_id)
    if child is None:
        raise ConsoleError(404, "Page not found", "There is no such child in central.")
    if not staff.sees_all_children and child.assigned_worker != staff.name:
        raise refused(
            forbidden("You can only see the children allocated to you."),
            actor=staff.actor,
            reason="not_your_child",
            detail={"child": child_id},
        )
    return child


def viewed(
    session: Session,
    staff: Staff,
    page: str,
    child_ids: Iterable[str],
    **detail: Any,
) -> None:
    """Record that ``staff`` saw these children on ``page`` (one event, the ids listed)."""
    ids = sorted(set(child_ids))
    audit.record(
        session,
        actor=staff.actor,
        action=f"view.{page}",
        entity="child" if len(ids) == 1 else None,
        entity_id=ids[0] if len(ids) == 1 else None,
        detail={"children": ids, **detail},
    )
