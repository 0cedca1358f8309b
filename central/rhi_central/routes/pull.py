"""Pull: forms, assignments, review feedback, settings and ping. Every query is scoped to the
calling device's worker (assignments, feedback): least privilege."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse
from sqlalchemy import select

from rhi_central import audit
from rhi_central.auth import device_actor, device_transaction
from rhi_central.models import AssignmentChange, Child, Episode, Form, Review
from rhi_central.routes.deps import CentralDep, DeviceCreds
from rhi_central.timeutil import utcnow
from rhi_core.protocol import (
    MAX_BATCH_ITEMS,
    AssignmentsResponse,
    ChildWire,
    EpisodeWire,
    FeedbackItem,
    FeedbackResponse,
    FormInfo,
    FormsResponse,
    PingResponse,
    SettingsResponse,
)

router = APIRouter(tags=["device"])


@router.get("/forms", response_model=FormsResponse)
def list_forms(central: CentralDep, credentials: DeviceCreds) -> FormsResponse:
    """Published form versions (the YAML is fetched one by one, only when new)."""
    with device_transaction(central, credentials, "forms.list") as (session, device):
        rows = session.execute(
            select(Form.form_id, Form.version, Form.sha256, Form.published_at).order_by(
                Form.form_id, Form.published_at
            )
        ).all()
        audit.record(session, actor=device_actor(device), action="forms.list")
        return FormsResponse(
            forms=[FormInfo(id=r[0], version=r[1], sha256=r[2], published_at=r[3]) for r in rows]
        )


@router.get(
    "/forms/{form_id}/{version}",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/yaml": {}}}, 404: {"description": "Not published"}},
)
def get_form(
    form_id: str, version: str, central: CentralDep, credentials: DeviceCreds
) -> PlainTextResponse:
    """The YAML text of one published form version."""
    with device_transaction(central, credentials, "forms.get") as (session, device):
        form = session.get(Form, (form_id, version))
        if form is None:
            raise HTTPException(404, f"form {form_id} version {version} is not published")
        audit.record(
            session,
            actor=device_actor(device),
            action="forms.get",
            entity="form",
            entity_id=f"{form_id}@{version}",
        )
        return PlainTextResponse(
            form.yaml_text, media_type="application/yaml", headers={"ETag": f'"{form.sha256}"'}
        )


def _child(c: Child) -> ChildWire:
    return ChildWire(
        id=c.id,
        local_id=c.local_id,
        first_name=c.first_name,
        last_name=c.last_name,
        dob=c.dob,
        sex=c.sex,
        ethnicity=c.ethnicity,
        looked_after=c.looked_after,
        uasc=c.uasc,
        out_of_area=c.out_of_area,
        placement_type=c.placement_type,
        placing_authority=c.placing_authority,
        social_worker=c.social_worker,
        preferred_language=c.preferred_language,
        interpreter_needed=c.interpreter_needed,
    )


def _episode(e: Episode) -> EpisodeWire:
    return EpisodeWire(
        id=e.id,
        child_id=e.child_id,
        category=e.category,
        started_at=e.started_at,
        returned_at=e.returned_at,
        where_found=e.where_found,
        found_by=e.found_by,
        police_reference=e.police_reference,
        risk_grade=e.risk_grade,
    )


@router.get("/assignments", response_model=AssignmentsResponse)
def assignments(
    central: CentralDep,
    credentials: DeviceCreds,
    cursor: Annotated[int, Query(ge=0, le=2**62, description="next_cursor of the last page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="children per page")] = 200,
) -> AssignmentsResponse:
    """Children (with all their episodes) assigned to this device's worker, changed since the
    cursor, and children that moved to someone else."""
    with device_transaction(central, credentials, "assignments.pull") as (session, device):
        changes = session.execute(
            select(AssignmentChange.seq, AssignmentChange.child_id)
            .where(AssignmentChange.worker == device.worker, AssignmentChange.seq > cursor)
            .order_by(AssignmentChange.seq)
            .limit(limit + 1)
        ).all()
        has_more = len(changes) > limit
        changes = changes[:limit]
        next_cursor = changes[-1][0] if changes else cursor
        child_ids = list(dict.fromkeys(c[1] for c in changes))
        # Current assignment decides, whatever the history in this page says.
        children = (
            list(
                session.execute(
                    select(Child)
                    .where(Child.id.in_(child_ids), Child.assigned_worker == device.worker)
                    .order_by(Child.id)
                ).scalars()
            )
            if child_ids
            else []
        )
        kept = {c.id for c in children}
        episodes = (
            list(
                session.execute(
                    select(Episode)
                    .where(Episode.child_id.in_(kept))
                    .order_by(Episode.child_id, Episode.started_at)
                ).scalars()
            )
            if kept
            else []
        )
        gone = [cid for cid in child_ids if cid not in kept]
        audit.record(
            session,
            actor=device_actor(device),
            action="assignments.pull",
            detail={"cursor": cursor, "next_cursor": next_cursor, "children": sorted(kept)},
        )
        return AssignmentsResponse(
            children=[_child(c) for c in children],
            episodes=[_episode(e) for e in episodes],
            unassigned_child_ids=gone,
            next_cursor=next_cursor,
            has_more=has_more,
        )


@router.get("/feedback", response_model=FeedbackResponse)
def feedback(
    central: CentralDep,
    credentials: DeviceCreds,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> FeedbackResponse:
    """Review outcomes on interviews this device's worker owns, since the cursor (every
    laptop of the worker gets them; feedback follows the interview's child, not the device
    that sent the latest revision)."""
    with device_transaction(central, credentials, "feedback.pull") as (session, device):
        rows = list(
            session.execute(
                select(Review)
                .where(Review.worker == device.worker, Review.seq > cursor)
                .order_by(Review.seq)
                .limit(limit + 1)
            ).scalars()
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        audit.record(
            session,
            actor=device_actor(device),
            action="feedback.pull",
            detail={"cursor": cursor, "reviews": [r.id for r in rows]},
        )
        return FeedbackResponse(
            items=[
                FeedbackItem(
                    id=r.id,
                    interview_id=r.interview_id,
                    revision=r.revision,
                    outcome=r.outcome,
                    comment=r.comment,
                    reviewer=r.reviewer,
                    reviewed_at=r.reviewed_at,
                )
                for r in rows
            ],
            next_cursor=rows[-1].seq if rows else cursor,
            has_more=has_more,
        )


@router.get("/settings", response_model=SettingsResponse)
def settings(central: CentralDep, credentials: DeviceCreds) -> SettingsResponse:
    """What the laptop should obey: retention of confirmed interviews, council name."""
    with device_transaction(central, credentials, "settings.get") as (session, device):
        audit.record(session, actor=device_actor(device), action="settings.get")
        return SettingsResponse(
            council_name=central.settings.council_name,
            retention_days=central.settings.retention_days,
            max_batch_items=MAX_BATCH_ITEMS,
            server_time=utcnow(),
        )


@router.post("/ping", response_model=PingResponse)
def ping(central: CentralDep, credentials: DeviceCreds) -> PingResponse:
    """Records the device's last contact (and tells a revoked laptop to wipe itself)."""
    with device_transaction(central, credentials, "device.ping") as (session, device):
        audit.record(session, actor=device_actor(device), action="device.ping")
        return PingResponse(device_id=device.id, server_time=utcnow())
