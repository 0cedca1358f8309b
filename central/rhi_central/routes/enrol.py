"""Enrolment: a one-time code from an administrator buys a laptop its device token and its
worker's signing certificate."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select

from rhi_central import audit, ratelimit
from rhi_central.auth import anonymous_transaction, new_token, token_hash
from rhi_central.ca import CaError, CsrError, get_ca, issue_worker_certificate
from rhi_central.context import Central
from rhi_central.errors import ErrorResponse
from rhi_central.models import Device, EnrolCode
from rhi_central.ops import normalise_code
from rhi_central.routes.deps import CentralDep
from rhi_central.settings import Settings
from rhi_central.timeutil import new_id, utcnow
from rhi_core.protocol import EnrolRequest, EnrolResponse

router = APIRouter(tags=["device"])


@router.post(
    "/enrol",
    response_model=EnrolResponse,
    responses={
        400: {"model": ErrorResponse, "description": "Unknown enrolment code"},
        409: {"model": ErrorResponse, "description": "Code already used"},
        410: {"model": ErrorResponse, "description": "Code expired"},
        422: {"model": ErrorResponse, "description": "Unusable body or signing request"},
        429: {
            "model": ErrorResponse,
            "description": "Too many failed enrolments from this address or with this code; "
            "wait `Retry-After` seconds",
        },
    },
)
def enrol(body: EnrolRequest, central: CentralDep, request: Request) -> EnrolResponse:
    """Exchange a one-time code and a CSR for a device token and a signing certificate."""
    settings = central.settings
    address = ratelimit.client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        settings.trusted_proxies,
    )
    code_sha = token_hash(normalise_code(body.code))
    keys = [ratelimit.address_key(address)]
    with central.db.transaction() as s:
        now = utcnow()
        wait = ratelimit.retry_after(s, [*keys, ratelimit.code_key(code_sha)], now)
        if wait:
            audit.record(
                s,
                actor="anonymous",
                action="device.enrol.refused",
                detail={"status": 429, "address": address, "retry_after_s": wait},
            )
    if wait:
        raise HTTPException(
            429,
            f"too many failed enrolment attempts; try again in {wait // 60 + 1} minutes",
            headers={"Retry-After": str(wait)},
        )
    try:
        return _enrol(body, central, settings, code_sha, address)
    except _CodeFailure as failure:
        # Counted in a transaction of its own: the request's one was rolled back.
        with central.db.transaction() as s:
            if failure.code_known:
                keys.append(ratelimit.code_key(code_sha))
            ratelimit.record_failure(s, keys, utcnow())
        raise failure.http from None


class _CodeFailure(Exception):
    def __init__(self, http: HTTPException, code_known: bool) -> None:
        self.http, self.code_known = http, code_known


def _enrol(
    body: EnrolRequest, central: Central, settings: Settings, code_sha: str, address: str
) -> EnrolResponse:
    def refuse(status: int, detail: str, code_known: bool) -> _CodeFailure:
        return _CodeFailure(HTTPException(status, detail), code_known)

    with anonymous_transaction(central, "device.enrol", {"address": address}) as session:
        code = session.execute(
            select(EnrolCode)
            .where(EnrolCode.code_sha256 == code_sha)
            .with_for_update()  # two laptops racing with one code: exactly one wins
        ).scalar_one_or_none()
        now = utcnow()
        if code is None:
            raise refuse(400, "unknown enrolment code", False)
        if code.used_at is not None:
            raise refuse(409, "this enrolment code has already been used", True)
        if code.expires_at <= now:
            raise refuse(410, "this enrolment code has expired; ask for a new one", True)
        try:
            ca = get_ca(session, settings)
            cert = issue_worker_certificate(
                ca, body.csr_pem, worker=code.worker, council_name=settings.council_name
            )
        except CsrError as exc:
            raise refuse(422, str(exc), True) from None
        except CaError as exc:
            raise HTTPException(503, str(exc)) from None
        token = new_token()
        device = Device(
            id=new_id(),
            name=body.device_name.strip(),
            worker=code.worker,
            token_sha256=token_hash(token),
            certificate_serial=format(cert.serial_number, "x"),
            enrolled_at=now,
            last_contact_at=now,
        )
        session.add(device)
        code.used_at = now
        code.device_id = device.id
        session.flush()
        audit.record(
            session,
            actor=f"device:{device.id}",
            action="device.enrol",
            entity="device",
            entity_id=device.id,
            detail={"worker": code.worker, "name": device.name, "code_id": code.id},
        )
        return EnrolResponse(
            device_id=device.id,
            device_token=token,
            worker=code.worker,
            council_name=settings.council_name,
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            ca_certificate_pem=ca.certificate_pem,
        )
