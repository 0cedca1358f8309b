"""An in-memory keyring backend for tests.

    keyring.set_keyring(MemoryKeyring())     # and MemoryKeyring.reset() between tests

Storage is class-level, so every instance (and every KeyringSecretStore built on
`keyring.get_keyring()`) sees the same secrets within a test — like a real OS keychain. Priority 1
makes it pass `assert_secure_backend`; it is test-only and must never ship in the app.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # keyring declares it as a classproperty

    _store: ClassVar[dict[tuple[str, str], str]] = {}

    @classmethod
    def reset(cls) -> None:
        cls._store.clear()

    def get_password(self, service: str, username: str) -> str | None:
        return self._store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self._store[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


# keyring registers every backend subclass for auto-detection. Take this one back out, so a test
# that forgets `set_keyring` gets the real (refused) backend rather than silently this one.
KeyringBackend._classes.discard(MemoryKeyring)  # type: ignore[attr-defined]
