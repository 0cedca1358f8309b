"""Where a real profile's device secret lives: the operating system's keychain.

The device secret is half of what protects the data key (the passphrase is the other half), so a
copied profile folder is useless on another computer. That only holds if the keychain really is
a protected store: `keyring` happily falls back to backends that write secrets to plain files
or silently drop them, so we refuse those here and say why.
"""

from __future__ import annotations

import base64
import binascii
from typing import Protocol, runtime_checkable

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from rhi_desktop.security.errors import InsecureKeyring, KeyringUnavailable

SERVICE = "rhi-desktop"
DEVICE_SECRET_BYTES = 32


@runtime_checkable
class DeviceSecretStore(Protocol):
    """Holds one 32-byte device secret per profile id."""

    def get(self, profile_id: str) -> bytes | None: ...

    def set(self, profile_id: str, secret: bytes) -> None: ...

    def delete(self, profile_id: str) -> None: ...


def _class_path(backend: object) -> str:
    cls = backend if isinstance(backend, type) else type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _insecurity_reason(backend: KeyringBackend) -> str | None:
    """Why `backend` must not hold a device secret, or None if it may."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring):
        return "no secure keychain was found on this computer"
    if isinstance(backend, null.Keyring):
        return "it discards every secret it is given"
    module = type(backend).__module__ or ""
    # keyrings.alt is the "non-recommended backends" package: its file backends keep secrets in
    # a file in the home folder (plain text, or encrypted under a password typed at a console
    # prompt the app cannot show). We refuse the whole package rather than audit each backend.
    if module == "keyrings.alt" or module.startswith("keyrings.alt."):
        if ".file" in module or "Plaintext" in type(backend).__name__:
            return "it keeps secrets in an ordinary file on disk"
        return "it is one of keyring's non-recommended alternative backends"
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        if not members:
            return "it chains no usable keychain"
        # The chainer reads from every member, so one weak member could supply a planted secret.
        for member in members:
            reason = _insecurity_reason(member)
            if reason is not None:
                return f"it includes {_class_path(member)}, and {reason}"
        return None
    try:
        priority = type(backend).priority
    except Exception:  # keyring's contract: priority raises when the backend cannot work here
        return "it reports that it cannot work on this computer"
    if not isinstance(priority, int | float) or priority <= 0:
        return "keyring itself ranks it as not recommended (priority 0 or less)"
    return None


def assert_secure_backend(backend: KeyringBackend) -> None:
    """Raise InsecureKeyring, naming the backend and the reason, unless it is safe to use."""
    reason = _insecurity_reason(backend)
    if reason is not None:
        raise InsecureKeyring(
            f"This computer's keychain ({_class_path(backend)}) cannot protect the profile "
            f"because {reason}; set up the system keychain or contact support."
        )


def _select_backend(backend: KeyringBackend) -> KeyringBackend:
    """Pick the one backend we will talk to.

    A ChainerBackend (what keyring returns when several keychains exist) reads from all of them;
    instead we use its best secure member directly, so the secret is written to and read from one
    known place. A chain with no secure member is refused.
    """
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)  # already sorted by priority, highest first
        for member in members:
            if _insecurity_reason(member) is None:
                return member
        assert_secure_backend(backend)  # raises, with the reason
    assert_secure_backend(backend)
    return backend


def _unavailable(exc: BaseException, doing: str) -> KeyringUnavailable:
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(
            f"The computer's keychain is locked, so the {doing}; unlock it and try again."
        )
    return KeyringUnavailable(
        f"The computer's keychain did not respond, so the {doing}; try again, restart the "
        "computer, or contact support."
    )


class KeyringSecretStore:
    """DeviceSecretStore on the `keyring` library's backend (service "rhi-desktop").

    The backend is vetted on construction, so the unlock dialog can show InsecureKeyring before
    asking for a passphrase. Any failure of the backend itself (locked, D-Bus gone, credential
    manager error) becomes KeyringUnavailable: to the worker they are all "the keychain did not
    work", and a traceback would help nobody.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        try:
            chosen = backend if backend is not None else keyring.get_keyring()
        except Exception as exc:
            raise _unavailable(exc, "profile's keychain entry could not be reached") from exc
        self._backend = _select_backend(chosen)

    @property
    def backend(self) -> KeyringBackend:
        return self._backend

    def get(self, profile_id: str) -> bytes | None:
        try:
            stored = self._backend.get_password(SERVICE, profile_id)
        except Exception as exc:
            raise _unavailable(exc, "profile's device secret could not be read") from exc
        if stored is None:
            return None
        try:
            secret = base64.b64decode(stored.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, AttributeError):
            secret = b""
        if len(secret) != DEVICE_SECRET_BYTES:
            # Deliberately `from None`: the cause would quote the stored value.
            raise KeyringUnavailable(
                "This profile's entry in the computer's keychain is damaged; restore the profile "
                "from a backup or contact support."
            ) from None
        return secret

    def set(self, profile_id: str, secret: bytes) -> None:
        if len(secret) != DEVICE_SECRET_BYTES:
            raise ValueError("a device secret is exactly 32 bytes")
        value = base64.b64encode(secret).decode("ascii")
        try:
            self._backend.set_password(SERVICE, profile_id, value)
        except Exception as exc:
            # `from None`: a backend's exception may echo the value it was asked to store.
            error = _unavailable(exc, "profile's device secret could not be saved")
            error.detail = type(exc).__name__  # type: ignore[attr-defined]
            raise error from None

    def delete(self, profile_id: str) -> None:
        try:
            self._backend.delete_password(SERVICE, profile_id)
        except keyring.errors.PasswordDeleteError:
            return  # already gone: deleting is idempotent
        except Exception as exc:
            raise _unavailable(exc, "profile's device secret could not be removed") from exc
