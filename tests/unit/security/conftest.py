"""Fixtures for the key-management tests: a memory keychain, a fake clock, a key file path.

Shared constants live in `security_helpers`, imported as `unit.security.security_helpers`: the
suite puts only tests/ on sys.path (pyproject `pythonpath`). This folder is deliberately not added
to sys.path — it holds a conftest.py, which would shadow tests/conftest.py for the suites that do
`from conftest import NOW`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring_memory import MemoryKeyring
from unit.security.security_helpers import FakeClock

from rhi_desktop.security.keyring_store import KeyringSecretStore


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.core._keyring_backend  # restore exactly, without triggering auto-detection
    MemoryKeyring.reset()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = previous
        MemoryKeyring.reset()


@pytest.fixture
def store(memory_keyring: MemoryKeyring) -> KeyringSecretStore:
    return KeyringSecretStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "profile.key"
