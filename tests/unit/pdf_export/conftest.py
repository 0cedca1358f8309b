"""Completed demo interviews to export, and a test CA for organisation-issued certificates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from rhi_core.domain.codes import InterviewState
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import ReturnInterview

COMPLETED = [
    InterviewState.COMPLETED,
    InterviewState.SYNCED,
    InterviewState.APPROVED,
    InterviewState.HAS_ISSUES,
]


def _completed_ids(profile: Profile, flag: str | None = None) -> list[str]:
    with profile.sessions() as s:
        rows = s.execute(
            select(ReturnInterview.id, ReturnInterview.risk_flags)
            .where(ReturnInterview.state.in_([str(c) for c in COMPLETED]))
            .order_by(ReturnInterview.id)
        ).all()
    return [i for i, flags in rows if flag is None or flag in (flags or [])]


@pytest.fixture
def flagged_id(demo_profile: Profile) -> str:
    """A completed demo interview with a CCE flag (the richest record)."""
    ids = _completed_ids(demo_profile, "cce")
    assert ids, "the demo has a completed interview with a CCE flag"
    return ids[0]


@pytest.fixture
def completed_ids() -> Callable[..., list[str]]:
    """``completed_ids(profile, flag=None)``: completed interviews (with that risk flag)."""
    return _completed_ids


@pytest.fixture
def test_ca() -> tuple[bytes, bytes, bytes]:
    return _make_ca()


def _make_ca() -> tuple[bytes, bytes, bytes]:
    """``(ca_pem, worker_key_pem, worker_cert_pem)``: a CA and a worker certificate it issued."""
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Northshire County Council"),
            ]
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Northshire RHI Test CA"))
        .issuer_name(name("Northshire RHI Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Sam Okafor (demo)"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), key_pem, cert.public_bytes(pem)
