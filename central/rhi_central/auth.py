"""Who is calling, and the audited transaction every request runs in.

The token itself is checked by the gate (``rhi_central.gate``) before the body is read; the
dependencies here only hand the gate's ``Principal`` to the route (no second lookup) and
declare the bearer schemes in the OpenAPI document. Device and admin tokens live in separate
tables and are checked separately, so neither kind opens the other's endpoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer
from sqlalchemy import update
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.context import Central
from rhi_central.gate import PRINCIPAL_KEY, Principal
from rhi_central.models import Device
from rhi_central.timeutil import utcnow
from rhi_central.tokens import new_token, token_hash

__all__ = [
    "Principal",
    "admin_actor",
    "admin_bearer",
    "admin_transaction",
    "anonymous_transaction",
    "device_actor",
    "device_bearer",
    "device_transaction",
    "new_token",
    "token_hash",
]

CONTACT_RESOLUTION = timedelta(seconds=60)


class _GateBearer(HTTPBearer):
    """The caller the gate resolved; documents the bearer scheme. No database work here."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(auto_error=False, **kwargs)
        self._kind = kind

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        principal = request.scope.get("state", {}).get(PRINCIPAL_KEY)
        if not isinstance(principal, Principal) or principal.kind != self._kind:
            raise HTTPException(401, f"a {self._kind} token is required")  # not behind the gate
        return principal


device_bearer = _GateBearer(
    "device", scheme_name="DeviceToken", description="Token issued at enrolment"
)
admin_bearer = _GateBearer(
    "admin", scheme_name="AdminToken", description="From `rhi-central admin-token`"
)


def device_actor(device: Principal | Device) -> str:
    return f"device:{device.id}"


def admin_actor(admin: Principal) -> str:
    return f"admin:{admin.name}"


@contextlib.contextmanager
def _audited(
    central: Central, action: str, actor: str, context: dict[str, Any] | None = None
) -> Iterator[None]:
    """Record a refusal in a transaction of its own (the request's one was rolled back)."""
    try:
        yield
    except Exception as exc:
        http = getattr(exc, "http", exc)  # a wrapped refusal (enrolment) carries its answer
        if not isinstance(http, HTTPException):
            raise
        with central.db.transaction() as s:
            audit.record(
                s,
                actor=actor,
                action=f"{action}.refused",
                detail={"status": http.status_code, "reason": str(http.detail), **(context or {})},
            )
        raise


def _touch(session: Session, device: Principal) -> None:
    # "Last contact" is for administrators (minutes matter, not milliseconds): writing it on
    # every request would turn 50 laptops' reads into contended row updates.
    now = utcnow()
    last = device.last_contact_at
    if last is None or now - last > CONTACT_RESOLUTION:
        session.execute(update(Device).where(Device.id == device.id).values(last_contact_at=now))


@contextlib.contextmanager
def device_transaction(
    central: Central, device: Principal, action: str
) -> Iterator[tuple[Session, Principal]]:
    """One transaction for a device request (the gate checked the token). The route records
    its own audit event; refusals (HTTPException) are audited here."""
    with _audited(central, action, device_actor(device)), central.db.transaction() as session:
        _touch(session, device)
        yield session, device


@contextlib.contextmanager
def admin_transaction(
    central: Central, admin: Principal, action: str
) -> Iterator[tuple[Session, Principal]]:
    with _audited(central, action, admin_actor(admin)), central.db.transaction() as session:
        yield session, admin


@contextlib.contextmanager
def anonymous_transaction(
    central: Central, action: str, context: dict[str, Any] | None = None
) -> Iterator[Session]:
    """For enrolment: no token yet, the one-time code is the credential."""
    with _audited(central, action, "anonymous", context), central.db.transaction() as session:
        yield session
