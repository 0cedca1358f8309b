"""The console: the staff's side of the service in a browser (server-rendered, GOV.UK Frontend).

``mount(app)`` adds its routes under /console, its static files (the committed GOV.UK Frontend
build, see central/scripts/build-govuk.sh), the security headers of its pages and the pages that
answer refusals. Domain rules live in the domain packages (staff, episodes, allocation,
oversight); the routes read a form, call them and render the answer.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

    app.add_middleware(ConsoleHeaders)


class ConsoleHeaders:
    """The console pages' own headers (CSP with a per-request nonce, no-store, frame and
    referrer policy, Server-Timing), and closing an upload's in-memory files after the request.

    A plain ASGI middleware, not ``@app.middleware("http")``: it never touches the device API's
    requests (their bodies are limited by the gate while they stream in, which a
    BaseHTTPMiddleware in the stack would get in the way of) and costs them nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["csp_nonce"] = nonce  # request.state.csp_nonce for the templates
        started = time.perf_counter()
        static = path.startswith(f"{PREFIX}/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if not static:
                    headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
                    # Pages name children: never kept by the browser or a proxy.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            form = state.get("console_form")
            if form is not None:
                await form.close()  # uploads are in memory; close them with the request
