"""PAdES signatures (pyHanko), entirely in memory.

Before enrolment a worker signs with a local self-signed certificate (the PDF says so); after
enrolment with the certificate the central CA issued. Profile B-B: no timestamp authority is
reachable offline, so the signing time is the signer's claim (/M), not a TSA's.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

LOCAL_ORGANISATION = "RHI Desktop (local, unverified)"
SIGNATURE_FIELD = "RHISignature"


class SigningError(ValueError):
    """The key or certificate could not be used to sign (one sentence, safe to show)."""


def _load_cert(data: bytes) -> x509.Certificate:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SigningError("The certificate is not a valid PEM or DER certificate.") from exc


def _load_certs(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise SigningError("The certificate chain is not valid PEM.") from exc
    return [_load_cert(data)]


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class SigningIdentity:
    """A private key with its certificate and (optionally) the chain up to the CA."""

    key: asn1_keys.PrivateKeyInfo
    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...] = ()

    @classmethod
    def load(
        cls,
        key: bytes,
        certificate: bytes,
        chain: bytes | Sequence[bytes] = (),
        passphrase: bytes | None = None,
    ) -> SigningIdentity:
        """Build from PEM or DER bytes (key: PKCS#8 or traditional; optionally encrypted)."""
        try:
            if b"-----BEGIN" in key:
                private = serialization.load_pem_private_key(key, password=passphrase)
            else:
                private = serialization.load_der_private_key(key, password=passphrase)
        except (ValueError, TypeError) as exc:
            raise SigningError("The private key could not be read.") from exc
        cert = _load_cert(certificate)
        if cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise SigningError("The private key does not belong to the certificate.")
        pkcs8 = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        blobs = [chain] if isinstance(chain, bytes) else list(chain)
        extra = tuple(_to_asn1(c) for blob in blobs for c in _load_certs(blob))
        return cls(asn1_keys.PrivateKeyInfo.load(pkcs8), _to_asn1(cert), extra)

    @property
    def common_name(self) -> str:
        return str(self.certificate.subject.native.get("common_name", ""))


def make_self_signed_identity(worker_name: str, profile_id: str) -> tuple[bytes, bytes]:
    """A local EC P-256 key and self-signed certificate: ``(key_pem, cert_pem)``.

    EC P-256 rather than RSA 3072: same strength class, and key generation and signing are
    milliseconds, which keeps "render + sign" inside its budget. The key PEM is unencrypted;
    the caller stores it inside the encrypted profile database.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, worker_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, LOCAL_ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"profile {profile_id}"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=5 * 365))
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def sign_pdf(
    pdf_bytes: bytes,
    identity: SigningIdentity,
    *,
    reason: str = "Return Home Interview record",
    location: str = "",
) -> bytes:
    """Sign ``pdf_bytes`` (PAdES B-B, SHA-256) as an incremental update; returns new bytes."""
    registry = SimpleCertificateStore.from_certs([identity.certificate, *identity.chain])
    signer = signers.SimpleSigner(
        signing_cert=identity.certificate, signing_key=identity.key, cert_registry=registry
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=identity.common_name or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    out = io.BytesIO()
    # Reserving room for the CMS blob up front skips pyHanko's dry-run signature (it would
    # otherwise build the CMS twice, which is most of the signing time). The certificates
    # dominate its size; 4 kB covers the signature value and signed attributes.
    certs = (identity.certificate, *identity.chain)
    reserved = 4096 + 2 * sum(len(c.dump()) for c in certs)
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out, bytes_reserved=reserved)
    return out.getvalue()
