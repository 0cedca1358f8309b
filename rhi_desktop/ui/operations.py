"""The one way to run work off the GUI thread: `run_in_background(parent, fn, on_done, on_error)`.

Work runs on the global QThreadPool; its result or error comes back as a queued signal to the
GUI thread, so callbacks may touch widgets and workers never do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

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
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


_live: set[_Relay] = set()


def run_in_background(
    parent: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
) -> _Relay:
    relay = _Relay(parent)
    _live.add(relay)

    @Slot(object)
    def _done(result: Any) -> None:
        _live.discard(relay)
        if on_done is not None:
            on_done(result)

    @Slot(object)
    def _fail(exc: Exception) -> None:
        _live.discard(relay)
        if on_error is not None:
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
