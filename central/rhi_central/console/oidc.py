"""OpenID Connect single sign-on (authorisation code flow with PKCE), for Microsoft Entra ID or
any standard provider.

authlib builds the authorisation request and exchanges the code (client_secret_basic, PKCE
S256); joserfc verifies the ID token against the provider's published keys (signature, issuer,
audience, expiry, nonce). The provider's metadata and keys are fetched on first use and kept for
an hour. All of it is blocking network I/O: callers run it in the thread pool.
"""

from __future__ import annotations

import secrets
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # noqa: E402  (sets its own filter)
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from rhi_central.service_settings import OidcSettings
from rhi_central.staff.service import OidcIdentity

with warnings.catch_warnings():
    # authlib announces that its httpx integration will move to a renamed httpx fork; the
    # client below works with httpx as pinned here.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

CACHE_SECONDS = 3600
TIMEOUT_S = 10.0
LEEWAY_S = 120  # clock difference tolerated between us and the provider


class SsoFailed(Exception):
    """Single sign-on did not complete; the message is one sentence for the person."""


@dataclass(frozen=True, slots=True)
class Pending:
    """What the browser's pending sign-in must bring back (kept server-side)."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str

    def to_json(self) -> dict[str, str]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "next_path": self.next_path,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pending:
        return cls(**{k: str(data[k]) for k in cls.__dataclass_fields__})


class OidcClient:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched = 0.0

    def _client(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            scope="openid email profile",
            code_challenge_method="S256",
            timeout=TIMEOUT_S,
            **kwargs,
        )

    def _discover(self, *, refresh: bool = False) -> tuple[dict[str, Any], KeySet]:
        with self._lock:
            fresh = time.monotonic() - self._fetched < CACHE_SECONDS
            if self._metadata is None or self._keys is None or refresh or not fresh:
                try:
                    with httpx.Client(timeout=TIMEOUT_S) as http:
                        meta = http.get(f"{self.settings.issuer}/.well-known/openid-configuration")
                        meta.raise_for_status()
                        metadata = meta.json()
                        keys = http.get(metadata["jwks_uri"])
                        keys.raise_for_status()
                        self._keys = KeySet.import_key_set(keys.json())
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    raise SsoFailed(
                        "The council's sign-in service cannot be reached: try again, or sign in "
                        "with your e-mail address and password."
                    ) from exc
                self._metadata = metadata
                self._fetched = time.monotonic()
            assert self._metadata is not None and self._keys is not None
            return self._metadata, self._keys

    def start(self, redirect_uri: str, next_path: str) -> tuple[str, Pending]:
        """The provider's address to send the browser to, and what to keep until it returns."""
        metadata, _ = self._discover()
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        url, _ = self._client(redirect_uri=redirect_uri).create_authorization_url(
            metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
        return url, Pending(state, nonce, verifier, redirect_uri, next_path)

    def finish(self, pending: Pending, params: dict[str, str]) -> OidcIdentity:
        """Check the provider's answer and return the verified identity."""
        if params.get("error"):
            raise SsoFailed("The council's sign-in service did not sign you in.")
        if not secrets.compare_digest(params.get("state", ""), pending.state):
            raise SsoFailed("This sign-in link is out of date: start again.")
        code = params.get("code")
        if not code:
            raise SsoFailed("The council's sign-in service sent no sign-in code: start again.")
        metadata, keys = self._discover()
        try:
            with self._client(redirect_uri=pending.redirect_uri) as client:
                token = client.fetch_token(
                    metadata["token_endpoint"],
                    code=code,
                    code_verifier=pending.code_verifier,
                    auth=(self.settings.client_id, self.settings.client_secret),
                )
        except Exception as exc:  # authlib's OAuth errors and httpx's network errors
            raise SsoFailed("The sign-in code was refused: start again.") from exc
        id_token = token.get("id_token")
        if not id_token:
            raise SsoFailed("The council's sign-in service sent no identity: start again.")
        claims = self._verify(id_token, keys, pending.nonce, metadata["issuer"])
        email = claims.get(self.settings.email_claim) or claims.get("email")
        return OidcIdentity(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            email=str(email) if email else None,
        )

    def _verify(self, id_token: str, keys: KeySet, nonce: str, issuer: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        except JoseError:
            # The provider may have rolled its keys: fetch them once more and retry.
            _, keys = self._discover(refresh=True)
            try:
                decoded = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
            except JoseError as exc:
                raise SsoFailed("The identity from the sign-in service is not valid.") from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.settings.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise SsoFailed("The identity from the sign-in service is not valid.") from exc
        return dict(decoded.claims)
