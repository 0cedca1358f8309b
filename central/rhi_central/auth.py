"""Bearer tokens for devices and administrators, and the audited transaction every request
runs in.

Tokens are 32 random bytes (urlsafe base64). Only their SHA-256 is stored: a database dump does
not let anyone sync as a laptop or act as an administrator. Device and admin tokens live in
separate tables and are checked by separate dependencies, so neither kind opens the other's
endpoints (least privilege).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.context import Central
from rhi_central.models import AdminToken, Device
from rhi_central.timeutil import utcnow
from rhi_core.protocol import DEVICE_REVOKED


class _CheckedBearer(HTTPBearer):
    """Refuses a missing, unknown or revoked token BEFORE the request body is validated, so an
    unauthenticated caller learns nothing about the API (not even a 422 on its body). The
    endpoint still resolves and audits the caller itself; this is the gate in front of it."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        super().__init__(auto_error=False, **kwargs)
        self._kind = kind

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        credentials = await super().__call__(request)
        central: Central = request.app.state.central
        try:
            with central.db.transaction() as s:
                _gate(s, self._kind, credentials)
        except _Refused as refused:
            with central.db.transaction() as s:
                audit.record(
                    s,
                    actor=refused.actor,
                    action=f"{self._kind}_auth.refused",
                    detail={
                        "status": refused.status_code,
                        "reason": refused.detail,
                        "path": request.url.path[:200],
                    },
                )
            headers = _challenge(refused.detail) if refused.status_code == 401 else None
            raise HTTPException(refused.status_code, refused.detail, headers=headers) from None
        return credentials


device_bearer = _CheckedBearer(
    "device", scheme_name="DeviceToken", description="Token issued at enrolment"
)
admin_bearer = _CheckedBearer(
    "admin", scheme_name="AdminToken", description="From `rhi-central admin-token`"
)

Credentials = HTTPAuthorizationCredentials | None


CONTACT_RESOLUTION = timedelta(seconds=60)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _Refused(Exception):
    def __init__(self, status_code: int, detail: str, actor: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.actor = actor


def _challenge(detail: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{detail}"'}


def _gate(session: Session, kind: str, credentials: Credentials) -> None:
    """Read-only: is this a live token of the right kind? (No last-contact write here.)"""
    if credentials is None:
        raise _Refused(
            401,
            f"a{'n administrator' if kind == 'admin' else ' device'} token is required",
            "anonymous",
        )
    digest = token_hash(credentials.credentials)
    if kind == "device":
        revoked = session.execute(
            select(Device.revoked_at, Device.id).where(Device.token_sha256 == digest)
        ).first()
        if revoked is None:
            raise _Refused(401, "unknown device token", "anonymous")
        if revoked[0] is not None:
            raise _Refused(403, DEVICE_REVOKED, f"device:{revoked[1]}")
        return
    admin = session.execute(
        select(AdminToken.revoked_at).where(AdminToken.token_sha256 == digest)
    ).first()
    if admin is None or admin[0] is not None:
        raise _Refused(401, "this endpoint needs a valid administrator token", "anonymous")


def _device(session: Session, credentials: Credentials) -> Device:
    if credentials is None:
        raise _Refused(401, "a device token is required", "anonymous")
    device = session.execute(
        select(Device).where(Device.token_sha256 == token_hash(credentials.credentials))
    ).scalar_one_or_none()
    if device is None:
        raise _Refused(401, "unknown device token", "anonymous")
    if device.revoked_at is not None:
        # Exact wording is part of the protocol: the laptop wipes itself when it sees it.
        raise _Refused(403, DEVICE_REVOKED, f"device:{device.id}")
    now = utcnow()
    last = device.last_contact_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    # "Last contact" is for administrators (minutes matter, not milliseconds): writing it on
    # every request would turn 50 laptops' reads into contended row updates.
    if last is None or now - last > CONTACT_RESOLUTION:
        device.last_contact_at = now
    return device


def _admin(session: Session, credentials: Credentials) -> AdminToken:
    if credentials is None:
        raise _Refused(401, "an administrator token is required", "anonymous")
    admin = session.execute(
        select(AdminToken).where(AdminToken.token_sha256 == token_hash(credentials.credentials))
    ).scalar_one_or_none()
    if admin is None or admin.revoked_at is not None:
        raise _Refused(401, "this endpoint needs a valid administrator token", "anonymous")
    return admin


def device_actor(device: Device) -> str:
    return f"device:{device.id}"


def admin_actor(admin: AdminToken) -> str:
    return f"admin:{admin.name}"


@contextlib.contextmanager
def _audited(central: Central, action: str, actor: str | None) -> Iterator[dict[str, Any]]:
    """Record refusals in a transaction of their own (the request's one was rolled back)."""
    who: dict[str, Any] = {"actor": actor}
    try:
        yield who
    except _Refused as refused:
        with central.db.transaction() as s:
            audit.record(
                s,
                actor=refused.actor,
                action=f"{action}.refused",
                detail={"status": refused.status_code, "reason": refused.detail},
            )
        headers = _challenge(refused.detail) if refused.status_code == 401 else None
        raise HTTPException(refused.status_code, refused.detail, headers=headers) from None
    except HTTPException as exc:
        with central.db.transaction() as s:
            audit.record(
                s,
                actor=who["actor"] or "anonymous",
                action=f"{action}.refused",
                detail={"status": exc.status_code, "reason": str(exc.detail)},
            )
        raise


@contextlib.contextmanager
def device_transaction(
    central: Central, credentials: Credentials, action: str
) -> Iterator[tuple[Session, Device]]:
    """One transaction for a device request, after the token check. The route records its
    own audit event (last, to hold the audit lock briefly); refusals are audited here."""
    with _audited(central, action, None) as who, central.db.transaction() as session:
        device = _device(session, credentials)
        who["actor"] = device_actor(device)
        yield session, device


@contextlib.contextmanager
def admin_transaction(
    central: Central, credentials: Credentials, action: str
) -> Iterator[tuple[Session, AdminToken]]:
    with _audited(central, action, None) as who, central.db.transaction() as session:
        admin = _admin(session, credentials)
        who["actor"] = admin_actor(admin)
        yield session, admin


@contextlib.contextmanager
def anonymous_transaction(central: Central, action: str) -> Iterator[Session]:
    """For enrolment: no token yet, the one-time code is the credential."""
    with _audited(central, action, "anonymous"), central.db.transaction() as session:
        yield session
