"""Enrolment: a one-time code from an administrator buys this laptop a device token and the
worker's signing certificate from the central CA.

The private key is made here and never leaves the laptop: central sees only the CSR. The key
and the issued certificate go into the encrypted database through ``install_issued_identity``,
so every PDF signed afterwards carries the organisation's certificate.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from rhi_core.protocol import EnrolRequest, EnrolResponse
from rhi_desktop.security import audit
from rhi_desktop.services.signing_identity import install_issued_identity
from rhi_desktop.sync import state
from rhi_desktop.sync.client import SyncClient

ClientFactory = Callable[[str, str | None], SyncClient]


@dataclass(frozen=True)
class EnrolResult:
    device_id: str
    worker: str
    council_name: str
    server_url: str


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


def store_enrolment(
    session: Session,
    *,
    server_url: str,
    key_pem: bytes,
    response: EnrolResponse,
    actor: str,
    profile_id: str,
    now: datetime,
) -> EnrolResult:
    """Everything but the token, in the caller's transaction (so it commits whole)."""
    install_issued_identity(
        session,
        key_pem,
        response.certificate_pem,
        response.ca_certificate_pem,
        actor=actor,
    )
    state.put(session, state.SERVER_URL, server_url)
    state.put(session, state.DEVICE_ID, response.device_id)
    state.put(session, state.COUNCIL_NAME, response.council_name)
    state.put(session, state.ENROLLED_WORKER, response.worker)
    state.put(session, state.CA_PEM, response.ca_certificate_pem)
    state.put(session, state.ENROLLED_AT, now.isoformat())
    # A new enrolment starts the delta cursors again: this device has seen nothing yet.
    state.put(session, state.CURSOR_ASSIGNMENTS, 0)
    state.put(session, state.CURSOR_FEEDBACK, 0)
    audit.record(
        session,
        actor=actor,
        action="sync.enrol",
        entity="profile",
        entity_id=profile_id,
        detail={"device_id": response.device_id},
    )
    return EnrolResult(response.device_id, response.worker, response.council_name, server_url)
