"""Integration tokens: 32 random bytes shown once, stored as SHA-256, revocable, audited.

They open only the integration endpoint (POST /api/v1/integration/episodes): not the device API,
not /admin, not the console.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.auth import new_token, token_hash
from rhi_central.models import IntegrationToken
from rhi_central.ops import OpError
from rhi_central.timeutil import new_id

LAST_USED_RESOLUTION = timedelta(minutes=1)


def create(
    session: Session, name: str, *, actor: str, now: datetime
) -> tuple[str, IntegrationToken]:
    name = " ".join(name.split())
    if not name:
        raise OpError(422, "Name the system that will use the token.")
    if len(name) > 200:
        raise OpError(422, "Keep the name under 200 characters.")
    token = new_token()
    row = IntegrationToken(
        id=new_id(), name=name, token_sha256=token_hash(token), created_at=now, created_by=actor
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="integration_token.create", entity="integration_token",
        entity_id=row.id, detail={"name": name},
    )  # fmt: skip
    return token, row


def list_tokens(session: Session) -> list[IntegrationToken]:
    return list(session.scalars(select(IntegrationToken).order_by(IntegrationToken.created_at)))


def revoke(session: Session, token_id: str, *, actor: str, now: datetime) -> IntegrationToken:
    row = session.get(IntegrationToken, token_id)
    if row is None:
        raise OpError(404, "There is no such integration token.")
    if row.revoked_at is None:
        row.revoked_at = now
    audit.record(
        session, actor=actor, action="integration_token.revoke", entity="integration_token",
        entity_id=row.id, detail={"name": row.name},
    )  # fmt: skip
    return row


def authenticate(session: Session, token: str | None, *, now: datetime) -> IntegrationToken | None:
    """The live token this bearer value is, or None."""
    if not token:
        return None
    row = session.scalar(
        select(IntegrationToken).where(IntegrationToken.token_sha256 == token_hash(token))
    )
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row
