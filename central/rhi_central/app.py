"""FastAPI app factory for rhi-central.

``create_app()`` opens the database, brings its schema to head and publishes the questionnaire
versions this release ships before serving, so a fresh PostgreSQL database or a missing SQLite
file is ready by the first request. OpenAPI is served at /openapi.json, the docs at /docs.

In front of every route sits the gate (``rhi_central.gate``: token, body size, security
headers) and behind them one error shape (``rhi_central.errors``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from rhi_central import __version__, console, errors, ops
from rhi_central.audit import Sealer
from rhi_central.context import Central
from rhi_central.db import Database, open_engine
from rhi_central.gate import Gate
from rhi_central.jobs import Scheduler
from rhi_central.routes import admin, crl, device_audit, enrol, integration, interviews, pull
from rhi_central.service_settings import ServiceSettings
from rhi_central.serving import UVICORN_OPTIONS
from rhi_central.settings import Settings
from rhi_core.protocol import API_PREFIX

log = logging.getLogger(__name__)
__all__ = ["UVICORN_OPTIONS", "create_app"]

DESCRIPTION = """\
Central store for RHI Desktop: laptops enrol with a one-time code, push completed Return Home
Interviews, and pull forms, assignments and review feedback. Device endpoints take a device
token; /admin endpoints take an administrator token; both are checked before a request's body
is read. Every call is audited. Every error is `{"detail": "one sentence"}`.
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
    with db.transaction() as session:
        shipped = ops.publish_builtin_forms(session)
    if shipped:
        log.info("published the shipped questionnaires %s", ", ".join(shipped))
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
    app.include_router(crl.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix="/admin")
    app.include_router(device_audit.router)  # /api/v1/audit/events and /admin/devices/{id}/audit
    app.include_router(integration.router, prefix=API_PREFIX)  # episodes pushed by systems
    console.mount(app)  # the staff's console under /console
    app.add_middleware(Gate)
    errors.install(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness for a load balancer; touches no personal data, so it is not audited."""
        return {"status": "ok"}

    return app
