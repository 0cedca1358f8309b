"""The console's routes, one module per area; every route is guarded (see console.guard)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.routing import APIRoute

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


def console_routes(prefix: str = "/console") -> Iterator[tuple[str, APIRoute]]:
    """Every console route with its full path, in the order they are matched (for the
    authorisation matrix and the accessibility sweep, which must not miss one)."""
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            yield prefix + route.path, route
