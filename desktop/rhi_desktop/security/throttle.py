"""Failed unlocks slow down.

After the n-th wrong passphrase in a row the next attempt waits delay(n): nothing for the first
two slips, then 2, 4, 8 … seconds, capped at five minutes. The state lives in the profile folder
(`unlock-state.json`: a count and a time, no secrets) so quitting the app does not reset it.

Attempts are serialised: ``attempt`` holds an exclusive lock on the state (``unlock-state.lock``,
an OS file lock, plus a lock per folder inside this process) from the check, through the
passphrase derivation, to the count, so parallel attempts wait their turn and each wrong one is
counted; none slips through while another is being tried. A ``last_failure`` in the future (a
clock set back, or an edited file) is treated as now, and saved so: the wait then ends.

This is a brake on someone guessing at the unlock dialog, not the main defence: a person who can
edit the profile folder can delete the file, which is why the key itself is protected by Argon2id
and by the device secret in the OS keychain. For the same reason an unreadable state file is
treated as "no failures" — failing closed on it would only lock out the worker, never an attacker.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from rhi_desktop.security.errors import UnlockDelayed, WrongPassphrase
from rhi_desktop.security.files import atomic_write_bytes

__all__ = ["LOCK_FILE", "MAX_DELAY_S", "STATE_FILE", "UnlockThrottle", "delay_after"]

log = logging.getLogger(__name__)

STATE_FILE = "unlock-state.json"
LOCK_FILE = "unlock-state.lock"
FREE_FAILURES = 2
MAX_DELAY_S = 300.0
# A waiting attempt gives up after this long (attempts behind a delay fail fast, so a wait this
# long means something else holds the lock); the worker is told to try again.
LOCK_TIMEOUT_S = 60.0

# One lock per profile folder in this process (threads; the file lock covers other processes),
# and the in-memory state of folders whose state file cannot be written.
_thread_locks: dict[str, threading.RLock] = {}
_memory: dict[str, tuple[int, float | None]] = {}
_registry = threading.Lock()


def _thread_lock(key: str) -> threading.RLock:
    with _registry:
        return _thread_locks.setdefault(key, threading.RLock())


def delay_after(failures: int) -> float:
    """Seconds the next attempt must wait after `failures` consecutive failures."""
    if failures <= FREE_FAILURES:
        return 0.0
    exponent = failures - FREE_FAILURES
    if exponent >= 9:  # 2**9 = 512 > 300; avoid building huge integers for silly counts
        return MAX_DELAY_S
    return min(float(2**exponent), MAX_DELAY_S)


class UnlockThrottle:
    """Persisted failure counter for one profile folder; `clock` returns epoch seconds.

    Wall-clock time (not monotonic) because the state has to survive restarts. A clock that
    jumps backwards is treated as "the failure just happened", so winding the clock back never
    shortens the wait beyond the full delay.
    """

    def __init__(
        self, profile_dir: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(profile_dir) / STATE_FILE
        self._clock = clock
        self._key = str(self.path.resolve())
        self._file_lock = filelock.FileLock(
            str(Path(profile_dir) / LOCK_FILE), mode=0o600, timeout=LOCK_TIMEOUT_S
        )

    # -- the lock ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with _thread_lock(self._key):
            try:
                self._file_lock.acquire()
            except filelock.Timeout:
                raise UnlockDelayed(5.0) from None
            except OSError as exc:
                # A read-only folder cannot hold the lock file: the thread lock still
                # serialises this process, which is the one with the state in memory.
                log.warning("could not lock the unlock state (%s)", exc)
                yield
                return
            try:
                yield
            finally:
                self._file_lock.release()

    # -- state (call with the lock held) -------------------------------------------------

    def _load(self) -> tuple[int, float | None]:
        # Used only while the state file cannot be written (read-only media), so the brake
        # still works in this process; otherwise the file is the truth, shared with others.
        if self._key in _memory:
            return _memory[self._key]
        try:
            raw = self.path.read_bytes()
        except OSError:  # missing (the normal case) or unreadable
            return 0, None
        try:
            data = json.loads(raw)
            failures, last = data["failures"], data["last_failure"]
            if not isinstance(failures, int) or isinstance(failures, bool) or failures < 0:
                raise ValueError
            if last is not None and (
                not isinstance(last, int | float)
                or isinstance(last, bool)
                or not math.isfinite(last)
            ):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable %s", self.path.name)
            return 0, None
        return failures, None if last is None else float(last)

    def _save(self, failures: int, last: float | None) -> None:
        try:
            if failures == 0:
                self.path.unlink(missing_ok=True)
            else:
                payload = json.dumps({"failures": failures, "last_failure": last}).encode()
                atomic_write_bytes(self.path, payload)
        except OSError as exc:
            log.warning("could not save the unlock state (%s); keeping it in memory", exc)
            _memory[self._key] = (failures, last)
        else:
            _memory.pop(self._key, None)

    def _remaining(self) -> float:
        failures, last = self._load()
        delay = delay_after(failures)
        if delay == 0 or last is None:
            return 0.0
        now = self._clock()
        if last > now:
            # In the future (clock set back, or an edited file): the failure happened now.
            # Saved so, or the wait would start again at every look and never end.
            self._save(failures, now)
            last = now
        return max(0.0, delay - (now - last))

    def _check(self) -> None:
        remaining = self._remaining()
        if remaining > 0:
            raise UnlockDelayed(remaining)

    def _record_failure(self) -> None:
        failures, _ = self._load()
        self._save(failures + 1, self._clock())

    # -- API -----------------------------------------------------------------------------

    @property
    def failures(self) -> int:
        with self._locked():
            return self._load()[0]

    def seconds_remaining(self) -> float:
        with self._locked():
            return self._remaining()

    def check(self) -> None:
        """Raise UnlockDelayed if the next attempt has to wait."""
        with self._locked():
            self._check()

    def record_failure(self) -> None:
        with self._locked():
            self._record_failure()

    def record_success(self) -> None:
        with self._locked():
            self._save(0, None)

    def attempt(self, unlock: Callable[[], bytes]) -> bytes:
        """Run one unlock attempt, holding the lock from the check to the count: refused while
        a delay runs; a WrongPassphrase counts as a failure (and is re-raised), anything else
        that unlocks clears the count."""
        with self._locked():
            self._check()
            try:
                data_key = unlock()
            except WrongPassphrase:
                self._record_failure()
                raise
            self._save(0, None)
            return data_key
