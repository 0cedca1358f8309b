"""Who is asking, and may they: the one gate in front of every console route.

Each route declares ``Depends(Guard(permission, ...))``; the guard finds the session from the
cookie, checks the CSRF token on every form post, and checks the role holds one of the route's
permissions. The authorisation tests read the guards back from the routes, so a route without
one, or with the wrong one, cannot go unnoticed. Every refusal is audited and shown as one page
with a 4xx status; a browser with no session at all is sent to the sign-in form.

The checks run in the thread pool: the event loop never waits on the database.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rhi_central import audit
from rhi_central.console.errors import ConsoleError, ConsoleRedirect
from rhi_central.console.formdata import read_form
from rhi_central.console.web import PREFIX
from rhi_central.context import Central
from rhi_central.models import EscalationTask, StaffUser
from rhi_central.staff import sessions
from rhi_central.staff.roles import Permission, Role, can, sees_all_children
from rhi_central.staff.service import user_actor
from rhi_central.timeutil import utcnow

SESSION_COOKIE = "__Host-rhi-console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    permissions: frozenset[Permission]
    count: int | None = None
    current: bool = False


# The console's sections in the order staff meet them. A section shows only to roles holding
# one of its permissions (the same check the routes make). Later sections (review queue,
# figures, devices, forms, audit, themes) add a line here and, for a badge, a count below.
NAV_ITEMS: tuple[tuple[str, str, frozenset[Permission]], ...] = (
    ("Board", "/board", frozenset({Permission.BOARD, Permission.BOARD_COUNTS})),
    ("Tasks", "/tasks", frozenset({Permission.TASKS})),
    ("Children", "/children", frozenset({Permission.CHILD_VIEW})),
    ("Record an episode", "/episodes/new", frozenset({Permission.EPISODE_RECORD})),
    ("Import", "/import", frozenset({Permission.EPISODE_IMPORT})),
    ("Workers", "/workers", frozenset({Permission.WORKLOAD})),
    ("Daily report", "/reports/daily-missing", frozenset({Permission.DAILY_REPORT})),
    ("Users", "/users", frozenset({Permission.USERS})),
    ("Integrations", "/integrations", frozenset({Permission.INTEGRATIONS})),
)


def _nav_counts(session: Session, role: Role) -> dict[str, int]:
    counts: dict[str, int] = {}
    if can(role, Permission.TASKS):
        counts["/tasks"] = int(
            session.scalar(
                select(func.count())
                .select_from(EscalationTask)
                .where(EscalationTask.closed_at.is_(None))
            )
            or 0
        )
    return counts


def build_nav(session: Session, role: Role, path: str) -> list[NavItem]:
    counts = _nav_counts(session, role)
    items = []
    for label, href, permissions in NAV_ITEMS:
        if not can(role, *permissions):
            continue
        full = PREFIX + href
        items.append(
            NavItem(
                label,
                full,
                permissions,
                counts.get(href),
                current=path == full or path.startswith(full + "/"),
            )
        )
    return items


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in member of staff, as routes see them (plain values, no ORM object)."""

    user_id: str
    email: str
    name: str
    role: Role
    csrf_token: str
    nav: list[NavItem] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return f"staff:{self.email}"

    @property
    def sees_all_children(self) -> bool:
        return sees_all_children(self.role)

    def can(self, *permissions: Permission) -> bool:
        return can(self.role, *permissions)


def get_central(request: Request) -> Central:
    central: Central = request.app.state.central
    return central


def record_refusal(
    request: Request, *, actor: str, reason: str, status: int, detail: dict[str, Any] | None = None
) -> None:
    """Audit a refusal in a transaction of its own (the request's was rolled back)."""
    with get_central(request).db.transaction() as s:
        audit.record(
            s,
            actor=actor,
            action="console.refused",
            detail={
                "reason": reason,
                "status": status,
                "path": request.url.path[:200],
                "method": request.method,
                **(detail or {}),
            },
        )


