"""The profile key file: the database's data key, wrapped under passphrase + device secret.

Layout of ``profile.key`` (JSON, UTF-8, mode 0600)::

    {"format": "rhi-desktop-profile-key", "version": 1,
     "profile_id": "…", "worker_name": "…", "demo": false, "created_at": "2025-…Z",
     "kdf": {"algorithm": "argon2id", "time_cost": 3, "memory_cost_kib": 65536, "parallelism": 2},
     "salt": b64(16), "nonce": b64(12), "wrapped_key": b64(32 + 16 tag),
     "device_secret": b64(32)            # demo profiles only
     "mac": b64(32)}

Key derivation::

    stretched = Argon2id(NFC(passphrase) as UTF-8, salt, kdf)             # slow: resists guessing
    KEK       = HKDF-SHA256(ikm=stretched, salt=device_secret, info="rhi-desktop kek v1")
    wrapped   = AES-256-GCM(KEK, nonce, data_key, aad=canonical(header))

The header (format, version, profile_id, worker_name, demo, created_at, kdf, salt) is the AEAD's
associated data, so altering any of it makes unwrapping fail.

Telling "wrong passphrase" from "altered file" apart: an AEAD failure alone cannot. So the file
also carries ``mac`` = HMAC-SHA256 over every other field, keyed from the device secret (HKDF,
its own info string). The device secret is available before the passphrase is asked, and for a
real profile it lives in the OS keychain, out of reach of someone who can only edit the file.
Unlock therefore checks the MAC first — mismatch means KeyFileDamaged — and only then the AEAD,
where a failure can honestly be reported as WrongPassphrase. For a demo profile the device secret
sits in the file, so anyone editing it can recompute the MAC; its AEAD failure is reported as
"The passphrase is not right, or the key file has been altered." The MAC adds no passphrase
oracle: it never depends on the passphrase.

The data key is never written anywhere except wrapped. Python cannot reliably wipe bytes from
memory, so we do not pretend to; the key lives as long as the unlocked session's objects.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rhi_desktop.security.errors import (
    SUPPORT_HINT,
    WRONG_OR_ALTERED,
    KeyFileDamaged,
    KeyFileExists,
    KeyFileMissing,
    KeyFileUnreadable,
    KeyFileWriteFailed,
    KeyringUnavailable,
    SecurityError,
    WeakPassphrase,
    WrongPassphrase,
)
from rhi_desktop.security.files import atomic_write_bytes
from rhi_desktop.security.keyring_store import DEVICE_SECRET_BYTES, DeviceSecretStore
from rhi_desktop.security.passphrase import check_strength


class UnlockGate(Protocol):
    """What ``attempt_unlock`` needs from a throttle (``security.throttle.UnlockThrottle``):
    run one unlock attempt under its rules, counting a wrong passphrase."""

    def attempt(self, unlock: Callable[[], bytes]) -> bytes: ...


FORMAT = "rhi-desktop-profile-key"
VERSION = 1
KDF_ALGORITHM = "argon2id"
KEK_INFO = b"rhi-desktop kek v1"
MAC_INFO = b"rhi-desktop key-file mac v1"
AAD_DOMAIN = b"rhi-desktop key-file header v1\x00"
MAC_DOMAIN = b"rhi-desktop key-file body v1\x00"

DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
WRAPPED_BYTES = DATA_KEY_BYTES + 16  # ciphertext + GCM tag
MAC_BYTES = 32
MAX_KEY_FILE_BYTES = 64 * 1024  # a real one is < 1 KiB; refuse to parse anything huge

# profile_id doubles as the keychain user name, so keep it to a safe, printable alphabet.
_PROFILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MAX_WORKER_NAME = 200

_FIELDS = {
    "format",
    "version",
    "profile_id",
    "worker_name",
    "demo",
    "created_at",
    "kdf",
    "salt",
    "nonce",
    "wrapped_key",
    "device_secret",
    "mac",
}
_KDF_FIELDS = {"algorithm", "time_cost", "memory_cost_kib", "parallelism"}


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Stored in each key file, so the default can rise without breaking old files.

    Bounds matter because a demo key file can be edited at will: absurd costs would otherwise let
    a file exhaust memory or hang the unlock dialog before any integrity check could fail.
    """

    time_cost: int
    memory_cost_kib: int
    parallelism: int

    def __post_init__(self) -> None:
        for name in ("time_cost", "memory_cost_kib", "parallelism"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be an integer")
        if not 1 <= self.parallelism <= 64:
            raise ValueError("parallelism must be between 1 and 64")
        if not 1 <= self.time_cost <= 100:
            raise ValueError("time_cost must be between 1 and 100")
        # Argon2 itself needs 8 KiB per lane; 4 GiB is beyond any field laptop.
        if not 8 * self.parallelism <= self.memory_cost_kib <= 4 * 1024 * 1024:
            raise ValueError("memory_cost_kib must be between 8 × parallelism and 4 GiB")

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": KDF_ALGORITHM,
            "time_cost": self.time_cost,
            "memory_cost_kib": self.memory_cost_kib,
            "parallelism": self.parallelism,
        }


