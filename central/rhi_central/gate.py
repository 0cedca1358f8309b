"""The gate: what every request meets before the application reads a byte of its body.

A pure ASGI middleware, so it runs before FastAPI parses anything:

1. A NUL in the path or query is refused (400): PostgreSQL could not store it anyway.
2. Device endpoints (``/api/v1/...`` but enrolment and the CRL) and administrator endpoints
   (``/admin/...``) need their kind of bearer token. The token is looked up once, in a worker
   thread (the event loop never waits on the database), and the caller (a ``Principal``) is
   handed to the route; a missing, unknown or revoked token is refused and audited here, with
   the body unread: an anonymous 50 MB upload costs the server nothing but the headers.
3. The body is limited per endpoint: a declared Content-Length over the limit is refused (413)
   before reading, a chunked body is cut off (413) as soon as it passes the limit.
4. Every response carries security headers; device and administrator responses (child data,
   tokens) also ``Cache-Control: no-store`` and a Content-Security-Policy that allows nothing.

Paths outside ``/api`` and ``/admin`` (the staff console, the docs) are left to their own
routes for authentication and body handling; they still get the general headers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
from sqlalchemy import select
from starlette.exceptions import HTTPException

from rhi_central import audit
from rhi_central.db import Database
from rhi_central.models import AdminToken, Device, IntegrationToken
from rhi_central.tokens import token_hash
from rhi_core.protocol import (
    API_PREFIX,
    DEVICE_REVOKED,
    MAX_BATCH_BYTES,
    MAX_REQUEST_BYTES,
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PUSH_PATH = f"{API_PREFIX}/interviews/batch"
PUBLIC_DEVICE_PATHS = frozenset({f"{API_PREFIX}/enrol", f"{API_PREFIX}/crl"})
# Bodies bigger than these are refused unread (bytes). Everything else: MAX_REQUEST_BYTES.
BODY_LIMITS = {
    PUSH_PATH: MAX_BATCH_BYTES,
    f"{API_PREFIX}/audit/events": 8 * MAX_REQUEST_BYTES,  # 500 events with their details
    "/admin/forms": 4 * MAX_REQUEST_BYTES,  # a whole questionnaire as JSON-escaped YAML
}
PRINCIPAL_KEY = "rhi.principal"

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000"),
)
API_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the gate found them: a device (with its worker) or an admin token."""

    kind: str  # "device", "admin" or "integration"
    id: str
    name: str
    worker: str | None = None
    last_contact_at: datetime | None = None


class Refused(Exception):
    def __init__(self, status: int, detail: str, actor: str) -> None:
        super().__init__(detail)
        self.status, self.detail, self.actor = status, detail, actor


INTEGRATION_PREFIX = API_PREFIX + "/integration/"


def kind_of(path: str) -> str | None:
    """ "device", "admin", "integration" or None (public, or not the gate's business)."""
    if path.startswith(INTEGRATION_PREFIX):
        return "integration"  # systems pushing episodes, with their own revocable tokens
    if path.startswith(API_PREFIX + "/"):
        return None if path in PUBLIC_DEVICE_PATHS else "device"
    if path == "/admin" or path.startswith("/admin/"):
        return "admin"
    return None


def resolve(db: Database, kind: str, token: str | None) -> Principal:
    """The caller behind a bearer token, in one autocommit read; ``Refused`` if none."""
    if not token:
        who = {"admin": "an administrator", "integration": "an integration"}.get(kind, "a device")
        raise Refused(401, f"{who} token is required", "anonymous")
    digest = token_hash(token)
    with db.reading() as conn:
        if kind == "integration":
            found = conn.execute(
                select(IntegrationToken.id, IntegrationToken.name).where(
                    IntegrationToken.token_sha256 == digest,
                    IntegrationToken.revoked_at.is_(None),
                )
            ).first()
            if found is None:
                raise Refused(401, "a valid integration token is required", "anonymous")
            return Principal("integration", found.id, found.name)
        if kind == "device":
            row = conn.execute(
                select(
                    Device.id, Device.name, Device.worker, Device.revoked_at, Device.last_contact_at
                ).where(Device.token_sha256 == digest)
            ).first()
            if row is None:
                raise Refused(401, "unknown device token", "anonymous")
            if row.revoked_at is not None:
                # Exact wording is part of the protocol: the laptop wipes itself when it sees it.
                raise Refused(403, DEVICE_REVOKED, f"device:{row.id}")
            return Principal("device", row.id, row.name, row.worker, row.last_contact_at)
        row = conn.execute(
            select(AdminToken.id, AdminToken.name, AdminToken.revoked_at).where(
                AdminToken.token_sha256 == digest
            )
        ).first()
    if row is None or row.revoked_at is not None:
        raise Refused(401, "this endpoint needs a valid administrator token", "anonymous")
    return Principal("admin", row.id, row.name)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else None
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _TooLarge(HTTPException):
    """Raised from ``receive`` when a body passes its limit. An HTTPException, so FastAPI's body
    reading lets it through and it is answered as a 413 with our sentence."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


async def _respond(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _challenge(detail: str) -> list[tuple[bytes, bytes]]:
    value = f'Bearer error="invalid_token", error_description="{detail}"'
    return [(b"www-authenticate", value.encode())]


class Gate:
    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/api/") or path == "/admin" or path.startswith("/admin/")
        extra = SECURITY_HEADERS + (API_HEADERS if api else ())
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", ())}
                message = dict(message)
                message["headers"] = list(message.get("headers", ())) + [
                    (name, value) for name, value in extra if name not in present
                ]
            await send(message)

        query = scope.get("query_string", b"").decode("latin-1")
        if "\x00" in path or "\x00" in unquote(query):
            # A NUL in a path or query (e.g. /admin/devices/%00/revoke) would reach PostgreSQL,
            # which cannot store it: refuse it up front as a plain 400.
            await _respond(send_with_headers, 400, "the address may not contain a NUL character")
            return

        kind = kind_of(path)
        if kind is not None:
            central = scope["app"].state.central
            try:
                principal = await anyio.to_thread.run_sync(
                    resolve, central.db, kind, _bearer(scope)
                )
            except Refused as refused:
                await anyio.to_thread.run_sync(_audit_refusal, central.db, kind, refused, path)
                headers = _challenge(refused.detail) if refused.status == 401 else None
                await _respond(send_with_headers, refused.status, refused.detail, headers)
                return
            scope.setdefault("state", {})[PRINCIPAL_KEY] = principal

        if not api:
            await self.app(scope, receive, send_with_headers)
            return
        limit = BODY_LIMITS.get(path, MAX_REQUEST_BYTES)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _respond(send_with_headers, 413, _too_large(limit))
            return
        seen = 0

        async def receive_limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, receive_limited, send_with_headers)
        except _TooLarge:
            if started:
                raise
            await _respond(send_with_headers, 413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"the request body is larger than this endpoint accepts ({limit // 1024:,} KB)"


def _audit_refusal(db: Database, kind: str, refused: Refused, path: str) -> None:
    with db.transaction() as s:
        audit.record(
            s,
            actor=refused.actor,
            action=f"{kind}_auth.refused",
            detail={"status": refused.status, "reason": refused.detail, "path": path[:200]},
        )
