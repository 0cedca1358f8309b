"""Staff accounts: add, list, disable, sign in (with lockout), change a password, single sign-on.

Shared by the CLI (`rhi-central user ...`) and the console so both behave the same and leave the
same audit trail. Each function takes an open session and an actor; the caller owns the
transaction. Refusals are ``ops.OpError`` with one sentence for a human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rhi_central import audit
from rhi_central.models import StaffUser
from rhi_central.ops import OpError
from rhi_central.service_settings import ServiceSettings
from rhi_central.staff import sessions
from rhi_central.staff.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from rhi_central.staff.roles import ALLOCATABLE_ROLES, Role, parse_role
from rhi_central.timeutil import new_id

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserProblem(OpError):
    """A refused account change; ``field`` names the form field it is about."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(status, message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_actor(user: StaffUser) -> str:
    """How a member of staff appears in the audit trail: stable (the id) and readable."""
    return f"staff:{user.email}"


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str | Role,
    password: str | None,
    actor: str,
    now: datetime,
) -> StaffUser:
    email = normalise_email(email)
    name = " ".join(name.split())
    if not _EMAIL.match(email) or len(email) > 320:
        raise UserProblem("email", f"'{email}' is not an e-mail address.")
    if not name:
        raise UserProblem("name", "The name cannot be empty.")
    if len(name) > 200:
        raise UserProblem("name", "The name must be at most 200 characters.")
    try:
        role = role if isinstance(role, Role) else parse_role(role)
    except ValueError as exc:
        raise UserProblem("role", str(exc)) from None
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
        raise UserProblem("email", f"There is already an account for {email}.", 409)
    # The name is the worker identity allocation and laptops use: two people with one name
    # would share a caseload.
    if session.scalar(select(StaffUser.id).where(func.lower(StaffUser.name) == name.lower())):
        raise UserProblem(
            "name", f"There is already an account named {name}: add a middle initial.", 409
        )
    password_hash = None
    if password is not None:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise UserProblem("password", problem)
        password_hash = hash_password(password)
    user = StaffUser(
        id=new_id(),
        email=email,
        name=name,
        role=role.value,
        password_hash=password_hash,
        created_at=now,
        created_by=actor,
        failed_sign_ins=0,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.add",
        entity="staff_user",
        entity_id=user.id,
        detail={"email": email, "role": role.value, "password": password_hash is not None},
    )
    return user


def list_users(session: Session, actor: str) -> list[StaffUser]:
    users = list(session.scalars(select(StaffUser).order_by(StaffUser.name)))
    audit.record(session, actor=actor, action="users.list", detail={"count": len(users)})
    return users


def find_user(session: Session, email_or_id: str) -> StaffUser:
    key = email_or_id.strip()
    user = session.get(StaffUser, key) or session.scalar(
        select(StaffUser).where(StaffUser.email == normalise_email(key))
    )
    if user is None:
        raise OpError(404, f"There is no account for {key}.")
    return user


def disable_user(session: Session, email_or_id: str, *, actor: str, now: datetime) -> StaffUser:
    user = find_user(session, email_or_id)
    if user.disabled_at is None:
        if user.role == Role.ADMIN.value and _active_admins(session) <= 1:
            raise OpError(
                409, "This is the last active administrator: add another one before disabling it."
            )
        user.disabled_at = now
    sessions.end_all_for(session, user.id)
    audit.record(
        session,
        actor=actor,
        action="user.disable",
        entity="staff_user",
        entity_id=user.id,
        detail={"email": user.email},
    )
    return user


def _active_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(StaffUser.role == Role.ADMIN.value, StaffUser.disabled_at.is_(None))
        )
        or 0
    )


def allocatable_workers(session: Session) -> list[StaffUser]:
    """Active staff a child can be allocated to, by name."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.role.in_([r.value for r in ALLOCATABLE_ROLES]),
                StaffUser.disabled_at.is_(None),
            )
            .order_by(StaffUser.name)
        )
    )


class Refusal(StrEnum):
    WRONG = "wrong_email_or_password"
    LOCKED = "locked"
    DISABLED = "disabled"
    NO_PASSWORD = "no_local_password"


SIGN_IN_REFUSED = (
    "The e-mail address or password is not right. After {n} failed attempts in a row an "
    "account is locked for {m} minutes."
)


class SignInRefused(Exception):
    def __init__(self, reason: Refusal, user: StaffUser | None, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.user = user
        self.message = message


def authenticate(
    session: Session, email: str, password: str, *, now: datetime, settings: ServiceSettings
) -> StaffUser:
    """The account if the password is right; ``SignInRefused`` otherwise.

    Every refusal shows the same sentence (it does not say which accounts exist, nor that one is
    locked); the audit trail records the real reason. The password is checked even for unknown,
    disabled and locked accounts so the time taken does not tell them apart either.
    """
    message = SIGN_IN_REFUSED.format(n=settings.lockout_after, m=settings.lockout_minutes)
    user = session.scalar(
        select(StaffUser).where(StaffUser.email == normalise_email(email)).with_for_update()
    )
    right = verify_password(user.password_hash if user else None, password)
    if user is None:
        raise SignInRefused(Refusal.WRONG, None, message)
    if user.disabled_at is not None:
        raise SignInRefused(Refusal.DISABLED, user, message)
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused(Refusal.LOCKED, user, message)
    if user.password_hash is None:
        raise SignInRefused(
            Refusal.NO_PASSWORD, user, "This account signs in with single sign-on only."
        )
    if not right:
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        if user.failed_sign_ins >= settings.lockout_after:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_sign_ins = 0
        raise SignInRefused(Refusal.WRONG, user, message)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(
    session: Session, user: StaffUser, *, current: str, new: str, actor: str
) -> None:
    if user.password_hash is not None and not verify_password(user.password_hash, current):
        raise UserProblem("current_password", "The current password is not right.")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise UserProblem("new_password", problem)
    user.password_hash = hash_password(new)
    audit.record(
        session, actor=actor, action="user.password_change", entity="staff_user", entity_id=user.id
    )


@dataclass(frozen=True, slots=True)
class OidcIdentity:
    issuer: str
    subject: str
    email: str | None


def sign_in_with_oidc(session: Session, identity: OidcIdentity, *, now: datetime) -> StaffUser:
    """The account a verified ID token belongs to.

    The first time, the account is found by e-mail address and the identity is linked to it;
    from then on only that identity opens it (an e-mail address can be re-issued, a subject is
    not). Nobody gets an account by signing in: an administrator adds them first.
    """
    user = session.scalar(
        select(StaffUser).where(
            StaffUser.oidc_issuer == identity.issuer, StaffUser.oidc_subject == identity.subject
        )
    )
    if user is None and identity.email:
        candidate = session.scalar(
            select(StaffUser).where(StaffUser.email == normalise_email(identity.email))
        )
        if candidate is not None and candidate.oidc_subject is None:
            candidate.oidc_issuer, candidate.oidc_subject = identity.issuer, identity.subject
            user = candidate
    if user is None:
        raise SignInRefused(
            Refusal.WRONG,
            None,
            "Your council account has no access to this console: ask an administrator to add you.",
        )
    if user.disabled_at is not None:
        raise SignInRefused(
            Refusal.DISABLED, user, "This account is disabled: ask an administrator."
        )
    user.last_sign_in_at = now
    return user
