"""Push: completed interview revisions, in batches, as JSON or multipart (PDFs as raw parts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from rhi_central import audit, errors, intake
from rhi_central.auth import device_actor
from rhi_central.errors import ErrorResponse
from rhi_central.routes.deps import CentralDep, DeviceCreds
from rhi_core.protocol import (
    BATCH_PART,
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    BatchRequest,
    BatchResponse,
)

router = APIRouter(tags=["device"])

_BATCH_SCHEMA = {"$ref": "#/components/schemas/BatchRequest"}
_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": _BATCH_SCHEMA},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [BATCH_PART],
                "properties": {
                    BATCH_PART: _BATCH_SCHEMA,
                },
                "additionalProperties": {"type": "string", "format": "binary"},
                "description": f"The `{BATCH_PART}` part is the BatchRequest JSON; each "
                "other part is one signed PDF (raw bytes), named by an item's `pdf_part`",
            },
            "encoding": {BATCH_PART: {"contentType": "application/json"}},
        },
    },
}


@router.post(
    "/interviews/batch",
    response_model=BatchResponse,
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        400: {"model": ErrorResponse, "description": "The body is not JSON or not multipart"},
        413: {
            "model": ErrorResponse,
            "description": f"More than {MAX_BATCH_ITEMS} items, or a body over "
            f"{MAX_BATCH_BYTES // (1024 * 1024)} MB",
        },
        415: {"model": ErrorResponse, "description": "Neither JSON nor multipart/form-data"},
        422: {"model": ErrorResponse, "description": "The batch's structure is not valid"},
    },
)
async def push_batch(request: Request, central: CentralDep, device: DeviceCreds) -> BatchResponse:
    """Store completed revisions. Idempotent on (interview_id, revision); one status per item:
    accepted, duplicate, conflict (kept aside), rejected or deferred, with a `reason_code`.
    Only interviews about the device's worker's children are accepted (children the worker
    added on the laptop come with the push, in `children` and `episodes`)."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    try:
        push = await run_in_threadpool(intake.read_push, body, content_type)
    except intake.PushRefused as refused:
        await run_in_threadpool(_audit_refusal, central, device, refused)
        raise HTTPException(refused.status, refused.detail) from None
    results = await run_in_threadpool(intake.process_push, central, device, push)
    return BatchResponse(results=results)


def _audit_refusal(central: Any, device: Any, refused: intake.PushRefused) -> None:
    with central.db.transaction() as s:
        audit.record(
            s,
            actor=device_actor(device),
            action=f"{intake.ACTION}.refused",
            detail={"status": refused.status, "reason": refused.detail},
        )


# The route reads its body itself; the JSON shape is still documented as a component.
errors.DOCUMENTED_MODELS.append(BatchRequest)
