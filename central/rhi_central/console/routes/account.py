"""One's own account: who I am, my role, change my password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rhi_central.console.formdata import read_form
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.models import StaffUser
from rhi_central.staff import service as staff_service
from rhi_central.staff.roles import Permission

router = APIRouter()
Anyone = guard(Permission.ACCOUNT)
Form = Annotated[FormData, Depends(read_form)]


def _page(
    request: Request, user: StaffUser, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "account.html",
        {"title": "Your account", "user": user, "errors": errors},
        status=status,
    )


@router.get("/account", name="console.account")
def account(request: Request, staff: Anyone) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        user = s.get_one(StaffUser, staff.user_id)
    return _page(request, user, {})


@router.post("/account/password", name="console.password")
def change_password(request: Request, staff: Anyone, form: Form) -> Response:
    central = get_central(request)

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    errors: dict[str, str] = {}
    new, again = field("new_password"), field("new_password_again")
    if new != again:
        errors["new_password_again"] = "The two new passwords are not the same"
    with central.db.transaction() as s:
        user = s.get_one(StaffUser, staff.user_id)
        if not errors:
            try:
                staff_service.change_password(
                    s, user, current=field("current_password"), new=new, actor=staff.actor
                )
            except staff_service.UserProblem as exc:
                errors[exc.field] = exc.message.rstrip(".")
    if errors:
        return _page(request, user, errors, status=422)
    return RedirectResponse(f"{PREFIX}/account?done=password", status_code=303)
