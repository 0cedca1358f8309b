"""Enrolment: a one-time code from an administrator buys this laptop a device token and the
worker's signing certificate from the central CA.

The wire part (a fresh key and CSR, the code) is ``sync.enrol``; this use case keeps what came
back: the token in the keychain, the key and certificate in the encrypted database through
``install_issued_identity`` (so every PDF signed afterwards carries the organisation's
certificate), and sync's memory of the central store, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from rhi_core.protocol import EnrolResponse
from rhi_desktop.security import audit
from rhi_desktop.store.models import AuditEvent
from rhi_desktop.sync import state
from rhi_desktop.sync.client import SyncClient, normalise_server_url
from rhi_desktop.sync.enrol import request_enrolment

from .profiles import Profile
from .signing_identity import install_issued_identity

__all__ = ["EnrolResult", "enrol", "store_enrolment"]


@dataclass(frozen=True)
class EnrolResult:
    device_id: str
    worker: str
    council_name: str
    server_url: str


def enrol(
    profile: Profile,
    server_url: str,
    code: str,
    *,
    device_name: str | None = None,
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> EnrolResult:
    """Enrol this laptop with a one-time code; raises a SyncError with one sentence."""
    url = normalise_server_url(server_url)
    with SyncClient(url, transport=transport) as client:
        key_pem, response = request_enrolment(client, code, profile.worker_name, device_name)
    # The code is spent now: save the token first, so a failure below still leaves a laptop
    # that can be fixed by enrolling again rather than a token nobody kept.
    with profile.transaction() as s:
        state.TokenStore(profile.profile_id, profile.demo).save(s, response.device_token)
        # A new device id starts a new chain on central: the whole trail goes again, from #1.
        s.execute(update(AuditEvent).values(synced=False))
        return store_enrolment(
            s,
            server_url=url,
            key_pem=key_pem,
            response=response,
            actor=profile.worker_name,
            profile_id=profile.profile_id,
            now=now or datetime.now(UTC),
        )


def store_enrolment(
    session: Session,
    *,
    server_url: str,
    key_pem: bytes,
    response: EnrolResponse,
    actor: str,
    profile_id: str,
    now: datetime,
) -> EnrolResult:
    """Everything but the token, in the caller's transaction (so it commits whole)."""
    install_issued_identity(
        session,
        key_pem,
        response.certificate_pem,
        response.ca_certificate_pem,
        actor=actor,
    )
    state.remember_enrolment(session, server_url=server_url, response=response, now=now)
    audit.record(
        session,
        actor=actor,
        action="sync.enrol",
        entity="profile",
        entity_id=profile_id,
        detail={"device_id": response.device_id},
    )
    return EnrolResult(response.device_id, response.worker, response.council_name, server_url)
