"""Password hashing (Argon2id) and the rules a new password must keep.

argon2-cffi's defaults are RFC 9106's second recommended profile (Argon2id, 64 MiB, 3 passes,
4 lanes): tens of milliseconds to check, expensive to brute-force from a stolen database.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()
# Checked when the account does not exist, so a wrong e-mail address costs the same time as a
# wrong password and the answer's timing does not tell which accounts exist.
_DUMMY_HASH = _hasher.hash("not a password anyone has: timing only")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, *, email: str, name: str) -> str | None:
    """One sentence saying why ``password`` cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
    lowered = password.strip().lower()
    if lowered in {email.lower(), email.lower().split("@")[0], name.strip().lower()}:
        return "The password cannot be the e-mail address or the name."
    if len(set(password)) < 4:
        return "The password needs more than a few different characters."
    return None
