"""Enrolment on the wire: a fresh key and CSR, and the one-time code sent with it.

The private key is made here and never leaves the laptop: central sees only the CSR. Keeping
the key and the issued certificate is the enrolment use case's (``services.enrolment``).
"""

from __future__ import annotations

import platform

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rhi_core.protocol import EnrolRequest, EnrolResponse
from rhi_desktop.sync.client import SyncClient


def make_key_and_csr(common_name: str) -> tuple[bytes, str]:
    """An EC P-256 key (PKCS#8 PEM, unencrypted: it is stored only inside the encrypted
    database) and a CSR for it. Central sets the subject itself; the CN is a courtesy."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def default_device_name() -> str:
    return (platform.node() or "laptop")[:200]


def request_enrolment(
    client: SyncClient, code: str, worker_name: str, device_name: str | None = None
) -> tuple[bytes, EnrolResponse]:
    """Send the code and a fresh CSR; returns the private key and central's answer."""
    key_pem, csr_pem = make_key_and_csr(worker_name)
    response = client.enrol(
        EnrolRequest(
            code=code.strip(), device_name=device_name or default_device_name(), csr_pem=csr_pem
        )
    )
    return key_pem, response
