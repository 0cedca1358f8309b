"""Every error is one sentence in ``{"detail": "..."}``, and the OpenAPI document says so.

- A body or parameter that does not validate is a 422 whose ``detail`` names where and what,
  never echoing the value (a crafted value, e.g. a lone surrogate, cannot break the answer).
- A database that is busy or full answers 503 with ``Retry-After``: nothing was stored, try
  again (laptops do, on their own).
- The OpenAPI document lists, for every operation, each status the gate and the handlers can
  answer (400, 401, 403, 413, 415, 422, 429, 503 as they apply) with this one error shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from rhi_central.db import is_transient
from rhi_central.gate import kind_of

log = logging.getLogger(__name__)
BUSY = "central is busy or its storage is full; nothing was stored, try again shortly"
RETRY_AFTER_S = 30


class ErrorResponse(BaseModel):
    detail: str


# Models a route documents by reference without declaring them as its body parameter.
DOCUMENTED_MODELS: list[type[BaseModel]] = []


def validation_sentence(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    err = errors[0]
    if err.get("type") == "json_invalid":
        return "the body is not valid JSON"
    loc = [str(p) for p in err.get("loc", ()) if p != "body"]
    where = ".".join(loc) or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {err.get('msg', 'is not valid')}{more}"


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_sentence(exc)}, status_code=422)


async def _busy(_request: Request, exc: Exception) -> JSONResponse:
    if not is_transient(exc):
        raise exc  # a bug, not a busy database: the server error it is
    log.warning("database busy or full: %s", type(exc).__name__)
    return JSONResponse(
        {"detail": BUSY}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


async def _too_deep(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": "the request is nested too deeply"}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(PoolTimeout, _busy)
    app.add_exception_handler(RecursionError, _too_deep)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]


_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_COMMON = {
    "400": "The address contains a NUL character, or the body cannot be read",
    "413": "The body is larger than this endpoint accepts (refused unread)",
    "422": "The body or a parameter is not valid; `detail` says where and what",
    "503": "The database is busy or full; nothing was stored. `Retry-After` says when to retry",
}
_GATED = {
    "device": {
        "401": "Missing or unknown device token (refused before the body is read)",
        "403": "`device revoked`: the laptop must wipe its data",
    },
    "admin": {
        "401": "Missing, unknown or revoked administrator token (refused before the body is read)"
    },
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorResponse, *DOCUMENTED_MODELS):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, operations in doc.get("paths", {}).items():
        kind = kind_of(path)
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            wanted = dict(_COMMON) | _GATED.get(kind or "", {})
            if method == "get":
                wanted.pop("413")
            for status, description in wanted.items():
                entry = responses.setdefault(status, {"description": description})
                entry["content"] = {"application/json": {"schema": _ERROR_REF}}
            for status, entry in responses.items():
                if status.startswith(("4", "5")) and "content" not in entry:
                    entry["content"] = {"application/json": {"schema": _ERROR_REF}}
    app.openapi_schema = doc
    return doc
