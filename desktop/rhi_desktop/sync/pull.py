"""Pull on the wire: settings, questionnaire texts and the two delta feeds (assignments,
review feedback), each page handed to the caller's ``apply`` as it arrives.

Each page is applied in its own short transaction, with its delta cursor saved in the same
transaction as the rows it covers: a pass cut off half way resumes where it stopped and never
applies a page twice or skips one. What a page does to the store is the services' business
(``services.sync_pull``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from rhi_core.protocol import FormInfo
from rhi_desktop.sync import state
from rhi_desktop.sync.client import SyncClient

__all__ = ["DeltaPage", "Transaction", "fetch_forms", "pull_delta", "pull_settings"]

Transaction = Callable[[], AbstractContextManager[Session]]


class DeltaPage(Protocol):
    @property
    def next_cursor(self) -> int: ...

    @property
    def has_more(self) -> bool: ...


P = TypeVar("P", bound=DeltaPage)


def pull_settings(client: SyncClient, transaction: Transaction) -> int:
    """Central's settings for this laptop; returns the retention period in days."""
    settings = client.settings()
    with transaction() as s:
        state.put(s, state.RETENTION_DAYS, settings.retention_days)
        state.put(s, state.COUNCIL_NAME, settings.council_name)
    return settings.retention_days


def fetch_forms(
    client: SyncClient, wanted: Callable[[FormInfo], bool]
) -> Iterator[tuple[FormInfo, str | None]]:
    """Each published questionnaire version ``wanted`` asks for, with its YAML text, or None
    when the text that arrived does not match the hash central listed (damaged on the way)."""
    for info in client.forms().forms:
        if not wanted(info):
            continue
        text = client.form_text(info.id, info.version)
        intact = hashlib.sha256(text.encode("utf-8")).hexdigest() == info.sha256
        yield info, text if intact else None


def pull_delta(
    fetch: Callable[[int], P],
    transaction: Transaction,
    cursor_key: str,
    apply: Callable[[Session, P], None],
) -> None:
    """Page through one delta feed from the saved cursor; ``apply`` each page and save the
    next cursor in the same transaction."""
    with transaction() as s:
        cursor = int(state.get(s, cursor_key, 0) or 0)
    while True:
        page = fetch(cursor)
        with transaction() as s:
            apply(s, page)
            state.put(s, cursor_key, page.next_cursor)
        cursor = page.next_cursor
        if not page.has_more:
            return
