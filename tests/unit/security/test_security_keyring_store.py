"""The keychain adapter: insecure backends are refused, backend failures become plain errors."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties
from keyring_memory import MemoryKeyring

from rhi_desktop.security.errors import InsecureKeyring, KeyringUnavailable
from rhi_desktop.security.keyring_store import (
    SERVICE,
    DeviceSecretStore,
    KeyringSecretStore,
    assert_secure_backend,
)


def unregistered(cls: type[KeyringBackend]) -> type[KeyringBackend]:
    """keyring auto-registers every subclass; keep test doubles out of its auto-detection."""
    KeyringBackend._classes.discard(cls)  # type: ignore[attr-defined]
    return cls


class _Base(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


@unregistered
class PlaintextKeyring(_Base):
    """Stands in for keyrings.alt.file.PlaintextKeyring (keyrings.alt is not installed here)."""

    priority = 0.5  # type: ignore[assignment]  # the real one's priority: above zero!


PlaintextKeyring.__module__ = "keyrings.alt.file"


@unregistered
class AltOther(_Base):
    pass


AltOther.__module__ = "keyrings.alt.Gnome"


@unregistered
class ZeroPriority(_Base):
    priority = 0  # type: ignore[assignment]


@unregistered
class Unsuitable(_Base):
    @properties.classproperty
    def priority(cls) -> float:  # keyring's contract: raise when the backend cannot run here
        raise RuntimeError("requires dbus")


@unregistered
class Exploding(_Base):
    """A real backend that fails at runtime, with the given exception."""

    error: BaseException = keyring.errors.KeyringError("backend failure")

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password}")  # echoes the secret, as some do

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


def test_memory_keyring_is_accepted_and_satisfies_the_protocol(memory_keyring):
    assert_secure_backend(memory_keyring)
    store = KeyringSecretStore()
    assert isinstance(store, DeviceSecretStore)
    assert isinstance(store.backend, MemoryKeyring)


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (fail.Keyring(), "no secure keychain"),
        (null.Keyring(), "discards"),
        (PlaintextKeyring(), "ordinary file"),
        (AltOther(), "non-recommended"),
        (ZeroPriority(), "priority 0 or less"),
    ],
)
def test_insecure_backends_are_refused_by_name(backend, words):
    with pytest.raises(InsecureKeyring) as info:
        assert_secure_backend(backend)
    message = str(info.value)
    assert type(backend).__qualname__ in message and words in message
    with pytest.raises(InsecureKeyring):
        KeyringSecretStore(backend)


def test_the_real_plaintext_backend_if_installed():
    file_backends = pytest.importorskip("keyrings.alt.file")
    with pytest.raises(InsecureKeyring, match="PlaintextKeyring"):
        assert_secure_backend(file_backends.PlaintextKeyring())


def test_backend_that_cannot_run_here_is_refused():
    with pytest.raises(InsecureKeyring, match="cannot work"):
        assert_secure_backend(Unsuitable())


def test_the_environment_default_here_is_refused(monkeypatch):
    """On this test machine keyring finds nothing and falls back to `fail`."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    with pytest.raises(InsecureKeyring, match="fail"):
        KeyringSecretStore()


@pytest.fixture
def chain(monkeypatch) -> Iterator[Any]:
    def use(*members: KeyringBackend) -> chainer.ChainerBackend:
        monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: list(members))
        return chainer.ChainerBackend()

    yield use


def test_empty_chainer_is_refused(chain):
    with pytest.raises(InsecureKeyring, match="chains no usable keychain"):
        KeyringSecretStore(chain())


def test_chainer_of_only_insecure_backends_is_refused(chain):
    with pytest.raises(InsecureKeyring, match="PlaintextKeyring"):
        KeyringSecretStore(chain(PlaintextKeyring()))


def test_chainer_with_a_weak_member_fails_the_strict_check(chain, memory_keyring):
    backend = chain(memory_keyring, PlaintextKeyring())
    with pytest.raises(InsecureKeyring, match="includes"):
        assert_secure_backend(backend)


def test_store_uses_the_secure_member_of_a_mixed_chain(chain, memory_keyring):
    store = KeyringSecretStore(chain(PlaintextKeyring(), memory_keyring))
    assert store.backend is memory_keyring


def test_round_trip_and_storage_format(store, memory_keyring):
    secret = bytes(range(32))
    assert store.get("profile-1") is None
    store.set("profile-1", secret)
    assert memory_keyring.get_password(SERVICE, "profile-1") == base64.b64encode(secret).decode()
    assert store.get("profile-1") == secret
    store.delete("profile-1")
    store.delete("profile-1")  # idempotent
    assert store.get("profile-1") is None


def test_secret_must_be_32_bytes(store):
    with pytest.raises(ValueError):
        store.set("p", b"short")


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_damaged_keyring_entry(store, memory_keyring, value):
    memory_keyring.set_password(SERVICE, "p", value)
    with pytest.raises(KeyringUnavailable, match="damaged") as info:
        store.get("p")
    assert value not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (keyring.errors.KeyringError("x"), "did not respond"),
        (keyring.errors.NoKeyringError("x"), "did not respond"),
        (keyring.errors.KeyringLocked("x"), "locked"),
        (RuntimeError("dbus went away"), "did not respond"),
    ],
)
def test_backend_errors_become_keyring_unavailable(monkeypatch, error, words):
    monkeypatch.setattr(Exploding, "error", error)
    store = KeyringSecretStore(Exploding())
    with pytest.raises(KeyringUnavailable, match=words):
        store.get("p")
    with pytest.raises(KeyringUnavailable):
        store.delete("p")


def test_a_failed_save_does_not_chain_the_secret(monkeypatch):
    store = KeyringSecretStore(Exploding())
    secret = bytes(range(32))
    with pytest.raises(KeyringUnavailable) as info:
        store.set("p", secret)
    error = info.value
    assert error.__cause__ is None and error.__suppress_context__
    assert base64.b64encode(secret).decode() not in str(error)
    assert error.detail == "RuntimeError"  # type: ignore[attr-defined]


def test_memory_keyring_reset_and_shared_storage(memory_keyring):
    other = MemoryKeyring()
    memory_keyring.set_password(SERVICE, "u", "v")
    assert other.get_password(SERVICE, "u") == "v"
    MemoryKeyring.reset()
    assert other.get_password(SERVICE, "u") is None
    with pytest.raises(keyring.errors.PasswordDeleteError):
        other.delete_password(SERVICE, "u")


def test_memory_keyring_is_not_auto_detected():
    assert MemoryKeyring not in KeyringBackend._classes  # type: ignore[attr-defined]
