"""Shared constants and helpers for the security tests (fixtures live in conftest.py)."""

from __future__ import annotations

from rhi_desktop.security.keys import KdfParams

# Argon2id at its floor: the suite exercises the logic, not the cost (DEFAULT_KDF is measured
# separately and reported).
CHEAP_KDF = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
STRONG = "correct horse battery staple"
OTHER = "lantern quietly orbits pickle"
PROFILE_ID = "3f0c8a52-6d1e-4c1b-9a4e-2b7f5d9c0e11"
WORKER = "Jane Smith"


class FakeClock:
    """Injectable epoch clock: tests move time instead of sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