# RFC 9106's second recommended option is 3 passes / 64 MiB; 2 lanes suits 2-core laptops.
DEFAULT_KDF = KdfParams(time_cost=3, memory_cost_kib=131072, parallelism=2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(obj: Any) -> bytes:
    # The key file's own frozen byte form (AEAD associated data and MAC input of format v1),
    # not a content hash: ASCII-escaped, so existing key files keep verifying. Content hashes
    # use rhi_core.canonical.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class KeyFile:
    """One parsed key file. Fields read before unlocking (worker_name, demo) are not yet
    authenticated: they are verified as part of every unlock."""

    version: int
    profile_id: str
    worker_name: str
    demo: bool
    created_at: str  # ISO 8601, UTC
    kdf: KdfParams
    salt: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    wrapped_key: bytes = field(repr=False)
    device_secret: bytes | None = field(repr=False)  # demo profiles only
    mac: bytes = field(repr=False, default=b"")

    # -- canonical forms -------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        """The fields bound to the wrapped key as AES-GCM associated data."""
        return {
            "format": FORMAT,
            "version": self.version,
            "profile_id": self.profile_id,
            "worker_name": self.worker_name,
            "demo": self.demo,
            "created_at": self.created_at,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
        }

    def aad(self) -> bytes:
        return AAD_DOMAIN + _canonical(self.header())

    def body(self) -> dict[str, Any]:
        """Everything except the MAC (which is computed over exactly this)."""
        data = self.header()
        data["nonce"] = _b64(self.nonce)
        data["wrapped_key"] = _b64(self.wrapped_key)
        if self.device_secret is not None:
            data["device_secret"] = _b64(self.device_secret)
        return data

    def to_json(self) -> dict[str, Any]:
        data = self.body()
        data["mac"] = _b64(self.mac)
        return data

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    # -- parsing ---------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Any) -> KeyFile:
        """Validate structure strictly; any deviation is KeyFileDamaged."""
        if not isinstance(data, dict):
            raise KeyFileDamaged()
        if data.get("format") != FORMAT:
            raise KeyFileDamaged(
                f"This file is not an RHI Desktop key file, or it is damaged; {SUPPORT_HINT}."
            )
        version = data.get("version")
        if _is_int(version) and version > VERSION:
            raise KeyFileDamaged(
                "This profile was saved by a newer version of RHI Desktop; update the app to "
                "open it."
            )
        required = _FIELDS - {"device_secret"}
        if version != VERSION or not required <= data.keys() or not data.keys() <= _FIELDS:
            raise KeyFileDamaged()
        kdf_raw = data["kdf"]
        if (
            not isinstance(kdf_raw, dict)
            or kdf_raw.keys() != _KDF_FIELDS
            or kdf_raw["algorithm"] != KDF_ALGORITHM
        ):
            raise KeyFileDamaged()
        try:
            kdf = KdfParams(
                time_cost=kdf_raw["time_cost"],
                memory_cost_kib=kdf_raw["memory_cost_kib"],
                parallelism=kdf_raw["parallelism"],
            )
        except ValueError:
            raise KeyFileDamaged() from None
        profile_id, worker_name = data["profile_id"], data["worker_name"]
        demo, created_at = data["demo"], data["created_at"]
        if (
            not isinstance(profile_id, str)
            or not _PROFILE_ID.fullmatch(profile_id)
            or not isinstance(worker_name, str)
            or len(worker_name) > _MAX_WORKER_NAME
            or not isinstance(demo, bool)
            or not isinstance(created_at, str)
            or len(created_at) > 40
        ):
            raise KeyFileDamaged()
        device_secret = None
        if demo:
            # A demo profile without its secret, or a real one carrying a secret, is not a file
            # we wrote: flipping the flag is an alteration, not a mode switch.
            if "device_secret" not in data:
                raise KeyFileDamaged()
            device_secret = _unb64(data["device_secret"], DEVICE_SECRET_BYTES)
        elif "device_secret" in data:
            raise KeyFileDamaged()
        return cls(
            version=version,
            profile_id=profile_id,
            worker_name=worker_name,
            demo=demo,
            created_at=created_at,
            kdf=kdf,
            salt=_unb64(data["salt"], SALT_BYTES),
            nonce=_unb64(data["nonce"], NONCE_BYTES),
            wrapped_key=_unb64(data["wrapped_key"], WRAPPED_BYTES),
            device_secret=device_secret,
            mac=_unb64(data["mac"], MAC_BYTES),
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeyFile:
        if len(raw) > MAX_KEY_FILE_BYTES:
            raise KeyFileDamaged()
        try:
            data = json.loads(
                raw.decode("utf-8"),
                object_pairs_hook=_no_duplicate_keys,
                parse_constant=_reject_constant,
            )
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise KeyFileDamaged() from None
        return cls.from_json(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyFile:
        path = Path(path)
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError:
            raise KeyFileMissing(
                f"The profile's key file ({path}) is missing; {SUPPORT_HINT}."
            ) from None
        except OSError as exc:
            raise KeyFileUnreadable(
                f"The profile's key file ({path}) could not be read ({exc.strerror or exc}); "
                "check the profile folder is accessible and try again."
            ) from exc
        return cls.from_bytes(raw)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Replace the file atomically: a crash leaves the old file or the new, never half."""
        try:
            atomic_write_bytes(Path(path), self.to_bytes())
        except OSError as exc:
            raise KeyFileWriteFailed(
                f"The key file could not be saved ({exc.strerror or exc}), so nothing was "
                "changed; free some disk space or check the folder's permissions and try again."
            ) from exc


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key")  # only ever seen by from_bytes → KeyFileDamaged
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"unsupported JSON constant {name}")


def _unb64(value: Any, length: int) -> bytes:
    if not isinstance(value, str):
        raise KeyFileDamaged()
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise KeyFileDamaged() from None
    if len(decoded) != length:
        raise KeyFileDamaged()
    return decoded


# -- crypto ----------------------------------------------------------------------------------


def _passphrase_bytes(passphrase: str) -> bytes:
    # NFC so "é" typed as one code point or as e + accent unlocks the same profile.
    # surrogatepass: a malformed string from a clipboard must fail as a wrong passphrase, not crash.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def derive_kek(passphrase: str, salt: bytes, kdf: KdfParams, device_secret: bytes) -> bytes:
    try:
        stretched = hash_secret_raw(
            secret=_passphrase_bytes(passphrase),
            salt=salt,
            time_cost=kdf.time_cost,
            memory_cost=kdf.memory_cost_kib,
            parallelism=kdf.parallelism,
            hash_len=32,
            type=Type.ID,
        )
    except HashingError as exc:
        raise SecurityError(
            "The computer did not have enough free memory to check the passphrase; close other "
            "programs and try again."
        ) from exc
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=device_secret, info=KEK_INFO).derive(
        stretched
    )


def _mac(key_file: KeyFile, device_secret: bytes) -> bytes:
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=MAC_INFO).derive(
        device_secret
    )
    return hmac.new(mac_key, MAC_DOMAIN + _canonical(key_file.body()), hashlib.sha256).digest()


def _seal(template: KeyFile, passphrase: str, data_key: bytes, device_secret: bytes) -> KeyFile:
    """Return `template` with fresh salt and nonce, the data key wrapped, and the MAC set."""
    unsealed = replace(
        template,
        salt=secrets.token_bytes(SALT_BYTES),
        nonce=secrets.token_bytes(NONCE_BYTES),
        wrapped_key=b"",
        mac=b"",
    )
    kek = derive_kek(passphrase, unsealed.salt, unsealed.kdf, device_secret)
    wrapped = AESGCM(kek).encrypt(unsealed.nonce, data_key, unsealed.aad())
    sealed = replace(unsealed, wrapped_key=wrapped)
    return replace(sealed, mac=_mac(sealed, device_secret))


def _device_secret_for(key_file: KeyFile, secret_store: DeviceSecretStore | None) -> bytes:
    if key_file.demo:
        assert key_file.device_secret is not None  # guaranteed by KeyFile.from_json
        return key_file.device_secret
    if secret_store is None:
        raise KeyringUnavailable(
            "This profile needs the computer's secure keychain, which is not available; "
            "contact support."
        )
    secret = secret_store.get(key_file.profile_id)
    if secret is None:
        raise KeyringUnavailable(
            "This computer's keychain has no entry for this profile: it was created on another "
            "computer, or its keychain entry was removed; open it on the computer where it was "
            "created, or contact support."
        )
    if len(secret) != DEVICE_SECRET_BYTES:
        raise KeyringUnavailable(
            "This profile's entry in the computer's keychain is damaged; contact support."
        )
    return secret


def _open(key_file: KeyFile, passphrase: str, secret_store: DeviceSecretStore | None) -> bytes:
    device_secret = _device_secret_for(key_file, secret_store)
    if not hmac.compare_digest(_mac(key_file, device_secret), key_file.mac):
        raise KeyFileDamaged(
            "The profile's key file is damaged or has been altered (or does not match this "
            f"computer's keychain entry); {SUPPORT_HINT}."
        )
    kek = derive_kek(passphrase, key_file.salt, key_file.kdf, device_secret)
    try:
        data_key = AESGCM(kek).decrypt(key_file.nonce, key_file.wrapped_key, key_file.aad())
    except InvalidTag:
        # Real profile: the MAC proved the file is as we wrote it (to anyone without the
        # keychain), so only the passphrase is left. Demo: the MAC key is in the file itself.
        raise (WrongPassphrase(WRONG_OR_ALTERED) if key_file.demo else WrongPassphrase()) from None
    if len(data_key) != DATA_KEY_BYTES:
        raise KeyFileDamaged()
    return data_key


# -- public API ------------------------------------------------------------------------------


def validate_profile_id(profile_id: str) -> None:
    if not isinstance(profile_id, str) or not _PROFILE_ID.fullmatch(profile_id):
        raise ValueError("profile_id must be 1-64 characters of A-Z a-z 0-9 . _ - (e.g. a UUID)")


def create_key_file(
    path: str | os.PathLike[str],
    passphrase: str,
    *,
    profile_id: str,
    worker_name: str,
    demo: bool,
    secret_store: DeviceSecretStore | None,
    kdf: KdfParams = DEFAULT_KDF,
) -> bytes:
    """Write a new key file and return the new 32-byte data key (to create the database with).

    Real profiles: the passphrase must pass `check_strength`, and the device secret goes into
    `secret_store` (normally KeyringSecretStore). Demo profiles keep the device secret in the
    file and accept any passphrase ("demo").
    """
    path = Path(path)
    validate_profile_id(profile_id)
    if not isinstance(worker_name, str) or len(worker_name) > _MAX_WORKER_NAME:
        raise ValueError(f"worker_name must be a string of at most {_MAX_WORKER_NAME} characters")
    if path.exists():
        raise KeyFileExists()
    if not demo:
        verdict = check_strength(passphrase, user_inputs=(worker_name, profile_id))
        if not verdict.ok:
            raise WeakPassphrase(verdict.message)
        if secret_store is None:
            raise ValueError("a real (non-demo) profile needs a secret_store for its device secret")

    data_key = secrets.token_bytes(DATA_KEY_BYTES)
    device_secret = secrets.token_bytes(DEVICE_SECRET_BYTES)
    template = KeyFile(
        version=VERSION,
        profile_id=profile_id,
        worker_name=worker_name,
        demo=demo,
        created_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        kdf=kdf,
        salt=b"",
        nonce=b"",
        wrapped_key=b"",
        device_secret=device_secret if demo else None,
    )
    sealed = _seal(template, passphrase, data_key, device_secret)

    if demo:
        sealed.save(path)
        return data_key

    assert secret_store is not None
    if secret_store.get(profile_id) is not None:
        # Overwriting would orphan whichever profile that secret belongs to.
        raise KeyFileExists(
            "This computer's keychain already holds a secret for this profile id; nothing was "
            "overwritten — create the profile with a new id."
        )
    secret_store.set(profile_id, device_secret)
    try:
        sealed.save(path)
    except BaseException:
        # No key file means nobody can use that secret: take it back out of the keychain.
        with contextlib.suppress(SecurityError):
            secret_store.delete(profile_id)
        raise
    return data_key


def read_profile_info(path: str | os.PathLike[str]) -> KeyFile:
    """Parse the key file without unlocking (for the unlock dialog: worker name, DEMO flag).

    Raises KeyFileMissing / KeyFileDamaged / KeyFileUnreadable. The fields are checked for shape
    only; they are authenticated when the profile is unlocked.
    """
    return KeyFile.load(path)


def unlock(
    path: str | os.PathLike[str], passphrase: str, *, secret_store: DeviceSecretStore | None
) -> bytes:
    """Return the data key. Demo profiles ignore `secret_store`.

    Raises WrongPassphrase, KeyFileDamaged (structure or MAC), KeyFileMissing, KeyFileUnreadable,
    KeyringUnavailable (no store / no entry for this profile / keychain failure).
    """
    return _open(KeyFile.load(path), passphrase, secret_store)


def change_passphrase(
    path: str | os.PathLike[str],
    old: str,
    new: str,
    *,
    secret_store: DeviceSecretStore | None,
    kdf: KdfParams | None = None,
    throttle: UnlockGate | None = None,
) -> None:
    """Re-wrap the same data key under `new` with a fresh salt and nonce (database untouched).

    `kdf` defaults to the file's current parameters; pass DEFAULT_KDF to upgrade old files.
    With a `throttle`, a wrong `old` passphrase counts as a failed unlock.
    """
    path = Path(path)
    key_file = KeyFile.load(path)
    if not key_file.demo:
        verdict = check_strength(new, user_inputs=(key_file.worker_name, key_file.profile_id))
        if not verdict.ok:
            raise WeakPassphrase(verdict.message)
    if throttle is not None:
        data_key = attempt_unlock(path, old, secret_store, throttle)
    else:
        data_key = _open(key_file, old, secret_store)
    device_secret = _device_secret_for(key_file, secret_store)
    sealed = _seal(replace(key_file, kdf=kdf or key_file.kdf), new, data_key, device_secret)
    sealed.save(path)


def attempt_unlock(
    path: str | os.PathLike[str],
    passphrase: str,
    secret_store: DeviceSecretStore | None,
    throttle: UnlockGate,
) -> bytes:
    """unlock() behind the throttle: it refuses early attempts and counts wrong passphrases
    (only WrongPassphrase: a missing keychain entry or a damaged file is not a guess)."""
    return throttle.attempt(lambda: unlock(path, passphrase, secret_store=secret_store))


def destroy_key_file(
    path: str | os.PathLike[str], *, secret_store: DeviceSecretStore | None
) -> None:
    """Crypto-shred a profile: remove the device secret and the key file.

    Without both, the database can never be decrypted again (used when a device is revoked).
    The keychain entry goes first: if deleting the file then fails, the data is still gone.
    """
    path = Path(path)
    try:
        key_file: KeyFile | None = KeyFile.load(path)
    except (KeyFileMissing, KeyFileDamaged):
        key_file = None
    if key_file is not None and not key_file.demo and secret_store is not None:
        secret_store.delete(key_file.profile_id)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
