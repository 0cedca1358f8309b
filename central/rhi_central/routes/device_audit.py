"""Laptops' audit trails: every event a laptop recorded reaches central, verified on arrival.

A laptop sends its hash chain in order (``POST /api/v1/audit/events``). Central stores each
event verbatim, once (a resend is a duplicate), and only after it follows the event before it:
same device, seq one higher, ``prev_hash`` equal to that event's hash (the genesis hash for the
first) and a ``hash`` that recomputes. The first event that does not fit stops the batch with a
409 naming its seq; what verified before it is kept. Central never repairs a laptop's chain: it
is evidence. ``GET /admin/devices/{id}/audit/verify`` re-checks a stored chain end to end.

Both paths live on this one router (included without a prefix), so the app adds one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.auth import admin_actor, admin_transaction, device_actor, device_transaction
from rhi_central.errors import ErrorResponse
from rhi_central.models import Device, DeviceAuditEvent
from rhi_central.routes.deps import AdminCreds, CentralDep, DeviceCreds
from rhi_central.timeutil import utcnow
from rhi_core.canonical import audit_event_digest
from rhi_core.protocol import (
    API_PREFIX,
    AUDIT_GENESIS,
    AUDIT_VERIFIED_HEADER,
    MAX_AUDIT_EVENTS,
    AuditBatchRequest,
    AuditBatchResponse,
    AuditEventWire,
)

router = APIRouter()
PUSH = "device_audit.push"
VERIFY = "device_audit.verify"


class DeviceAuditVerifyResponse(BaseModel):
    ok: bool
    events: int
    first_problem: str | None = None


def _wire_digest(ev: AuditEventWire) -> str:
    return audit_event_digest(
        prev_hash=ev.prev_hash,
        id=ev.id,
        at=ev.at.astimezone(UTC),  # central stores UTC; a hash over another offset won't do
        actor=ev.actor,
        action=ev.action,
        entity=ev.entity,
        entity_id=ev.entity_id,
        detail=ev.detail,
    )


def _row_digest(row: DeviceAuditEvent) -> str:
    return audit_event_digest(
        prev_hash=row.prev_hash,
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=row.detail,
    )


@dataclass
class _Outcome:
    stored: int = 0
    duplicates: int = 0
    verified_through: int = 0
    problem: str | None = None
    problem_seq: int | None = None


def _tip(session: Session, device_id: str) -> tuple[int, str]:
    """(seq, hash) of the newest stored event of this device's chain, or (0, genesis)."""
    row = session.execute(
        select(DeviceAuditEvent.seq, DeviceAuditEvent.hash)
        .where(DeviceAuditEvent.device_id == device_id)
        .order_by(DeviceAuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row is not None else (0, AUDIT_GENESIS)


def _ingest(session: Session, device: Device, events: list[AuditEventWire]) -> _Outcome:
    # One push per device at a time: the row lock orders them (PostgreSQL; SQLite has one writer).
    session.execute(select(Device.id).where(Device.id == device.id).with_for_update()).one()
    last_seq, last_hash = _tip(session, device.id)
    out = _Outcome(verified_through=last_seq)
    known = {
        row.id: row
        for row in session.scalars(
            select(DeviceAuditEvent).where(DeviceAuditEvent.id.in_({e.id for e in events}))
        )
    }
    now = utcnow()

    def refuse(seq: int, why: str) -> _Outcome:
        held = (
            f"central holds this laptop's chain up to #{out.verified_through}"
            if out.verified_through
            else "central holds none of this laptop's chain yet"
        )
        out.problem_seq = seq
        out.problem = f"audit event #{seq} was refused: {why}; {held}"
        return out

    for ev in events:
        held = known.get(ev.id)
        if held is not None:
            if held.device_id != device.id:
                return refuse(ev.seq, "that event belongs to another device's chain")
            if (held.seq, held.hash, held.prev_hash) != (ev.seq, ev.hash, ev.prev_hash):
                return refuse(ev.seq, "it differs from the copy central already holds")
            out.duplicates += 1
            continue
        if ev.seq <= last_seq:
            return refuse(ev.seq, f"central already holds a different event #{ev.seq}")
        if ev.seq != last_seq + 1:
            return refuse(ev.seq, f"events #{last_seq + 1} to #{ev.seq - 1} before it are missing")
        if ev.prev_hash != last_hash:
            what = "the start of the chain" if last_seq == 0 else f"event #{last_seq}"
            return refuse(ev.seq, f"it does not follow {what}")
        if _wire_digest(ev) != ev.hash:
            return refuse(ev.seq, "its hash does not match its content (it was altered)")
        row = DeviceAuditEvent(
            device_id=device.id,
            seq=ev.seq,
            id=ev.id,
            at=ev.at,
            actor=ev.actor,
            action=ev.action,
            entity=ev.entity,
            entity_id=ev.entity_id,
            detail=ev.detail,
            prev_hash=ev.prev_hash,
            hash=ev.hash,
            received_at=now,
        )
        session.add(row)
        known[ev.id] = row
        last_seq, last_hash = ev.seq, ev.hash
        out.stored += 1
        out.verified_through = last_seq
    return out


@router.post(
    f"{API_PREFIX}/audit/events",
    response_model=AuditBatchResponse,
    tags=["device"],
    responses={
        401: {"description": "Missing or unknown device token"},
        403: {"description": "`device revoked`: the laptop must wipe its data"},
        409: {
            "model": ErrorResponse,
            "description": "The chain breaks at the event named in `detail` (gap, mismatch or "
            f"alteration); the `{AUDIT_VERIFIED_HEADER}` header gives the last seq central holds",
        },
        413: {"description": f"More than {MAX_AUDIT_EVENTS} events"},
    },
)
def push_audit_events(
    body: AuditBatchRequest, central: CentralDep, credentials: DeviceCreds
) -> AuditBatchResponse:
    """Store the next events of this laptop's audit chain, oldest first. Idempotent on the
    event id; each new event must follow the one before it, or the batch stops there (409)."""
    with device_transaction(central, credentials, PUSH) as (session, device):
        if len(body.events) > MAX_AUDIT_EVENTS:
            raise HTTPException(
                413,
                f"an audit batch may hold at most {MAX_AUDIT_EVENTS} events, this one has "
                f"{len(body.events)}; send it in smaller batches",
            )
        outcome = _ingest(session, device, body.events)
        seqs = [e.seq for e in body.events]
        audit.record(
            session,
            actor=device_actor(device),
            action=PUSH if outcome.problem is None else f"{PUSH}.refused",
            entity="device",
            entity_id=device.id,
            detail={
                "received": len(body.events),
                "first_seq": min(seqs, default=None),
                "last_seq": max(seqs, default=None),
                "stored": outcome.stored,
                "duplicates": outcome.duplicates,
                "verified_through_seq": outcome.verified_through,
                "refused_seq": outcome.problem_seq,
                "caught_up": bool(body.events) and body.events[-1].hash == body.device_chain_head,
            },
        )
    # Outside the transaction: what verified is committed, the refusal is answered after.
    if outcome.problem is not None:
        raise HTTPException(
            409,
            outcome.problem,
            headers={AUDIT_VERIFIED_HEADER: str(outcome.verified_through)},
        )
    return AuditBatchResponse(
        stored=outcome.stored,
        duplicates=outcome.duplicates,
        verified_through_seq=outcome.verified_through,
    )


def verify_device_chain(session: Session, device_id: str) -> str | None:
    """The first problem in one device's stored chain, or None; streamed in seq order."""
    result = session.execute(
        select(DeviceAuditEvent)
        .where(DeviceAuditEvent.device_id == device_id)
        .order_by(DeviceAuditEvent.seq)
        .execution_options(yield_per=2000)
    )
    try:
        return _first_problem(result.scalars())
    finally:
        result.close()  # a server-side cursor on PostgreSQL: close it even on an early return


def _first_problem(rows: Iterable[DeviceAuditEvent]) -> str | None:
    prev, expected = AUDIT_GENESIS, 1
    for row in rows:
        if row.seq != expected:
            return f"events #{expected} to #{row.seq - 1} are missing"
        if row.prev_hash != prev:
            return f"event #{row.seq} does not follow the one before"
        if _row_digest(row) != row.hash:
            return f"event #{row.seq} was altered"
        prev, expected = row.hash, row.seq + 1
    return None


@router.get(
    "/admin/devices/{device_id}/audit/verify",
    response_model=DeviceAuditVerifyResponse,
    tags=["admin"],
    responses={404: {"model": ErrorResponse, "description": "No such device"}},
)
def verify_device_audit(
    device_id: str, central: CentralDep, credentials: AdminCreds
) -> DeviceAuditVerifyResponse:
    """Check one laptop's audit chain as central holds it, from its first event to its last."""
    with admin_transaction(central, credentials, VERIFY) as (session, admin):
        if session.get(Device, device_id) is None:
            raise HTTPException(404, f"there is no device {device_id!r}")
        problem = verify_device_chain(session, device_id)
        total = session.scalar(
            select(func.count())
            .select_from(DeviceAuditEvent)
            .where(DeviceAuditEvent.device_id == device_id)
        )
        audit.record(
            session,
            actor=admin_actor(admin),
            action=VERIFY,
            entity="device",
            entity_id=device_id,
            detail={"ok": problem is None, "events": int(total or 0)},
        )
        return DeviceAuditVerifyResponse(
            ok=problem is None, events=int(total or 0), first_problem=problem
        )
