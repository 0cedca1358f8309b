"""Bearer tokens: 32 random bytes (urlsafe base64); only their SHA-256 is ever stored, so a
database dump does not let anyone sync as a laptop or act as an administrator."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
