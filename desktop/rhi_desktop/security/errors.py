"""Errors raised by key management.

Every error's ``str()`` is one sentence a worker can act on, so the UI and the CLI can show it as
it is. None of them ever carries a passphrase, key, device secret or keyring value: messages are
built from fixed text plus, at most, a file path or a backend's class name.
"""

from __future__ import annotations

import math

SUPPORT_HINT = "restore it from a backup or contact support"


class SecurityError(Exception):
    """Base class: something about keys, passphrases or the keychain stopped an operation."""

    default_message = "A security check failed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class WrongPassphrase(SecurityError):
    default_message = "The passphrase is not right."


# Used when the key file's integrity tag is keyed by a secret held in the file itself (demo
# profiles): a deliberate alteration then looks exactly like a wrong passphrase, so say both.
WRONG_OR_ALTERED = "The passphrase is not right, or the key file has been altered."


class KeyFileDamaged(SecurityError):
    default_message = f"The profile's key file is damaged or has been altered; {SUPPORT_HINT}."


class KeyFileMissing(SecurityError):
    default_message = f"The profile's key file is missing; {SUPPORT_HINT}."


class KeyFileExists(SecurityError):
    default_message = (
        "A key file already exists here; it was not overwritten, because that would make the "
        "profile's data unreadable."
    )


class KeyFileUnreadable(SecurityError):
    default_message = (
        "The profile's key file could not be read; check that the profile folder is accessible "
        "and try again."
    )


class KeyFileWriteFailed(SecurityError):
    default_message = (
        "The key file could not be saved, so nothing was changed; free some disk space or check "
        "the profile folder's permissions and try again."
    )


class KeyringUnavailable(SecurityError):
    default_message = (
        "The computer's secure keychain could not be used; unlock your session or restart the "
        "computer and try again, or contact support."
    )


class InsecureKeyring(SecurityError):
    default_message = (
        "The only keychain available on this computer is not secure enough to protect this "
        "profile; contact support."
    )


class WeakPassphrase(SecurityError):
    default_message = "Use at least 12 characters — three or four unrelated words work well."


class UnlockDelayed(SecurityError):
    """Too many wrong passphrases in a row: the next attempt has to wait."""

    def __init__(self, seconds_remaining: float) -> None:
        self.seconds_remaining = max(0.0, float(seconds_remaining))
        wait = max(1, math.ceil(self.seconds_remaining))
        unit = "second" if wait == 1 else "seconds"
        super().__init__(
            f"Too many wrong passphrases in a row; please wait {wait} {unit} and try again."
        )
