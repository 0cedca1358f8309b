"""The worker's PDF signing key and certificate, kept only inside the encrypted profile database.

Before the laptop is enrolled, the first export makes a local self-signed identity (the PDF then
says "not verified by your organisation"). At enrolment the central store issues a certificate
and :func:`install_issued_identity` replaces the local one. The key is stored as PEM in
``ProfileSetting`` rows: the database is SQLCipher-encrypted under the data key, so the key is
never readable on disk and is never written to any file.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy.orm import Session

from rhi_desktop.pdf.signing import SigningError, SigningIdentity, make_self_signed_identity
from rhi_desktop.security import audit
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import ProfileSetting

__all__ = [
    "CERT_PEM",
    "CHAIN_PEM",
    "KEY_PEM",
    "VERIFIED",
    "IdentityUnusable",
    "certificate_fingerprint",
    "get_or_create_identity",
    "install_issued_identity",
    "stored_certificate_pem",
]

KEY_PEM = "signing.key_pem"
CERT_PEM = "signing.cert_pem"
CHAIN_PEM = "signing.chain_pem"
VERIFIED = "signing.verified_by_organisation"


class IdentityUnusable(StoreError):
    """The stored or offered signing identity cannot be used (one sentence, safe to show)."""


def _get(session: Session, key: str) -> Any:
    row = session.get(ProfileSetting, key)
    return None if row is None else row.value


def _put(session: Session, key: str, value: Any) -> None:
    row = session.get(ProfileSetting, key)
    if row is None:
        session.add(ProfileSetting(key=key, value=value))
    else:
        row.value = value


def _text(pem: bytes | str) -> str:
    return pem.decode("ascii") if isinstance(pem, bytes) else pem


def certificate_fingerprint(cert_pem: bytes | str) -> str:
    """Hex SHA-256 of the certificate's DER bytes (what an administrator compares)."""
    data = cert_pem.encode("ascii") if isinstance(cert_pem, str) else cert_pem
    cert = x509.load_pem_x509_certificate(data)
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def stored_certificate_pem(session: Session) -> str | None:
    """The current signing certificate (public), or None before the first signed export."""
    value = _get(session, CERT_PEM)
    return value if isinstance(value, str) else None


def get_or_create_identity(
    session: Session, worker_name: str, profile_id: str
) -> tuple[SigningIdentity, bool]:
    """The worker's signing identity and whether the organisation's CA issued it.

    On first use a self-signed identity is made and stored in ``session`` (the caller commits),
    with an audit event. Raises :class:`IdentityUnusable` if the stored key cannot be read.
    """
    key_pem = _get(session, KEY_PEM)
    cert_pem = _get(session, CERT_PEM)
    if isinstance(key_pem, str) and isinstance(cert_pem, str):
        chain = _get(session, CHAIN_PEM)
        try:
            identity = SigningIdentity.load(
                key_pem.encode("ascii"),
                cert_pem.encode("ascii"),
                chain.encode("ascii") if isinstance(chain, str) and chain else (),
            )
        except SigningError as exc:
            raise IdentityUnusable(
                "The signing key stored in this profile cannot be used; enrol the laptop again "
                "to get a new certificate."
            ) from exc
        return identity, bool(_get(session, VERIFIED))
    key_bytes, cert_bytes = make_self_signed_identity(worker_name, profile_id)
    _put(session, KEY_PEM, _text(key_bytes))
    _put(session, CERT_PEM, _text(cert_bytes))
    _put(session, CHAIN_PEM, "")
    _put(session, VERIFIED, False)
    session.flush()
    audit.record(
        session,
        actor=worker_name,
        action="signing.identity_create",
        entity="profile",
        entity_id=profile_id,
        detail={"kind": "self_signed", "certificate_sha256": certificate_fingerprint(cert_bytes)},
    )
    return SigningIdentity.load(key_bytes, cert_bytes), False


def install_issued_identity(
    session: Session,
    key_pem: bytes | str,
    cert_pem: bytes | str,
    chain_pem: bytes | str,
    *,
    actor: str = "enrolment",
) -> SigningIdentity:
    """Store the key and the certificate the central CA issued at enrolment (replacing any
    local self-signed identity). ``chain_pem``: the issuing CA certificate(s), PEM.

    Raises :class:`IdentityUnusable` if the key does not match the certificate or the chain did
    not issue it, so a bad enrolment never leaves the worker unable to sign.
    """
    key_b = key_pem.encode("ascii") if isinstance(key_pem, str) else key_pem
    cert_b = cert_pem.encode("ascii") if isinstance(cert_pem, str) else cert_pem
    chain_b = chain_pem.encode("ascii") if isinstance(chain_pem, str) else chain_pem
    try:
        identity = SigningIdentity.load(key_b, cert_b, chain_b or ())
    except SigningError as exc:
        raise IdentityUnusable(f"The issued signing certificate cannot be used: {exc}") from exc
    if chain_b:
        _check_issued_by(cert_b, chain_b)
    _put(session, KEY_PEM, _text(key_b))
    _put(session, CERT_PEM, _text(cert_b))
    _put(session, CHAIN_PEM, _text(chain_b))
    _put(session, VERIFIED, True)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="signing.identity_install",
        entity="profile",
        detail={"kind": "issued", "certificate_sha256": certificate_fingerprint(cert_b)},
    )
    return identity


def _check_issued_by(cert_pem: bytes, chain_pem: bytes) -> None:
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        issuers = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise IdentityUnusable("The issuing CA certificate is not valid PEM.") from exc
    for issuer in issuers:
        try:
            cert.verify_directly_issued_by(issuer)
        except Exception:  # noqa: BLE001 - wrong issuer, wrong key type…: try the next one
            continue
        return
    raise IdentityUnusable("The signing certificate was not issued by the CA sent with it.")
