"""Failed unlocks slow down.

After the n-th wrong passphrase in a row the next attempt waits delay(n): nothing for the first
two slips, then 2, 4, 8 … seconds, capped at five minutes. The state lives in the profile folder
(`unlock-state.json`: a count and a time, no secrets) so quitting the app does not reset it.

This is a brake on someone guessing at the unlock dialog, not the main defence: a person who can
edit the profile folder can delete the file, which is why the key itself is protected by Argon2id
and by the device secret in the OS keychain. For the same reason an unreadable state file is
treated as "no failures" — failing closed on it would only lock out the worker, never an attacker.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from rhi_desktop.security.errors import UnlockDelayed, WrongPassphrase
from rhi_desktop.security.files import atomic_write_bytes

__all__ = ["MAX_DELAY_S", "STATE_FILE", "UnlockThrottle", "delay_after"]

log = logging.getLogger(__name__)

STATE_FILE = "unlock-state.json"
FREE_FAILURES = 2
MAX_DELAY_S = 300.0


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
        # Used only while the state file cannot be written (read-only media), so the brake still
        # works in this process; otherwise the file is the truth, shared with other processes.
        self._memory: tuple[int, float | None] | None = None

    # -- state ---------------------------------------------------------------------------

    def _load(self) -> tuple[int, float | None]:
        if self._memory is not None:
            return self._memory
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
            self._memory = (failures, last)
        else:
            self._memory = None

    # -- API -----------------------------------------------------------------------------

    @property
    def failures(self) -> int:
        return self._load()[0]

    def seconds_remaining(self) -> float:
        failures, last = self._load()
        delay = delay_after(failures)
        if delay == 0 or last is None:
            return 0.0
        elapsed = max(0.0, self._clock() - last)
        return max(0.0, delay - elapsed)

    def check(self) -> None:
        """Raise UnlockDelayed if the next attempt has to wait."""
        remaining = self.seconds_remaining()
        if remaining > 0:
            raise UnlockDelayed(remaining)

    def record_failure(self) -> None:
        failures, _ = self._load()
        self._save(failures + 1, self._clock())

    def record_success(self) -> None:
        self._save(0, None)

    def attempt(self, unlock: Callable[[], bytes]) -> bytes:
        """Run one unlock attempt: refused while a delay runs; a WrongPassphrase counts as a
        failure (and is re-raised), anything else that unlocks clears the count."""
        self.check()
        try:
            data_key = unlock()
        except WrongPassphrase:
            self.record_failure()
            raise
        self.record_success()
        return data_key
