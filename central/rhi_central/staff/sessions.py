"""Console sessions, kept on the server: the browser holds a random token, the database its
SHA-256 (a database dump does not let anyone sign in as staff).

A session is refused when it has been idle longer than the idle timeout or is older than the
maximum lifetime; signing in always starts a new session (no fixation). A session without a
user is a browser at the sign-in form or in the middle of single sign-on; it carries the CSRF
token of the sign-in form and, during single sign-on, the pending request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from rhi_central.models import ConsoleSession, StaffUser
from rhi_central.service_settings import ServiceSettings

# How often last_seen_at is written: minutes matter for the idle timeout, not seconds.
TOUCH_EVERY = timedelta(seconds=60)
# A browser that opened the sign-in form (or started single sign-on) has this long to finish.
PENDING_LIFETIME = timedelta(minutes=30)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class SessionState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # idle too long or too old: the person must sign in again
    UNKNOWN = "unknown"  # not a session of ours (signed out, forged, or cleaned up)


@dataclass(frozen=True, slots=True)
class Loaded:
    state: SessionState
    row: ConsoleSession | None = None
    user: StaffUser | None = None


def start(
    session: Session, *, user_id: str | None, now: datetime, data: dict[str, Any] | None = None
) -> tuple[str, ConsoleSession]:
    """A new session; returns the token for the cookie (shown nowhere else) and the row."""
    token = new_token()
    row = ConsoleSession(
        token_sha256=token_sha256(token),
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        data=data,
    )
    session.add(row)
    session.flush()
    return token, row


def load(session: Session, token: str | None, now: datetime, settings: ServiceSettings) -> Loaded:
    if not token or len(token) > 100:
        return Loaded(SessionState.UNKNOWN)
    found = session.execute(
        select(ConsoleSession, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_sha256 == token_sha256(token))
    ).first()
    if found is None:
        return Loaded(SessionState.UNKNOWN)
    row, user = found
    if _expired(row, now, settings):
        session.delete(row)
        return Loaded(SessionState.EXPIRED, row, user)
    if user is not None and user.disabled_at is not None:
        session.delete(row)
        return Loaded(SessionState.UNKNOWN)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Loaded(SessionState.ACTIVE, row, user)


def _expired(row: ConsoleSession, now: datetime, settings: ServiceSettings) -> bool:
    if row.user_id is None:
        return now - row.created_at > PENDING_LIFETIME
    idle = timedelta(minutes=settings.session_idle_minutes)
    return now - row.last_seen_at > idle or now - row.created_at > timedelta(
        hours=settings.session_max_hours
    )


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(
            delete(ConsoleSession).where(ConsoleSession.token_sha256 == token_sha256(token))
        )


def end_all_for(session: Session, user_id: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))


def clean_up(session: Session, now: datetime, settings: ServiceSettings) -> int:
    """Delete sessions that can no longer be used; returns how many."""
    idle = now - timedelta(minutes=settings.session_idle_minutes)
    too_old = now - timedelta(hours=settings.session_max_hours)
    pending = now - PENDING_LIFETIME
    result = session.execute(
        delete(ConsoleSession).where(
            or_(
                ConsoleSession.last_seen_at < idle,
                ConsoleSession.created_at < too_old,
                (ConsoleSession.user_id.is_(None)) & (ConsoleSession.created_at < pending),
            )
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