def refused(
    error: ConsoleError, *, actor: str, reason: str, detail: dict[str, Any] | None = None
) -> ConsoleError:
    """The error to raise, carrying its audit event (recorded when the page is shown)."""
    error.audit = (actor, reason, detail or {})
    return error


class Guard:
    """``Depends(Guard(Permission.X, ...))``: the route opens for roles holding any of them.

    ``Guard(public=True)`` marks the few routes anyone may call (sign-in, single sign-on); they
    still get the CSRF check of the sign-in session on a form post.
    """

    def __init__(self, *permissions: Permission, public: bool = False) -> None:
        if not permissions and not public:
            raise ValueError("a guarded route needs at least one permission")
        self.permissions = frozenset(permissions)
        self.public = public

    def __repr__(self) -> str:
        return f"Guard({', '.join(sorted(self.permissions)) or 'public'})"

    async def __call__(self, request: Request) -> Staff | None:
        form = None if request.method in SAFE_METHODS else await read_form(request)
        staff = await run_in_threadpool(self._check, request, form)
        request.state.staff = staff
        return staff

    def _check(self, request: Request, form: FormData | None) -> Staff | None:
        central = get_central(request)
        token = request.cookies.get(SESSION_COOKIE)
        now = utcnow()
        refusal: tuple[str, str, ConsoleError] | None = None
        staff: Staff | None = None
        with central.db.transaction() as s:
            loaded = sessions.load(s, token, now, central.service)
            user: StaffUser | None = loaded.user
            row = loaded.row
            if self.public:
                if form is not None and not _csrf_ok(form, row, loaded.state):
                    refusal = ("anonymous", "csrf", _csrf_error())
            elif loaded.state is sessions.SessionState.EXPIRED and user is not None:
                refusal = (user_actor(user), "session_expired", _expired_error())
            elif loaded.state is not sessions.SessionState.ACTIVE or user is None:
                if token and loaded.state is sessions.SessionState.UNKNOWN:
                    refusal = ("anonymous", "unknown_session", _expired_error())
                elif request.method in SAFE_METHODS:
                    raise ConsoleRedirect(
                        f"{PREFIX}/sign-in?next={quote(_next_path(request), safe='/')}"
                    )
                else:
                    refusal = ("anonymous", "no_session", _expired_error())
            else:
                role = Role(user.role)
                if form is not None and not _csrf_ok(form, row, loaded.state):
                    refusal = (user_actor(user), "csrf", _csrf_error())
                elif not can(role, *self.permissions):
                    refusal = (user_actor(user), "forbidden", forbidden())
                else:
                    assert row is not None
                    staff = Staff(
                        user.id,
                        user.email,
                        user.name,
                        role,
                        row.csrf_token,
                        build_nav(s, role, request.url.path),
                    )
        if refusal is not None:
            actor, reason, error = refusal
            raise refused(error, actor=actor, reason=reason)
        return staff


def _csrf_ok(form: FormData, row: Any, state: sessions.SessionState) -> bool:
    sent = form.get("csrf_token")
    if state is not sessions.SessionState.ACTIVE or row is None or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), row.csrf_token.encode())


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def _expired_error() -> ConsoleError:
    return ConsoleError(
        401,
        "Your session has ended",
        "You were signed out after a time without activity, or you signed out elsewhere. "
        "Sign in again to carry on; nothing you saved is lost.",
        sign_in_link=True,
    )


def _csrf_error() -> ConsoleError:
    return ConsoleError(
        403,
        "This form could not be accepted",
        "It was out of date or did not come from this console. Go back, reload the page and "
        "send the form again.",
    )


def forbidden(message: str | None = None) -> ConsoleError:
    return ConsoleError(
        403,
        "You do not have access to this page",
        message
        or "Your role does not include this part of the console. If you need it, ask "
        "the Missing Lead or an administrator.",
    )


def guard(*permissions: Permission) -> Any:
    """``Annotated[Staff, Depends(Guard(...))]`` for a route signature."""
    return Annotated[Staff, Depends(Guard(*permissions))]
