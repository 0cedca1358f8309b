"""Reading console forms: bounded, and uploads kept in memory (never in a temp file on disk).

Starlette spools an uploaded file to a temporary file once it passes 1 MB; a case-system export
is child data, so the console reads the whole body (up to ``MAX_BODY_BYTES``) into memory and
parses it with a spool limit above that size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from rhi_central.console.errors import ConsoleError

MAX_BODY_BYTES = 25 * 1024 * 1024  # a 10,000-row export is about 2 MB
MAX_FIELDS = 300


class _InMemoryMultiPartParser(MultiPartParser):
    spool_max_size = MAX_BODY_BYTES + 1  # never rolls over to disk
    max_part_size = 1024 * 1024  # plain fields


async def _one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_big()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_big()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big() -> ConsoleError:
    mb = MAX_BODY_BYTES // (1024 * 1024)
    return ConsoleError(
        413, "The file is too big", f"The console takes files of up to {mb} MB: split the file."
    )


async def read_form(request: Request) -> FormData:
    """The request's form, parsed once (the CSRF check and the route both read it)."""
    cached = getattr(request.state, "console_form", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _body(request)
    try:
        if content_type == "multipart/form-data":
            form = await _InMemoryMultiPartParser(
                request.headers, _one_chunk(body), max_files=4, max_fields=MAX_FIELDS
            ).parse()
        elif content_type == "application/x-www-form-urlencoded":
            form = await FormParser(
                request.headers, _one_chunk(body), max_fields=MAX_FIELDS
            ).parse()
        else:
            form = FormData()
    except MultiPartException:
        raise ConsoleError(
            400, "The form could not be read", "Go back, reload the page and send it again."
        ) from None
    request.state.console_form = form
    return form


def text(form: FormData, name: str, limit: int = 10_000) -> str:
    """A text field, stripped; a file or a missing field is empty. Longer than ``limit``: cut."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def upload(form: FormData, name: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of an uploaded file, or None if none was chosen (in memory: no I/O)."""
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    value.file.seek(0)
    return value.filename, value.file.read()
