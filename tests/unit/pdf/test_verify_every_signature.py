"""Issue 11 item 7: `verify` checks every signature and every revision after the first signed
one, says whose signature covers what, and with the CA's CRL says "signed after the
certificate was revoked". Real PDFs, real pyHanko signatures, a forger's own certificate."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from rhi_desktop.pdf.cli import verify as verify_cmd
from rhi_desktop.pdf.document import InterviewDocument
from rhi_desktop.pdf.render import render_interview_pdf
from rhi_desktop.pdf.signing import SigningIdentity, make_self_signed_identity, sign_pdf
from rhi_desktop.pdf.verify import CertificateError, verify_pdf

from .conftest import make_crl, make_test_ca_parts

PEM = serialization.Encoding.PEM


def _key_pem(key) -> bytes:  # type: ignore[no-untyped-def]
    return key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture(scope="module")
def issued(sample: InterviewDocument):  # type: ignore[no-untyped-def]
    """A record signed by the worker with the organisation's certificate."""
    ca_cert, ca_key, key, cert = make_test_ca_parts()
    ca_pem = ca_cert.public_bytes(PEM)
    identity = SigningIdentity.load(_key_pem(key), cert.public_bytes(PEM), chain=ca_pem)
    signed = sign_pdf(render_interview_pdf(sample), identity, reason="RHI record")
    return signed, ca_pem, ca_cert, ca_key, cert


def _draw_over_page(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 700 Td (No concerns) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sign_again(pdf: bytes, identity: SigningIdentity, field: str) -> bytes:
    """A second signature in a new field, as anyone with pyHanko can add."""
    signer = signers.SimpleSigner(
        signing_cert=identity.certificate,
        signing_key=identity.key,
        cert_registry=SimpleCertificateStore.from_certs([identity.certificate]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out
    )
    return out.getvalue()


def _forger() -> SigningIdentity:
    key_pem, cert_pem = make_self_signed_identity("Priya Natarajan", "forger")  # same CN
    return SigningIdentity.load(key_pem, cert_pem)


def _cli(tmp_path: Path, data: bytes, *extra: str) -> tuple[int, str]:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    result = CliRunner().invoke(verify_cmd, [str(path), *extra])
    return result.exit_code, result.output


def test_content_drawn_over_then_signed_by_a_forger_is_tampered(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    signed, ca_pem, *_ = issued
    original = verify_pdf(signed, ca_pem)
    forged = _sign_again(_draw_over_page(signed), _forger(), "Forger")
    result = verify_pdf(forged, ca_pem)
    # The forger's own signature is perfect; the worker's saw its page changed.
    first, last = result.signatures
    assert last.matches and not last.changed_after
    assert first.matches and first.changed_after and first.trusted
    assert not result.intact and not result.trusted and result.exit_code == 1
    assert "changed after signature 1 (by Priya Natarajan)" in result.message
    assert "later signed by Priya Natarajan" in result.message
    assert result.content_sha256 == original.content_sha256  # the worker's record's hash
    code, out = _cli(tmp_path, forged, "--ca", str(_write(tmp_path, "ca.pem", ca_pem)))
    assert code == 1
    assert "Integrity:     TAMPERED" in out
    assert "Signature 1:   Priya Natarajan (trusted)" in out and "CHANGED after it" in out
    assert "Signature 2:   Priya Natarajan (untrusted)" in out and "the whole file" in out


def test_a_later_signature_alone_keeps_the_record_intact_and_says_who_covers_what(
    issued, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    signed, ca_pem, *_ = issued
    twice = _sign_again(signed, _forger(), "Second")
    result = verify_pdf(twice, ca_pem)
    assert result.intact and not result.trusted and result.exit_code == 2
    assert "a later signature by Priya Natarajan is not from your organisation" in result.message
    first, second = result.signatures
    assert (first.signed_revision, second.signed_revision) == (2, 3) == (2, result.revisions)
    assert "only signatures or validation data were added after it" in first.describe(3)
    assert "covers the whole file" in second.describe(3)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_crl_says_signed_after_the_certificate_was_revoked(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    signed, ca_pem, ca_cert, ca_key, cert = issued
    signed_at = verify_pdf(signed, ca_pem).signing_time
    assert signed_at is not None
    before = make_crl(ca_cert, ca_key, [(cert.serial_number, signed_at - dt.timedelta(hours=1))])
    result = verify_pdf(signed, ca_pem, before)
    assert result.intact and not result.trusted and result.exit_code == 2
    assert "signed after the certificate was revoked" in result.message
    ca, crl = _write(tmp_path, "ca.pem", ca_pem), _write(tmp_path, "crl.pem", before)
    code, out = _cli(tmp_path, signed, "--ca", str(ca), "--crl", str(crl))
    assert code == 2 and "signed after the certificate was revoked" in out

    # Revoked only after it signed: still trusted, and the line says when.
    after = make_crl(ca_cert, ca_key, [(cert.serial_number, signed_at + dt.timedelta(days=1))])
    later = verify_pdf(signed, ca_pem, after)
    assert later.trusted and later.exit_code == 0
    assert "certificate revoked later" in later.signatures[0].describe(later.revisions)
    # A CRL listing someone else changes nothing; DER works as well as PEM.
    from cryptography import x509

    other = x509.load_pem_x509_crl(make_crl(ca_cert, ca_key, [(12345, signed_at)]))
    der = other.public_bytes(serialization.Encoding.DER)
    assert verify_pdf(signed, ca_pem, der).exit_code == 0


def test_a_crl_not_issued_by_the_ca_is_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    signed, ca_pem, _ca_cert, _ca_key, cert = issued
    other_ca, other_key, *_ = make_test_ca_parts()
    foreign = make_crl(other_ca, other_key, [(cert.serial_number, dt.datetime.now(dt.UTC))])
    with pytest.raises(CertificateError, match="not issued by the CA"):
        verify_pdf(signed, ca_pem, foreign)
    with pytest.raises(CertificateError, match="--ca"):
        verify_pdf(signed, None, foreign)
    ca, crl = _write(tmp_path, "ca.pem", ca_pem), _write(tmp_path, "crl.pem", foreign)
    code, out = _cli(tmp_path, signed, "--ca", str(ca), "--crl", str(crl))
    assert code == 1 and "not issued by the CA" in out and "Traceback" not in out
    code, out = _cli(tmp_path, signed, "--ca", str(ca), "--crl", str(_write(tmp_path, "x", b"no")))
    assert code == 1 and "not a valid PEM or DER X.509 CRL" in out
