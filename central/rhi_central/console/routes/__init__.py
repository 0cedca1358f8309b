"""The console's routes, one module per area; every route is guarded (see console.guard)."""

from __future__ import annotations

from fastapi import APIRouter

from rhi_central.console.routes import (
    account,
    board,
    children,
    episodes,
    imports,
    integrations,
    reports,
    signin,
    tasks,
    users,
    workers,
)

# The catch-all "page not found" goes last.
ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    board.router,
    children.router,
    episodes.router,
    imports.router,
    tasks.router,
    workers.router,
    reports.router,
    users.router,
    integrations.router,
    account.router,
    signin.not_found_router,
)
