"""The live board (line of sight). Performance officers get the counts alone, never a name."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rhi_central.console.access import viewed, worker_scope
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import render
from rhi_central.oversight.board import build_board
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import utcnow

router = APIRouter()
BoardStaff = guard(Permission.BOARD, Permission.BOARD_COUNTS)
REFRESH_S = 60


@router.get("/board", name="console.board")
def board(request: Request, staff: BoardStaff) -> HTMLResponse:
    central = get_central(request)
    now = utcnow()
    names = staff.can(Permission.BOARD)
    with central.db.transaction() as s:
        data = build_board(s, now, worker_scope(staff) if names else None)
        if names:
            viewed(s, staff, "board", data.child_ids)
    partial = request.headers.get("x-console-partial") == "board"
    return render(
        request,
        "board_region.html" if partial else "board.html",
        {
            "title": "Board" if names else "Board: counts",
            "board": data,
            "names": names,
            "own_only": names and not staff.sees_all_children,
            "refresh_s": REFRESH_S,
        },
    )
