"""Integration tokens (administrators): systems that push episodes to central."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.integration import tokens
from rhi_central.ops import OpError
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import utcnow

router = APIRouter()
Admin = guard(Permission.INTEGRATIONS)
Form = Annotated[FormData, Depends(read_form)]


def _page(
    request: Request,
    *,
    errors: dict[str, str],
    new_token: str | None = None,
    name: str = "",
    status: int = 200,
) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        rows = tokens.list_tokens(s)
    base = central.service.console_url or str(request.base_url).rstrip("/")
    return render(
        request,
        "integrations.html",
        {
            "title": "Integrations",
            "tokens": rows,
            "errors": errors,
            "new_token": new_token,
            "name": name,
            "endpoint": f"{base}/api/v1/integration/episodes",
        },
        status=status,
    )


@router.get("/integrations", name="console.integrations")
def integrations(request: Request, staff: Admin) -> HTMLResponse:
    return _page(request, errors={})


@router.post("/integrations", name="console.integration_create")
def create(request: Request, staff: Admin, form: Form) -> HTMLResponse:
    central = get_central(request)
    name = text(form, "name", 200)
    try:
        with central.db.transaction() as s:
            token, _row = tokens.create(s, name, actor=staff.actor, now=utcnow())
    except OpError as exc:
        return _page(request, errors={"name": exc.message.rstrip(".")}, name=name, status=422)
    # Shown once, on this page only (the response is never cached: Cache-Control no-store).
    return _page(request, errors={}, new_token=token, name=name)


@router.post("/integrations/{token_id}/revoke", name="console.integration_revoke")
def revoke(request: Request, token_id: str, staff: Admin, form: Form) -> Response:
    central = get_central(request)
    with central.db.transaction() as s:
        try:
            tokens.revoke(s, token_id, actor=staff.actor, now=utcnow())
        except OpError as exc:
            raise ConsoleError(exc.status, "The token cannot be revoked", exc.message) from None
    return RedirectResponse(f"{PREFIX}/integrations?done=token-revoked", status_code=303)
