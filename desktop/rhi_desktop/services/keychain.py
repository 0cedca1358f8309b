"""Is this computer's keychain ready to hold a real profile's device secret? Asked before the
worker types anything, and answered in plain words: what to install or unlock on *this* system,
and that "Try again" checks once more. No class names, no library jargon.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import keyring.errors

from rhi_desktop.security.errors import InsecureKeyring, KeyringUnavailable
from rhi_desktop.security.keyring_store import SERVICE, KeyringSecretStore

_NONE = {
    "linux": (
        "RHI Desktop keeps part of the key to your interviews in the computer's keychain, and "
        "no keychain is running on this computer. Install GNOME Keyring (the gnome-keyring "
        "package) or KDE Wallet (KWallet), log out and log back in so it starts, then choose "
        "Try again."
    ),
    "win32": (
        "RHI Desktop keeps part of the key to your interviews in Windows Credential Manager, "
        "and it is not available to this account. Sign in to Windows with your own account "
        "(not a guest or temporary profile), or ask IT support to allow Credential Manager, then "
        "choose Try again."
    ),
    "darwin": (
        "RHI Desktop keeps part of the key to your interviews in the macOS Keychain, and it is "
        "not available. Open Keychain Access and check that your login keychain exists, then "
        "choose Try again."
    ),
}
_LOCKED = {
    "linux": (
        "The computer's keychain (GNOME Keyring or KWallet) is locked. Unlock it (it usually "
        "opens with your login password; a prompt may be waiting behind this window), then "
        "choose Try again."
    ),
    "win32": (
        "Windows Credential Manager did not answer. Sign out of Windows and back in, then "
        "choose Try again."
    ),
    "darwin": (
        "The macOS Keychain is locked. Unlock your login keychain in Keychain Access (with your "
        "Mac password), then choose Try again."
    ),
}


@dataclass(frozen=True)
class KeychainCheck:
    ready: bool
    problem: str | None = None  # what to do, in plain words, when not ready
    locked: bool = False


def _platform(name: str | None) -> str:
    p = name or sys.platform
    return "linux" if p.startswith("linux") else p if p in _NONE else "linux"


def check_keychain(platform: str | None = None) -> KeychainCheck:
    """Whether a real profile can keep its device secret here now (nothing is written)."""
    where = _platform(platform)
    try:
        store = KeyringSecretStore()
        # A locked keychain is only found out by asking it for something.
        store.backend.get_password(SERVICE, "rhi-desktop-keychain-check")
    except InsecureKeyring:
        return KeychainCheck(False, _NONE[where])
    except (KeyringUnavailable, keyring.errors.KeyringLocked):
        return KeychainCheck(False, _LOCKED[where], locked=True)
    except Exception:  # noqa: BLE001 - any failure of the keychain itself reads the same
        return KeychainCheck(False, _LOCKED[where], locked=True)
    return KeychainCheck(True)
