"""Rendering console pages: the Jinja2 environment, filters in the service's words, and the
context every page gets (who is signed in, the navigation, the CSRF token, the CSP nonce)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from rhi_core.domain.deadlines import format_remaining
from rhi_core.reports.period import UK

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
SERVICE_NAME = "RHI Central"
PREFIX = "/console"

# Fixed confirmations shown after a form (post, redirect, get): the address carries a code,
# never a child's details.
DONE_MESSAGES = {
    "allocated": "The child is allocated. Their worker's laptop receives them at its next sync.",
    "episode": "The episode is recorded.",
    "episode-updated": "The episode is updated.",
    "imported": "The file is imported.",
    "task-closed": "The task is closed and the decision is in the audit trail.",
    "task-owner": "The task has a new owner.",
    "user-added": "The account is added.",
    "user-disabled": "The account is disabled and its sessions are ended.",
    "password": "Your password is changed.",
    "signed-out": "You have signed out.",
    "token-revoked": "The token is revoked: the system using it is refused from now on.",
}


def _uk(value: datetime) -> datetime:
    return value.astimezone(UK)


def uk_datetime(value: datetime | None) -> str:
    """'Mon 15 Jun 2026, 08:30' in UK time."""
    if value is None:
        return ""
    return _uk(value).strftime("%a %-d %b %Y, %H:%M")


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _uk(value)
    return value.strftime("%-d %b %Y")


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def missing_for(hours: float) -> str:
    """How long a child has been missing, as a person would say it."""
    whole = int(hours)
    if whole < 1:
        return "under an hour"
    if whole < 72:
        return f"{whole} hour{'s' if whole != 1 else ''}"
    days, rest = divmod(whole, 24)
    return f"{days} days {rest} h"


def remaining(value: timedelta) -> str:
    return format_remaining(value)


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    uk_datetime=uk_datetime,
    uk_date=uk_date,
    iso=iso,
    missing_for=missing_for,
    remaining=remaining,
)
environment.globals.update(service_name=SERVICE_NAME, prefix=PREFIX, static=f"{PREFIX}/static")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    central = request.app.state.central
    staff = getattr(request.state, "staff", None)
    done = request.query_params.get("done")
    values: dict[str, Any] = {
        "request": request,
        "staff": staff,
        "nav": staff.nav if staff else [],
        "council_name": central.settings.council_name,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "csrf_token": staff.csrf_token if staff else "",
        "done_message": DONE_MESSAGES.get(done or ""),
        "current_path": request.url.path,
    }
    values.update(context or {})
    html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=headers)
