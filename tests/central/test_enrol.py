"""Enrolment: one-time codes, device tokens, and worker certificates from the central CA."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from central.kit import COUNCIL, Kit, make_csr
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select, update

from rhi_central.auth import token_hash
from rhi_central.ca import PASSPHRASE_FILE
from rhi_central.models import Device, EnrolCode
from rhi_central.settings import ENV_CA_PASSPHRASE


def _enrol(client: httpx.Client, code: str) -> tuple[int, dict[str, object]]:
    _, csr = make_csr("Somebody Else")
    r = client.post("/api/v1/enrol", json={"code": code, "device_name": "L1", "csr_pem": csr})
    return r.status_code, r.json()


def test_valid_code_gives_token_and_certificate_chaining_to_the_ca(kit: Kit) -> None:
    laptop = kit.enrol("Amara Okafor")
    cert = x509.load_pem_x509_certificate(laptop.certificate_pem.encode())
    ca = x509.load_pem_x509_certificate(laptop.ca_certificate_pem.encode())

    cert.verify_directly_issued_by(ca)  # raises if the signature or issuer do not match
    ca.verify_directly_issued_by(ca)  # self-signed root
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Amara Okafor"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == COUNCIL
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=729) < lifetime < timedelta(days=731)
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)

    with kit.central.db.transaction() as s:
        device = s.get(Device, laptop.device_id)
        assert device is not None and device.worker == "Amara Okafor"
        # Only the hash is stored, never the token itself.
        assert device.token_sha256 == token_hash(laptop.token)
        assert laptop.token not in str(s.execute(select(Device.__table__)).all())


def test_second_laptop_is_signed_by_the_same_ca(kit: Kit, data_dir: object) -> None:
    a, b = kit.enrol("Amara Okafor"), kit.enrol("Ben Castellano")
    assert a.ca_certificate_pem == b.ca_certificate_pem
    assert a.token != b.token
    key_file = kit.central.settings.data_dir / PASSPHRASE_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_code_is_single_use(kit: Kit, client: httpx.Client) -> None:
    code = kit.enrol_code("Amara Okafor")
    assert _enrol(client, code)[0] == 200
    status, body = _enrol(client, code)
    assert status == 409
    assert "already been used" in str(body["detail"])


def test_expired_code_is_refused(kit: Kit, client: httpx.Client) -> None:
    code = kit.enrol_code("Amara Okafor")
    with kit.central.db.transaction() as s:
        s.execute(update(EnrolCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    status, body = _enrol(client, code)
    assert status == 410
    assert "expired" in str(body["detail"])


def test_unknown_code_is_refused(client: httpx.Client) -> None:
    status, body = _enrol(client, "AAAA-BBBB-CCCC-DDDD")
    assert status == 400
    assert body["detail"] == "unknown enrolment code"


def test_code_is_forgiving_about_case_and_dashes(kit: Kit, client: httpx.Client) -> None:
    code = kit.enrol_code("Amara Okafor")
    assert _enrol(client, code.lower().replace("-", " "))[0] == 200


def test_bad_csr_is_refused_and_the_code_stays_usable(kit: Kit, client: httpx.Client) -> None:
    code = kit.enrol_code("Amara Okafor")
    r = client.post(
        "/api/v1/enrol", json={"code": code, "device_name": "L1", "csr_pem": "not a csr"}
    )
    assert r.status_code == 422
    assert "certificate signing request" in r.json()["detail"]
    assert _enrol(client, code)[0] == 200


def test_ca_key_under_env_passphrase_needs_it_later(
    kit: Kit, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CA_PASSPHRASE, "first passphrase")
    kit.enrol("Amara Okafor")
    assert not (kit.central.settings.data_dir / PASSPHRASE_FILE).exists()
    monkeypatch.setenv(ENV_CA_PASSPHRASE, "wrong passphrase")
    status, body = _enrol(client, kit.enrol_code("Ben Castellano"))
    assert status == 503
    assert ENV_CA_PASSPHRASE in str(body["detail"])


def test_failed_enrolments_are_rate_limited(kit: Kit) -> None:
    """Ten wrong codes from one address in 15 minutes, then 429 — even for a right code."""
    from central.kit import make_csr

    _, csr = make_csr()
    for _ in range(10):
        r = kit.http.post(
            "/api/v1/enrol", json={"code": "WRONG-CODE", "device_name": "x", "csr_pem": csr}
        )
        assert r.status_code == 400
    good = kit.enrol_code("Amara Okafor")
    r = kit.http.post("/api/v1/enrol", json={"code": good, "device_name": "x", "csr_pem": csr})
    assert r.status_code == 429
    assert "too many failed enrolment attempts" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) > 0
