"""FastAPI app factory for rhi-central.

``create_app()`` opens the database and brings its schema to head before serving, so a fresh
PostgreSQL database or a missing SQLite file is ready by the first request. OpenAPI is served at
/openapi.json and the interactive docs at /docs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rhi_central import __version__, console
from rhi_central.audit import Sealer
from rhi_central.context import Central
from rhi_central.db import Database, open_engine
from rhi_central.jobs import Scheduler
from rhi_central.routes import admin, device_audit, enrol, integration, interviews, pull
from rhi_central.service_settings import ServiceSettings
from rhi_central.settings import Settings
from rhi_core.protocol import API_PREFIX

DESCRIPTION = """\
Central store for RHI Desktop: laptops enrol with a one-time code, push completed Return Home
Interviews, and pull forms, assignments and review feedback. Device endpoints take a device
token; /admin endpoints take an administrator token. Every call is audited.
"""


def create_app(
    database_url: str | None = None,
    *,
    data_dir: str | Path | None = None,
    council_name: str | None = None,
    retention_days: int | None = None,
    settings: Settings | None = None,
    service: ServiceSettings | None = None,
) -> FastAPI:
    """Build the API on ``database_url`` (default: env, else a SQLite file in the data dir)."""
    settings = settings or Settings.load(
        database_url,
        data_dir=data_dir,
        council_name=council_name,
        retention_days=retention_days,
    )
    service = service or ServiceSettings.from_env()
    db = Database(open_engine(settings.database_url))
    central = Central(settings=settings, db=db, service=service)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sealer = Sealer(db)
        sealer.start()
        scheduler = Scheduler(central)  # escalations, e-mail; runs once across processes
        scheduler.start()
        try:
            yield
        finally:
            scheduler.stop()
            sealer.stop()
            db.dispose()

    app = FastAPI(
        title="RHI Central",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.central = central
    app.include_router(enrol.router, prefix=API_PREFIX)
    app.include_router(interviews.router, prefix=API_PREFIX)
    app.include_router(pull.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix="/admin")
    app.include_router(device_audit.router)  # /api/v1/audit/events and /admin/devices/{id}/audit
    app.include_router(integration.router, prefix=API_PREFIX)  # episodes pushed by systems
    console.mount(app)  # the staff's console under /console

    @app.middleware("http")
    async def refuse_nul_in_url(request: Request, call_next: Any) -> Any:
        # A NUL in a path or query (e.g. /admin/devices/%00/revoke) would reach PostgreSQL,
        # which cannot store it: refuse it up front as a plain 400.
        if "\x00" in request.url.path or "\x00" in unquote(request.url.query):
            return JSONResponse({"detail": "the address may not contain a NUL character"}, 400)
        return await call_next(request)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness for a load balancer; touches no personal data, so it is not audited."""
        return {"status": "ok"}

    return app
