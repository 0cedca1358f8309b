"""Users (administrators): the list, adding an account, disabling one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.ops import OpError
from rhi_central.staff import service as staff_service
from rhi_central.staff.roles import Permission, Role
from rhi_central.timeutil import utcnow

router = APIRouter()
Admin = guard(Permission.USERS)
Form = Annotated[FormData, Depends(read_form)]


@router.get("/users", name="console.users")
def users(request: Request, staff: Admin) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        rows = staff_service.list_users(s, staff.actor)
    return render(
        request,
        "users.html",
        {"title": "Users", "users": rows, "sso": central.service.oidc is not None},
    )


def _new_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "user_new.html",
        {
            "title": "Add a user",
            "values": values,
            "errors": errors,
            "roles": [(r.value, r.label, r.description) for r in Role],
        },
        status=status,
    )


@router.get("/users/new", name="console.user_new")
def new_user_form(request: Request, staff: Admin) -> HTMLResponse:
    return _new_page(request, {}, {})


@router.post("/users/new", name="console.user_add")
def add_user(request: Request, staff: Admin, form: Form) -> Response:
    central = get_central(request)
    values = {k: text(form, k, 320) for k in ("email", "name", "role")}
    raw = form.get("password")
    password = raw if isinstance(raw, str) and raw else None
    errors: dict[str, str] = {}
    for key, message in (
        ("email", "Enter the e-mail address"),
        ("name", "Enter the name"),
        ("role", "Choose the role"),
    ):
        if not values[key]:
            errors[key] = message
    if not errors:
        with central.db.transaction() as s:
            try:
                staff_service.add_user(
                    s, email=values["email"], name=values["name"], role=values["role"],
                    password=password, actor=staff.actor, now=utcnow(),
                )  # fmt: skip
            except staff_service.UserProblem as exc:
                errors[exc.field] = exc.message.rstrip(".")
    if errors:
        return _new_page(request, values, errors, status=422)
    return RedirectResponse(f"{PREFIX}/users?done=user-added", status_code=303)


@router.get("/users/{user_id}/disable", name="console.user_disable")
def disable_form(request: Request, user_id: str, staff: Admin) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        try:
            user = staff_service.find_user(s, user_id)
        except OpError as exc:
            raise ConsoleError(404, "Page not found", exc.message) from None
    return render(
        request, "user_disable.html", {"title": f"Disable {user.name}", "user": user, "errors": {}}
    )


@router.post("/users/{user_id}/disable", name="console.user_disable_post")
def disable(request: Request, user_id: str, staff: Admin, form: Form) -> Response:
    central = get_central(request)
    with central.db.transaction() as s:
        try:
            staff_service.disable_user(s, user_id, actor=staff.actor, now=utcnow())
        except OpError as exc:
            raise ConsoleError(exc.status, "The account cannot be disabled", exc.message) from None
    return RedirectResponse(f"{PREFIX}/users?done=user-disabled", status_code=303)
