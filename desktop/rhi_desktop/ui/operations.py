"""The one way to run work off the GUI thread: `run_in_background(parent, fn, on_done, on_error)`.

Work runs on the global QThreadPool; its result or error comes back as a queued signal to the
GUI thread, so callbacks may touch widgets and workers never do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # delivered to the GUI as one sentence, never a traceback
            log.warning("background operation failed: %s", type(exc).__name__)
            self._deliver(self._relay.failed, exc)
        else:
            self._deliver(self._relay.succeeded, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            # The application is shutting down and the relay is gone: the work itself is done
            # (and saved); there is nobody left to tell.
            log.debug("background result dropped at shutdown")


_live: set[_Relay] = set()


def run_in_background(
    parent: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
) -> _Relay:
    # The relay has no parent: it must outlive a widget closed while its job runs (the job
    # still finishes, e.g. a save); the result is then dropped instead of reaching a dead widget.
    relay = _Relay()
    _live.add(relay)

    @Slot(object)
    def _done(result: Any) -> None:
        _live.discard(relay)
        relay.deleteLater()
        if on_done is not None and shiboken6.isValid(parent):
            on_done(result)

    @Slot(object)
    def _fail(exc: Exception) -> None:
        _live.discard(relay)
        relay.deleteLater()
        if on_error is not None and shiboken6.isValid(parent):
            on_error(exc)

    relay.succeeded.connect(_done)
    relay.failed.connect(_fail)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
    return relay


def serial_pool(parent: QObject) -> QThreadPool:
    """A one-thread pool: jobs run in the order they were queued (database writes)."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool


def wait_for_background(timeout_ms: int = 10_000) -> bool:
    """For tests, screenshots and shutdown: wait until the pool is idle."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
