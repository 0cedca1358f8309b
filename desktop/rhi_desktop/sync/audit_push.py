"""Push the laptop's whole audit trail to central, oldest event first.

Every event of the hash chain (views, edits, exports, prints, syncs, unlocks...) goes, not only
those inside an interview's payload. Unsynced events are sent in seq order in batches of at most
``MAX_AUDIT_EVENTS`` and marked ``synced`` only once central has answered for them, so a lost
answer just means a resend, which central counts as duplicates. Central verifies the chain as it
grows; if it refuses an event (a gap, or an event changed on this laptop) the audit push stops
there and says so in one sentence, and nothing on the laptop is "fixed": the chain is evidence.
Events carry ids and codes only, never names of children or families.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import httpx
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rhi_core.protocol import (
    MAX_AUDIT_EVENTS,
    AuditBatchRequest,
    AuditBatchResponse,
    AuditEventWire,
)
from rhi_desktop.store.models import AuditEvent
from rhi_desktop.sync.client import SyncClient
from rhi_desktop.sync.errors import ProtocolProblem

__all__ = ["AuditPushResult", "push_audit_trail"]

PATH = "/audit/events"
Transaction = Callable[[], AbstractContextManager[Session]]


@dataclass
class AuditPushResult:
    stored: int = 0  # new on central
    duplicates: int = 0  # central had them already (an answer lost last time)
    problem: str | None = None  # one sentence when central refused part of the trail

    @property
    def sent(self) -> int:
        return self.stored + self.duplicates


def _wire(e: AuditEvent) -> AuditEventWire:
    return AuditEventWire(
        id=e.id,
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        entity=e.entity,
        entity_id=e.entity_id,
        detail=e.detail,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def _next_batch(transaction: Transaction, size: int) -> tuple[list[AuditEventWire], str]:
    with transaction() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.synced.is_not(True))
            .order_by(AuditEvent.seq)
            .limit(size)
        ).all()
        head = s.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
        return [_wire(e) for e in rows], head or ""


def _mark_synced(transaction: Transaction, ids: list[str]) -> None:
    if ids:
        with transaction() as s:
            s.execute(update(AuditEvent).where(AuditEvent.id.in_(ids)).values(synced=True))


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    text = detail if isinstance(detail, str) else response.reason_phrase or "no reason given"
    return text.strip().rstrip(".")[:300]


def _post(client: SyncClient, request: AuditBatchRequest) -> httpx.Response:
    # The SyncClient's plumbing gives the same one-sentence errors as every other endpoint
    # (offline, busy, revoked -> wipe, token rejected); 4xx answers come back to us.
    return client._request("POST", PATH, json=request.model_dump(mode="json"))


def push_audit_trail(
    client: SyncClient, transaction: Transaction, *, batch_size: int = MAX_AUDIT_EVENTS
) -> AuditPushResult:
    """Send every unsynced audit event, oldest first; a refusal ends the push (``problem``).

    Raises the SyncClient's errors (Unreachable, ServerBusy, DeviceRevoked, ...) unchanged."""
    size = max(1, min(batch_size, MAX_AUDIT_EVENTS))
    result = AuditPushResult()
    while True:
        events, head = _next_batch(transaction, size)
        if not events:
            return result
        response = _post(client, AuditBatchRequest(device_chain_head=head, events=events))
        if response.status_code == 409:
            # Nothing is marked: central kept what verified before the refused event, and
            # a resend of those is a harmless duplicate, while marking by seq could mark an
            # event central holds a different version of.
            result.problem = (
                f"The central store refused this laptop's audit trail ({_detail(response)}), "
                "so the rest of it was not sent; interviews still sync, but tell your "
                "administrator."
            )
            return result
        if response.status_code == 404:
            result.problem = (
                "The central store does not take audit trails yet, so this laptop's was kept "
                "here to be sent later; interviews still sync."
            )
            return result
        if response.status_code >= 400:
            result.problem = (
                f"The central store did not take this laptop's audit trail "
                f"({response.status_code}: {_detail(response)}); it is kept here and "
                "interviews still sync."
            )
            return result
        answer = _parse(response)
        if answer.stored + answer.duplicates != len(events) or (
            answer.verified_through_seq < events[-1].seq
        ):
            raise ProtocolProblem("The central store answered an audit batch with the wrong count.")
        _mark_synced(transaction, [e.id for e in events])
        result.stored += answer.stored
        result.duplicates += answer.duplicates
        if len(events) < size:
            return result


def _parse(response: httpx.Response) -> AuditBatchResponse:
    try:
        return AuditBatchResponse.model_validate_json(response.content)
    except ValidationError as exc:
        raise ProtocolProblem(
            "The central store answered in a form this version of RHI Desktop does not "
            "understand; update the app or contact support."
        ) from exc
