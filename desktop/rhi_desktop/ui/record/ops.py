"""How the RHI screens reach the store: every write is a service call in one transaction, run
on a one-thread pool (writes land in the order the worker made them), followed by a fresh read
of the record so every panel shows what is really stored."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from rhi_desktop.services.record_open import RecordSnapshot, load_snapshot

from ..operations import run_in_background, serial_pool

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# A service call: (session, actor, now) -> anything. Widgets never see the session.
Write = Callable[["Session", str, datetime], Any]
# Completing and sealing (services.finish): (interview id, now) -> anything; owns its
# transactions because sealing signs the PDF with the profile's key.
Finish = Callable[[str, datetime], Any]


@dataclass(frozen=True)
class RecordStore:
    """The profile as the RHI screens see it (MainWindow builds it; tests may too)."""

    transaction: Callable[[], AbstractContextManager[Session]]
    sessions: Callable[[], AbstractContextManager[Session]]
    actor: str
    clock: Callable[[], datetime]
    finish: Finish | None = None


class RecordOps(QObject):
    """Writes and reads of one interview, off the GUI thread."""

    snapshot_loaded = Signal(object)  # RecordSnapshot
    load_failed = Signal(str)

    def __init__(
        self,
        store: RecordStore,
        interview_id: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.interview_id = interview_id
        self._pool = serial_pool(self)
        self.snapshot: RecordSnapshot | None = None

    @property
    def actor(self) -> str:
        return self.store.actor

    def now(self) -> datetime:
        return self.store.clock()

    def _read(self) -> RecordSnapshot:
        with self.store.sessions() as s:
            return load_snapshot(s, self.interview_id, now=self.store.clock())

    def reload(self) -> None:
        """Read the record again (after the answers changed: the review list follows them)."""
        run_in_background(self, self._read, self._loaded, self._load_error, pool=self._pool)

    def write(
        self,
        fn: Write,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``fn`` in a transaction, then reload; ``on_error`` gets ValidationFailed /
        InterviewLocked as raised (the form keeps what was typed)."""
        store = self.store

        def work() -> tuple[Any, RecordSnapshot]:
            with store.transaction() as s:
                value = fn(s, store.actor, store.clock())
            return value, self._read()

        def done(result: tuple[Any, RecordSnapshot]) -> None:
            value, snapshot = result
            self._loaded(snapshot)
            if on_done is not None:
                on_done(value)

        def failed(exc: Exception) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                self.load_failed.emit(str(exc))

        run_in_background(self, work, done, failed, pool=self._pool)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Like ``write`` for a use case that owns its transactions (completing and sealing):
        queued after every write already asked for, then the record is read again."""

        def work() -> tuple[Any, RecordSnapshot]:
            return fn(), self._read()

        def done(result: tuple[Any, RecordSnapshot]) -> None:
            value, snapshot = result
            self._loaded(snapshot)
            if on_done is not None:
                on_done(value)

        def failed(exc: Exception) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                self.load_failed.emit(str(exc))

        run_in_background(self, work, done, failed, pool=self._pool)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """For tests and closing: wait until queued writes are done."""
        return self._pool.waitForDone(timeout_ms)

    def _loaded(self, snapshot: RecordSnapshot) -> None:
        self.snapshot = snapshot
        self.snapshot_loaded.emit(snapshot)

    def _load_error(self, exc: Exception) -> None:
        self.load_failed.emit(str(exc) or "The record could not be read.")
