"""Autosave: every change reaches the encrypted store within ~300 ms, off the GUI thread.

Changes are coalesced for at most 200 ms (typing a word is one write, not ten), then written by a
one-thread pool so writes land in order. A failed write keeps the changes queued and retries;
the screen says so in one sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ..operations import run_in_background, serial_pool

SaveFn = Callable[[dict[str, Any], dict[str, Any]], None]  # (answers, meta)

DEBOUNCE_MS = 200
RETRY_MS = 2000


class Autosaver(QObject):
    state_changed = Signal(str, str)  # state ("saving" | "saved" | "error"), message
    saved = Signal(object)  # {answer name: value} now safely on disk

    def __init__(self, save: SaveFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self._pending: dict[str, Any] = {}
        self._meta: dict[str, Any] = {}
        self._in_flight = False
        self._pool = serial_pool(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._flush)

    @property
    def dirty(self) -> bool:
        return bool(self._pending or self._meta) or self._in_flight

    def queue(self, name: str, value: Any) -> None:
        self._pending[name] = value
        self.state_changed.emit("saving", "Saving…")
        # Not restarted by later keystrokes: a fast typist is still saved every 200 ms.
        if not self._timer.isActive():
            self._timer.start(DEBOUNCE_MS)

    def set_meta(self, **meta: Any) -> None:
        """Facts saved with the next write (current section, risk flags)."""
        self._meta.update(meta)
        if not self._timer.isActive() and not self._in_flight:
            self._timer.start(DEBOUNCE_MS)

    def _flush(self) -> None:
        if self._in_flight or not (self._pending or self._meta):
            return
        batch, meta = self._pending, self._meta
        self._pending, self._meta = {}, {}
        self._in_flight = True

        def done(_: object) -> None:
            self._in_flight = False
            self.saved.emit(dict(batch))
            if self._pending or self._meta:
                self._flush()
            else:
                self.state_changed.emit("saved", "All changes saved")

        def failed(exc: Exception) -> None:
            self._in_flight = False
            # Newer edits win over the batch that failed; nothing typed is dropped.
            self._pending = {**batch, **self._pending}
            self._meta = {**meta, **self._meta}
            self.state_changed.emit("error", f"Not saved yet: {exc} Retrying…")
            self._timer.start(RETRY_MS)

        run_in_background(self, lambda: self._save(batch, meta), done, failed, pool=self._pool)

    def flush_now(self, timeout_ms: int = 10_000) -> bool:
        """Write everything before the view closes, locks or completes. True when all is on
        disk: it waits for the write in flight (and any follow-up it starts), then writes what
        is left itself, so callers never need to ask twice."""
        self._timer.stop()
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            # Wait for the write in flight and for its queued "done" signal to be delivered
            # (which may start a follow-up batch: then wait for that one too).
            while self._in_flight and time.monotonic() < deadline:
                self._pool.waitForDone(50)
                QCoreApplication.processEvents()
            if self._in_flight:
                return False  # still writing after the timeout: the caller says so
            self._timer.stop()
            if not (self._pending or self._meta):
                return True
            batch, meta = self._pending, self._meta
            try:
                self._save(batch, meta)
            except Exception as exc:  # shown by the caller; the data stays queued
                self.state_changed.emit("error", f"Not saved: {exc}")
                return False
            self._pending, self._meta = {}, {}
            self.saved.emit(dict(batch))
            self.state_changed.emit("saved", "All changes saved")
