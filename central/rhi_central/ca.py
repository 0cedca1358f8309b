"""The central certificate authority: signs each worker's PDF-signing certificate.

A self-signed EC P-256 root is created on first use and kept in the database, its private key
encrypted (PKCS#8, best available encryption) with a passphrase that is NOT in the database:
``RHI_CENTRAL_CA_KEY_PASSPHRASE`` if set (production: inject it from the secret store), else a
random passphrase in ``<data dir>/ca-key-passphrase`` (mode 0600). See docs/central.md for the
trade-off.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhi_central.models import CertificateAuthority, Device
from rhi_central.settings import CERT_VALIDITY_DAYS, ENV_CA_PASSPHRASE, Settings
from rhi_central.timeutil import utcnow

PASSPHRASE_FILE = "ca-key-passphrase"
CA_VALIDITY_DAYS = 3650
CRL_VALIDITY_DAYS = 7  # a verifier should fetch a fresh list at least weekly


class CaError(RuntimeError):
    """The CA cannot be used; one sentence for a human."""


class CsrError(ValueError):
    """The certificate signing request is not acceptable; one sentence for the client."""


@dataclass(frozen=True, slots=True)
class LoadedCa:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def _passphrase(settings: Settings) -> tuple[bytes, str]:
    """The key-encryption passphrase and where it came from ("env" or "file")."""
    env = os.environ.get(ENV_CA_PASSPHRASE)
    if env:
        return env.encode(), "env"
    path = settings.data_dir / PASSPHRASE_FILE
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        # O_EXCL: two processes starting together cannot both write a different passphrase.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    return _read_passphrase_file(path), "file"


def _read_passphrase_file(path: Path) -> bytes:
    try:
        value = path.read_text().strip().encode()
    except OSError as exc:
        raise CaError(f"Cannot read the CA key passphrase file {path}: {exc.strerror}.") from None
    if not value:
        raise CaError(f"The CA key passphrase file {path} is empty.")
    return value


def _new_ca(settings: Settings, passphrase: bytes) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.council_name} RHI Central CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.council_name),
        ]
    )
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


def get_ca(session: Session, settings: Settings) -> LoadedCa:
    """The CA, created on first use (racing creators: the first insert wins)."""
    row = session.get(CertificateAuthority, 1)
    passphrase, source = _passphrase(settings)
    if row is None:
        cert_pem, key_pem = _new_ca(settings, passphrase)
        row = CertificateAuthority(
            id=1,
            certificate_pem=cert_pem,
            encrypted_key_pem=key_pem,
            key_protection=source,
            created_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.get(CertificateAuthority, 1)
            assert row is not None
    try:
        key = serialization.load_pem_private_key(row.encrypted_key_pem.encode(), passphrase)
    except ValueError:
        hint = (
            f"set {ENV_CA_PASSPHRASE} to the passphrase it was created with"
            if row.key_protection == "env"
            else f"restore {settings.data_dir / PASSPHRASE_FILE} or unset {ENV_CA_PASSPHRASE}"
        )
        raise CaError(f"The CA private key cannot be decrypted: {hint}.") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CaError("The stored CA key is not an EC key.")
    cert = x509.load_pem_x509_certificate(row.certificate_pem.encode())
    return LoadedCa(cert, key)


def ca_certificate_pem(session: Session, settings: Settings) -> str:
    return get_ca(session, settings).certificate_pem


def _check_csr(csr_pem: str) -> x509.CertificateSigningRequest:
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError:
        raise CsrError("csr_pem is not a PEM certificate signing request.") from None
    if not csr.is_signature_valid:
        raise CsrError("The certificate signing request's signature is not valid.")
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise CsrError("RSA keys must be at least 2048 bits.")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < 256:
            raise CsrError("EC keys must be at least 256 bits.")
    else:
        raise CsrError("The key in the signing request must be RSA or EC.")
    return csr


def issue_worker_certificate(
    ca: LoadedCa, csr_pem: str, *, worker: str, council_name: str
) -> x509.Certificate:
    """A signing certificate for the CSR's key. The subject is ours (worker and council), never
    the CSR's: a laptop must not be able to ask for someone else's name."""
    csr = _check_csr(csr_pem)
    now = utcnow()
    public_key = csr.public_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, worker),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, council_name),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERT_VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # a.k.a. nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )


def current_crl(session: Session, settings: Settings, *, pem: bool = False) -> bytes:
    """The CA's certificate revocation list (X.509 v2, RFC 5280), DER or PEM, as of now.

    Revoking a device revokes the signing certificate issued at its enrolment, from the moment
    of revocation: a PDF signed before it still verifies, one signed after it does not (reason
    ``cessationOfOperation``: the laptop is out of service). The CRL number is the issue time
    in seconds, so it only grows, whichever API process issues it."""
    authority = get_ca(session, settings)
    now = utcnow()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=CRL_VALIDITY_DAYS))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
    )
    revoked = session.execute(
        select(Device.certificate_serial, Device.revoked_at)
        .where(Device.revoked_at.is_not(None))
        .order_by(Device.revoked_at)
    ).all()
    for serial, when in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.cessation_of_operation), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(authority.key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER)
