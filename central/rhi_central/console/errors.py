"""Refusals the console shows as a page: one clear sentence and a status, never a traceback."""

from __future__ import annotations


class ConsoleError(Exception):
    """Stop and show ``title`` and ``message`` with ``status`` (4xx)."""

    def __init__(
        self, status: int, title: str, message: str, *, sign_in_link: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.sign_in_link = sign_in_link


class ConsoleRedirect(Exception):
    """Answer with a redirect (303) instead of the page: e.g. to the sign-in form."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
