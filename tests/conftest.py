"""Shared fixtures: offscreen Qt, an in-memory keychain, fresh encrypted profiles per test."""

from __future__ import annotations

import os

# Before anything imports Qt: no display here or in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import (
    Callable,  # noqa: E402
    Iterator,  # noqa: E402
)
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring_memory import MemoryKeyring  # noqa: E402
from sqlalchemy import select  # noqa: E402

from rhi_core.domain.codes import InterviewState  # noqa: E402
from rhi_desktop.security.keys import KdfParams  # noqa: E402
from rhi_desktop.services.demo_profile import create_demo_profile  # noqa: E402
from rhi_desktop.services.profiles import Profile, create_profile  # noqa: E402
from rhi_desktop.store.models import ReturnInterview  # noqa: E402

# A fixed instant, so deadlines and counts are the same on every run.
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
CHEAP_KDF = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)
PASSPHRASE = "correct horse battery staple"
WORKER = "Jane Smith"


@pytest.fixture(autouse=True)
def test_keyring() -> Iterator[MemoryKeyring]:
    """No test ever touches a real OS keychain."""
    previous = keyring.core._keyring_backend
    MemoryKeyring.reset()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous
    MemoryKeyring.reset()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    """A fresh, empty, real (non-demo) encrypted profile."""
    p = create_profile(
        tmp_path / "profile", worker_name=WORKER, passphrase=PASSPHRASE, kdf=CHEAP_KDF
    )
    yield p
    p.close()


@pytest.fixture
def demo_profile(tmp_path: Path) -> Iterator[Profile]:
    """A small synthetic demo profile anchored at NOW."""
    p = create_demo_profile(tmp_path / "demo", seed=7, n_children=60, now=NOW)
    yield p
    p.close()


COMPLETED_STATES = [
    InterviewState.COMPLETED,
    InterviewState.SYNCED,
    InterviewState.APPROVED,
    InterviewState.HAS_ISSUES,
]


def _completed_ids(profile: Profile, flag: str | None = None) -> list[str]:
    with profile.sessions() as s:
        rows = s.execute(
            select(ReturnInterview.id, ReturnInterview.risk_flags)
            .where(ReturnInterview.state.in_([str(c) for c in COMPLETED_STATES]))
            .order_by(ReturnInterview.id)
        ).all()
    return [i for i, flags in rows if flag is None or flag in (flags or [])]


@pytest.fixture
def flagged_id(demo_profile: Profile) -> str:
    """A completed demo interview with a CCE flag (the richest record)."""
    ids = _completed_ids(demo_profile, "cce")
    assert ids, "the demo has a completed interview with a CCE flag"
    return ids[0]


@pytest.fixture
def completed_ids() -> Callable[..., list[str]]:
    """``completed_ids(profile, flag=None)``: completed interviews (with that risk flag)."""
    return _completed_ids
