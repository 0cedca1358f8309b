"""Administrator endpoints (/admin/...): admin tokens only, every call audited."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

from rhi_central import audit, ops
from rhi_central.auth import admin_actor, admin_transaction
from rhi_central.errors import ErrorResponse
from rhi_central.models import Device
from rhi_central.routes.deps import AdminCreds, CentralDep
from rhi_core.protocol import (
    DeviceInfo,
    DevicesResponse,
    EnrolCodeRequest,
    EnrolCodeResponse,
    FeedbackItem,
    FormInfo,
    PublishFormRequest,
    ReviewRequest,
)

router = APIRouter(tags=["admin"])


class AuditVerifyResponse(BaseModel):
    ok: bool
    events: int
    problems: list[str]


def _device_info(d: Device) -> DeviceInfo:
    return DeviceInfo(
        id=d.id,
        name=d.name,
        worker=d.worker,
        enrolled_at=d.enrolled_at,
        last_contact_at=d.last_contact_at,
        revoked_at=d.revoked_at,
    )


def _fail(exc: ops.OpError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


_NOT_FOUND = {"model": ErrorResponse, "description": "No such record"}
_REFUSED = {"model": ErrorResponse, "description": "The request cannot be carried out"}


@router.post("/enrol-codes", response_model=EnrolCodeResponse, status_code=201)
def create_enrol_code(
    body: EnrolCodeRequest, central: CentralDep, credentials: AdminCreds
) -> EnrolCodeResponse:
    """A one-time enrolment code for a worker (valid 24 hours, single use)."""
    with admin_transaction(central, credentials, "enrol_code.create") as (session, admin):
        try:
            code, row = ops.create_enrol_code(session, body.worker, admin_actor(admin))
        except ops.OpError as exc:
            raise _fail(exc) from None
        return EnrolCodeResponse(code=code, worker=row.worker, expires_at=row.expires_at)


@router.get("/devices", response_model=DevicesResponse)
def devices(central: CentralDep, credentials: AdminCreds) -> DevicesResponse:
    with admin_transaction(central, credentials, "devices.list") as (session, admin):
        rows = ops.list_devices(session, admin_actor(admin))
        return DevicesResponse(devices=[_device_info(d) for d in rows])


@router.post("/devices/{device_id}/revoke", response_model=DeviceInfo, responses={404: _NOT_FOUND})
def revoke(device_id: str, central: CentralDep, credentials: AdminCreds) -> DeviceInfo:
    """Revoke a device: its token stops working and it wipes itself on next contact."""
    with admin_transaction(central, credentials, "device.revoke") as (session, admin):
        try:
            device = ops.revoke_device(session, device_id, admin_actor(admin))
        except ops.OpError as exc:
            raise _fail(exc) from None
        return _device_info(device)


@router.post(
    "/forms",
    response_model=FormInfo,
    responses={
        201: {"model": FormInfo},
        409: {
            "model": ErrorResponse,
            "description": "That version is published with other content",
        },
    },
)
def publish_form(
    body: PublishFormRequest, response: Response, central: CentralDep, credentials: AdminCreds
) -> FormInfo:
    """Publish a questionnaire version (201 new, 200 identical re-publish, 409 changed)."""
    with admin_transaction(central, credentials, "form.publish") as (session, admin):
        try:
            form, created = ops.publish_form(session, body.yaml_text, admin_actor(admin))
        except ops.OpError as exc:
            raise _fail(exc) from None
        response.status_code = 201 if created else 200
        return FormInfo(
            id=form.form_id,
            version=form.version,
            sha256=form.sha256,
            published_at=form.published_at,
        )


@router.post(
    "/interviews/{interview_id}/review",
    response_model=FeedbackItem,
    status_code=201,
    responses={404: _NOT_FOUND},
)
def review(
    interview_id: str, body: ReviewRequest, central: CentralDep, credentials: AdminCreds
) -> FeedbackItem:
    """Approve the latest revision, or send it back with what needs fixing."""
    with admin_transaction(central, credentials, "interview.review") as (session, admin):
        try:
            result = ops.review_interview(
                session, interview_id, body.outcome, body.comment, admin_actor(admin), admin.name
            )
        except ops.OpError as exc:
            raise _fail(exc) from None
        r = result.review
        return FeedbackItem(
            id=r.id,
            interview_id=r.interview_id,
            revision=r.revision,
            outcome=r.outcome,
            comment=r.comment,
            reviewer=r.reviewer,
            reviewed_at=r.reviewed_at,
        )


@router.get("/audit/verify", response_model=AuditVerifyResponse)
def verify_audit(central: CentralDep, credentials: AdminCreds) -> AuditVerifyResponse:
    """Check the audit hash chain end to end."""
    with admin_transaction(central, credentials, "audit.verify") as (session, admin):
        problems = audit.verify(session)
        count = audit.count(session)
        audit.record(
            session,
            actor=admin_actor(admin),
            action="audit.verify",
            detail={"ok": not problems, "problems": len(problems)},
        )
        return AuditVerifyResponse(
            ok=not problems, events=count, problems=[p.message for p in problems]
        )
