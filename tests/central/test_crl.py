"""Revoking a device revokes its worker's signing certificate: central publishes a standard
X.509 CRL (DER or PEM) at GET /api/v1/crl and with `rhi-central ca crl --out FILE`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from central.kit import Kit, bearer
from click.testing import CliRunner
from cryptography import x509

from rhi_central.cli import main


def _serial(cert_pem: str) -> int:
    return x509.load_pem_x509_certificate(cert_pem.encode()).serial_number


def test_a_revoked_devices_certificate_is_on_the_crl_signed_by_the_ca(kit: Kit) -> None:
    lost, kept = kit.enrol("Amara Okafor", "lost"), kit.enrol("Amara Okafor", "kept")
    ca = x509.load_pem_x509_certificate(lost.ca_certificate_pem.encode())
    before = x509.load_der_x509_crl(kit.http.get("/api/v1/crl").content)
    assert len(before) == 0 and before.is_signature_valid(ca.public_key())

    r = kit.http.post(f"/admin/devices/{lost.device_id}/revoke", headers=bearer(kit.admin_token()))
    revoked_at = r.json()["revoked_at"]
    response = kit.http.get("/api/v1/crl")  # no token: a CRL is public, like any CDP
    assert response.headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(ca.public_key())
    assert crl.issuer == ca.subject
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=7)
    entry = crl.get_revoked_certificate_by_serial_number(_serial(lost.certificate_pem))
    assert entry is not None
    assert entry.revocation_date_utc.replace(microsecond=0).isoformat()[:19] == revoked_at[:19]
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.cessation_of_operation
    assert crl.get_revoked_certificate_by_serial_number(_serial(kept.certificate_pem)) is None
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number >= before.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

    pem = kit.http.get("/api/v1/crl?format=pem")
    assert pem.text.startswith("-----BEGIN X509 CRL-----")
    assert len(x509.load_pem_x509_crl(pem.content)) == 1


def test_the_cli_writes_the_same_list_and_the_ca_certificate(
    kit: Kit, database_url: str, data_dir: Path, tmp_path: Path, monkeypatch: object
) -> None:
    lost = kit.enrol("Ben Walsh", "lost")
    kit.http.post(f"/admin/devices/{lost.device_id}/revoke", headers=bearer(kit.admin_token()))
    monkeypatch.setenv("RHI_CENTRAL_DATA_DIR", str(data_dir))  # type: ignore[attr-defined]
    runner = CliRunner()
    out, ca_out = tmp_path / "central.crl", tmp_path / "ca.pem"
    done = runner.invoke(main, ["ca", "crl", "--out", str(out), "--database-url", database_url])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        main, ["ca", "certificate", "--out", str(ca_out), "--database-url", database_url]
    )
    assert done.exit_code == 0, done.output
    ca = x509.load_pem_x509_certificate(ca_out.read_bytes())
    crl = x509.load_der_x509_crl(out.read_bytes())
    assert crl.is_signature_valid(ca.public_key())
    assert crl.get_revoked_certificate_by_serial_number(_serial(lost.certificate_pem)) is not None
