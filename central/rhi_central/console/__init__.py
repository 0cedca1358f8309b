"""The console: the staff's side of the service in a browser (server-rendered, GOV.UK Frontend).

``mount(app)`` adds its routes under /console, its static files (the committed GOV.UK Frontend
build, see central/scripts/build-govuk.sh), the security headers of its pages and the pages that
answer refusals. Domain rules live in the domain packages (staff, episodes, allocation,
oversight); the routes read a form, call them and render the answer.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from rhi_central.console.errors import ConsoleError, ConsoleRedirect
from rhi_central.console.guard import record_refusal
from rhi_central.console.web import PREFIX, STATIC, render

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def mount(app: FastAPI) -> None:
    from rhi_central.console.routes import ROUTERS

    # Static files first: the routers end with a catch-all "page not found".
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="console-static")
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX, include_in_schema=False)

    @app.exception_handler(ConsoleError)
    async def console_error(request: Request, exc: ConsoleError) -> Response:
        if exc.audit is not None:
            actor, reason, detail = exc.audit
            await run_in_threadpool(
                record_refusal, request, actor=actor, reason=reason, status=exc.status,
                detail=detail,
            )  # fmt: skip
        return render(
            request,
            "error.html",
            {"title": exc.title, "message": exc.message, "sign_in_link": exc.sign_in_link},
            status=exc.status,
        )

    @app.exception_handler(ConsoleRedirect)
    async def console_redirect(_request: Request, exc: ConsoleRedirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.middleware("http")
    async def console_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith(PREFIX):
            return await call_next(request)
        nonce = secrets.token_urlsafe(16)
        request.state.csp_nonce = nonce
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            form = getattr(request.state, "console_form", None)
            if form is not None:
                await form.close()  # uploads are in memory; close them with the request
        elapsed_ms = (time.perf_counter() - started) * 1000
        headers = response.headers
        headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.url.path.startswith(f"{PREFIX}/static/"):
            headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
            # Pages name children: never kept by the browser or a proxy.
            headers["Cache-Control"] = "no-store"
        return response
