"""Signing in and out: local accounts (Argon2id, lockout) and single sign-on (OpenID Connect).

Cookies: the session cookie is ``__Host-`` prefixed, Secure, HttpOnly and SameSite=Strict. A
sign-on in progress has its own short-lived SameSite=Lax cookie, because the provider sends the
browser back to us from another site (a Strict cookie would not come with it). Because the
provider's redirect is cross-site, the new session's Strict cookie would not be sent on a
redirect either: the callback answers with a small page that moves on by itself (and has a link).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rhi_central import audit
from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text
from rhi_central.console.guard import SESSION_COOKIE, Guard, Staff, get_central
from rhi_central.console.oidc import OidcClient, Pending, SsoFailed
from rhi_central.console.web import PREFIX, render
from rhi_central.staff import sessions
from rhi_central.staff.roles import Permission, Role
from rhi_central.staff.service import (
    Refusal,
    SignInRefused,
    authenticate,
    sign_in_with_oidc,
    user_actor,
)
from rhi_central.timeutil import utcnow

router = APIRouter()
not_found_router = APIRouter()
SSO_COOKIE = "__Host-rhi-sso"
Public = Annotated[Staff | None, Depends(Guard(public=True))]
Anyone = Annotated[Staff, Depends(Guard(Permission.ACCOUNT))]

HOME = {
    Role.MISSING_LEAD: "/board",
    Role.MANAGER: "/board",
    Role.SOCIAL_WORKER: "/board",
    Role.PERFORMANCE: "/board",
    Role.ADMIN: "/users",
}


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, secure=True, samesite="strict", path="/"
    )


def safe_next(value: str | None) -> str:
    """Only a path inside the console (never another site) is followed after sign-in."""
    if not value:
        return f"{PREFIX}/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"{PREFIX}/"):
        return f"{PREFIX}/"
    if parts.path.startswith(f"{PREFIX}/sign-"):
        return f"{PREFIX}/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _oidc(request: Request) -> OidcClient | None:
    central = get_central(request)
    if central.service.oidc is None:
        return None
    client = getattr(request.app.state, "console_oidc", None)
    if client is None or client.settings is not central.service.oidc:
        client = OidcClient(central.service.oidc)
        request.app.state.console_oidc = client
    return client  # type: ignore[no-any-return]


@router.get("/", name="console.home")
def home(request: Request, staff: Anyone) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}{HOME[staff.role]}", status_code=303)


@router.get("/accessibility", name="console.accessibility")
def accessibility(request: Request, _: Public) -> HTMLResponse:
    return render(request, "accessibility.html", {"title": "Accessibility statement"})


def _sign_in_page(
    request: Request,
    *,
    csrf_token: str,
    email: str = "",
    error: str | None = None,
    status: int = 200,
    next_path: str = "",
) -> HTMLResponse:
    central = get_central(request)
    errors = {"email": error} if error else {}
    return render(
        request,
        "sign_in.html",
        {
            "title": "Sign in",
            "csrf_token": csrf_token,
            "email": email,
            "errors": errors,
            "next_path": next_path,
            "oidc": central.service.oidc,
            "lockout_after": central.service.lockout_after,
            "lockout_minutes": central.service.lockout_minutes,
        },
        status=status,
    )


@router.get("/sign-in", name="console.sign_in")
def sign_in_form(request: Request, _: Public) -> Response:
    central = get_central(request)
    now = utcnow()
    token = request.cookies.get(SESSION_COOKIE)
    with central.db.transaction() as s:
        loaded = sessions.load(s, token, now, central.service)
        if loaded.state is sessions.SessionState.ACTIVE and loaded.user is not None:
            return RedirectResponse(f"{PREFIX}/", status_code=303)
        if loaded.state is sessions.SessionState.ACTIVE and loaded.row is not None:
            csrf, new_token = loaded.row.csrf_token, None
        else:
            new_token, row = sessions.start(s, user_id=None, now=now)
            csrf = row.csrf_token
    response = _sign_in_page(
        request, csrf_token=csrf, next_path=safe_next(request.query_params.get("next"))
    )
    if new_token:
        set_session_cookie(response, new_token)
    return response


@router.post("/sign-in", name="console.sign_in_post")
async def sign_in(request: Request, _: Public) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_sign_in, request, text(form, "email", 320), form)


def _sign_in(request: Request, email: str, form: FormData) -> Response:
    central = get_central(request)
    now = utcnow()
    raw_password = form.get("password")
    password = raw_password if isinstance(raw_password, str) else ""
    next_path = safe_next(text(form, "next", 2000))
    token = request.cookies.get(SESSION_COOKIE)
    refused: SignInRefused | None = None
    new_token: str | None = None
    csrf = ""
    with central.db.transaction() as s:
        loaded = sessions.load(s, token, now, central.service)
        csrf = loaded.row.csrf_token if loaded.row is not None else ""
        if not email or not password:
            refused = SignInRefused(Refusal.WRONG, None, "Enter your e-mail address and password.")
        else:
            try:
                user = authenticate(s, email, password, now=now, settings=central.service)
            except SignInRefused as exc:
                refused = exc
            else:
                sessions.end(s, token)  # a new session on every sign-in: no fixation
                new_token, _row = sessions.start(s, user_id=user.id, now=now)
                audit.record(
                    s,
                    actor=user_actor(user),
                    action="console.sign_in",
                    detail={"method": "password"},
                )
        if refused is not None:
            audit.record(
                s,
                actor=user_actor(refused.user) if refused.user else "anonymous",
                action="console.sign_in_refused",
                detail={"reason": refused.reason.value, "email": email[:320]},
            )
    if refused is not None:
        return _sign_in_page(
            request,
            csrf_token=csrf,
            email=email,
            error=refused.message,
            status=401,
            next_path=next_path,
        )
    assert new_token is not None
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, new_token)
    return response


@router.post("/sign-out", name="console.sign_out")
def sign_out(request: Request, staff: Anyone) -> RedirectResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        sessions.end(s, request.cookies.get(SESSION_COOKIE))
        audit.record(s, actor=staff.actor, action="console.sign_out")
    response = RedirectResponse(f"{PREFIX}/sign-in?done=signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


def _callback_url(request: Request) -> str:
    central = get_central(request)
    base = central.service.console_url or str(request.base_url).rstrip("/")
    return f"{base}{PREFIX}/sign-in/sso/callback"


@router.get("/sign-in/sso", name="console.sso_start")
def sso_start(request: Request, _: Public) -> Response:
    client = _oidc(request)
    if client is None:
        raise ConsoleError(404, "Page not found", "Single sign-on is not set up here.")
    central = get_central(request)
    try:
        url, pending = client.start(
            _callback_url(request), safe_next(request.query_params.get("next"))
        )
    except SsoFailed as exc:
        raise ConsoleError(502, "Single sign-on is not available", str(exc)) from None
    with central.db.transaction() as s:
        token, _row = sessions.start(
            s, user_id=None, now=utcnow(), data={"oidc": pending.to_json()}
        )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        SSO_COOKIE, token, httponly=True, secure=True, samesite="lax", path="/", max_age=1800
    )
    return response


@router.get("/sign-in/sso/callback", name="console.sso_callback")
def sso_callback(request: Request, _: Public) -> Response:
    client = _oidc(request)
    if client is None:
        raise ConsoleError(404, "Page not found", "Single sign-on is not set up here.")
    central = get_central(request)
    now = utcnow()
    pending_token = request.cookies.get(SSO_COOKIE)
    with central.db.transaction() as s:
        loaded = sessions.load(s, pending_token, now, central.service)
        data = (loaded.row.data or {}) if loaded.row is not None else {}
        sessions.end(s, pending_token)  # a pending sign-on is used once, whatever happens
    failure: str | None = None
    identity = None
    pending = None
    if loaded.state is not sessions.SessionState.ACTIVE or "oidc" not in data:
        failure = "This sign-in took too long or was started in another browser: start again."
    else:
        pending = Pending.from_json(data["oidc"])
        try:
            identity = client.finish(pending, dict(request.query_params))
        except SsoFailed as exc:
            failure = str(exc)
    new_token = None
    with central.db.transaction() as s:
        if identity is not None:
            try:
                user = sign_in_with_oidc(s, identity, now=now)
            except SignInRefused as exc:
                failure = exc.message
                audit.record(
                    s,
                    actor="anonymous",
                    action="console.sign_in_refused",
                    detail={"method": "oidc", "reason": exc.reason.value, "email": identity.email},
                )
            else:
                new_token, _row = sessions.start(s, user_id=user.id, now=now)
                audit.record(
                    s, actor=user_actor(user), action="console.sign_in", detail={"method": "oidc"}
                )
        else:
            audit.record(
                s,
                actor="anonymous",
                action="console.sign_in_refused",
                detail={"method": "oidc", "reason": failure},
            )
    if new_token is None:
        response: Response = render(
            request,
            "error.html",
            {"title": "You are not signed in", "message": failure, "sign_in_link": True},
            status=401,
        )
    else:
        assert pending is not None
        response = render(
            request, "signed_in.html", {"title": "Signed in", "next_path": pending.next_path}
        )
        set_session_cookie(response, new_token)
    response.delete_cookie(SSO_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@not_found_router.api_route(
    "/{rest:path}", methods=["GET", "POST"], name="console.not_found", include_in_schema=False
)
def not_found(request: Request, rest: str, _: Public) -> HTMLResponse:
    raise ConsoleError(404, "Page not found", "If you typed the address, check it is correct.")
