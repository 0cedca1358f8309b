"""Push: completed interview revisions, in batches."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, HTTPException

from rhi_central import audit
from rhi_central.auth import device_actor, device_transaction
from rhi_central.intake import process_batch
from rhi_central.routes.deps import CentralDep, DeviceCreds
from rhi_core.protocol import MAX_BATCH_ITEMS, BatchRequest, BatchResponse

router = APIRouter(tags=["device"])


@router.post(
    "/interviews/batch",
    response_model=BatchResponse,
    responses={
        401: {"description": "Missing or unknown device token"},
        403: {"description": "`device revoked`: the laptop must wipe its data"},
        413: {"description": f"More than {MAX_BATCH_ITEMS} items"},
    },
)
def push_batch(
    body: BatchRequest,
    central: CentralDep,
    credentials: DeviceCreds,
) -> BatchResponse:
    """Store completed revisions. Idempotent on (interview_id, revision); one status per item."""
    with device_transaction(central, credentials, "interviews.push") as (session, device):
        if len(body.items) > MAX_BATCH_ITEMS:
            raise HTTPException(
                413,
                f"a batch may hold at most {MAX_BATCH_ITEMS} interviews, this one has "
                f"{len(body.items)}; send it in smaller batches",
            )
        results = process_batch(central, session, device, body.items)
        tally = Counter(r.status.value for r in results)
        audit.record(
            session,
            actor=device_actor(device),
            action="interviews.push",
            detail={
                "counts": dict(tally),
                "items": [[r.interview_id, r.revision, r.status.value] for r in results],
            },
        )
        return BatchResponse(results=results)
