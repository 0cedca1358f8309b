"""Refusals the console shows as a page: one clear sentence and a status, never a traceback."""

from __future__ import annotations

from typing import Any


class ConsoleError(Exception):
    """Stop and show ``title`` and ``message`` with ``status`` (4xx).

    ``audit`` (actor, reason, detail) is recorded by the page that shows the error, after the
    route's own transaction has been rolled back: a refusal raised in the middle of a request
    still leaves its audit event, and never waits on that request's own database lock.
    """

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        *,
        sign_in_link: bool = False,
        audit: tuple[str, str, dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.sign_in_link = sign_in_link
        self.audit = audit


class ConsoleRedirect(Exception):
    """Answer with a redirect (303) instead of the page: e.g. to the sign-in form."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
