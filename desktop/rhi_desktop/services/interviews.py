"""Listing interviews (used by the CLI and, later, the sync outbox)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_desktop.store.models import Child, ReturnInterview


@dataclass(frozen=True)
class InterviewSummary:
    id: str
    child_id: str
    child_local_id: str
    child_name: str
    status: str
    revision: int
    form: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def list_interviews(session: Session, status: str | None = None) -> list[InterviewSummary]:
    """Interviews that have started (offers alone are not an interview)."""
    q = (
        select(ReturnInterview, Child)
        .join(Child, Child.id == ReturnInterview.child_id)
        .where(ReturnInterview.state.is_not(None))
        .order_by(ReturnInterview.created_at)
    )
    if status:
        q = q.where(ReturnInterview.state == status)
    out = []
    for interview, child in session.execute(q):
        form = f"{interview.form_id}@{interview.form_version}" if interview.form_id else None
        out.append(
            InterviewSummary(
                id=interview.id,
                child_id=child.id,
                child_local_id=child.local_id,
                child_name=child.full_name,
                status=interview.state or "",
                revision=interview.revision,
                form=form,
            )
        )
    return out
