"""Signing and verifying: intact vs tampered, trusted vs untrusted, checked with real PDFs."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from rhi_desktop.pdf.cli import verify as verify_cmd
from rhi_desktop.pdf.document import InterviewDocument
from rhi_desktop.pdf.render import render_interview_pdf
from rhi_desktop.pdf.signing import (
    LOCAL_ORGANISATION,
    SigningError,
    SigningIdentity,
    make_self_signed_identity,
    sign_pdf,
)
from rhi_desktop.pdf.verify import verify_pdf

from .conftest import make_test_ca


@pytest.fixture(scope="module")
def unsigned(sample: InterviewDocument) -> bytes:
    return render_interview_pdf(sample)


@pytest.fixture(scope="module")
def self_signed(unsigned: bytes) -> bytes:
    key_pem, cert_pem = make_self_signed_identity("Priya Natarajan", "profile-7")
    identity = SigningIdentity.load(key_pem, cert_pem)
    return sign_pdf(unsigned, identity, reason="RHI record", location="Northshire")


@pytest.fixture(scope="module")
def ca_signed(unsigned: bytes) -> tuple[bytes, bytes]:
    ca_pem, key_pem, cert_pem = make_test_ca()
    identity = SigningIdentity.load(key_pem, cert_pem, chain=ca_pem)
    return sign_pdf(unsigned, identity, reason="RHI record"), ca_pem


def _run(tmp_path: Path, data: bytes, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "record.pdf"
    path.write_bytes(data)
    result = CliRunner().invoke(verify_cmd, [str(path), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_self_signed_certificate_has_the_promised_fields() -> None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    _key, cert_pem = make_self_signed_identity("Priya Natarajan", "profile-7")
    cert = x509.load_pem_x509_certificate(cert_pem)
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert (cn, org) == ("Priya Natarajan", LOCAL_ORGANISATION)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_pyhanko_says_intact_and_valid(self_signed: bytes) -> None:
    sig = PdfFileReader(io.BytesIO(self_signed)).embedded_signatures[0]
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[]))
    assert status.intact and status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_self_signed_without_ca_is_intact_but_untrusted(
    tmp_path: Path, self_signed: bytes, sample: InterviewDocument
) -> None:
    result = verify_pdf(self_signed, None)
    assert (result.is_pdf, result.signed, result.intact, result.trusted) == (
        True,
        True,
        True,
        False,
    )
    assert result.signer == "Priya Natarajan"
    assert result.signing_time is not None
    assert result.content_sha256 == sample.meta.content_sha256
    code, out, err = _run(tmp_path, self_signed)
    assert code == 2
    assert "Traceback" not in out + err  # pyHanko logs untrusted chains with tracebacks
    assert "intact" in out and "untrusted" in out and sample.meta.content_sha256 in out


def test_ca_issued_signature_with_ca_is_trusted(
    tmp_path: Path, ca_signed: tuple[bytes, bytes]
) -> None:
    data, ca_pem = ca_signed
    ca_path = tmp_path / "ca.pem"
    ca_path.write_bytes(ca_pem)
    code, out, err = _run(tmp_path, data, "--ca", str(ca_path))
    assert code == 0, out + err
    assert "trusted" in out and "untrusted" not in out
    assert "Priya Natarajan" in out


def test_ca_issued_signature_without_ca_is_untrusted(ca_signed: tuple[bytes, bytes]) -> None:
    assert verify_pdf(ca_signed[0], None).exit_code == 2


def test_self_signed_with_an_unrelated_ca_is_untrusted(
    self_signed: bytes, ca_signed: tuple[bytes, bytes]
) -> None:
    assert verify_pdf(self_signed, ca_signed[1]).exit_code == 2


def test_flipped_byte_inside_signed_range_is_tampered(tmp_path: Path, self_signed: bytes) -> None:
    data = bytearray(self_signed)
    sig = PdfFileReader(io.BytesIO(self_signed)).embedded_signatures[0]
    start, length = sig.byte_range[0], sig.byte_range[1]
    at = self_signed.index(b"stream", start) + 40  # inside a compressed content stream
    assert start <= at < start + length
    data[at] ^= 0x01
    result = verify_pdf(bytes(data), None)
    assert not result.intact
    code, _out, _err = _run(tmp_path, bytes(data))
    assert code == 1


def test_incremental_update_changing_a_page_is_tampered(tmp_path: Path, self_signed: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(self_signed))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 700 Td (No concerns) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    altered = out.getvalue()
    assert altered.startswith(self_signed)  # the signed bytes themselves are untouched
    result = verify_pdf(altered, None)
    assert result.signed and not result.intact
    assert "changed after signature 1" in result.message
    code, _out, _err = _run(tmp_path, altered)
    assert code == 1


def test_unsigned_pdf_is_invalid(tmp_path: Path, unsigned: bytes) -> None:
    result = verify_pdf(unsigned, None)
    assert result.is_pdf and not result.signed
    code, _out, err = _run(tmp_path, unsigned)
    assert code == 1
    assert "no digital signature" in err


def test_non_pdf_is_invalid(tmp_path: Path) -> None:
    code, _out, err = _run(tmp_path, b"Not a PDF at all, just a note.\n")
    assert code == 1
    assert "not a PDF" in err and "Traceback" not in err


def test_truncated_pdf_is_invalid(tmp_path: Path, self_signed: bytes) -> None:
    code, _out, err = _run(tmp_path, self_signed[: len(self_signed) // 2])
    assert code == 1
    assert err.strip() and "Traceback" not in err


def test_missing_file_is_one_sentence_on_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(verify_cmd, [str(tmp_path / "nope.pdf")])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("does not exist.")
    assert "Traceback" not in result.output


def test_unreadable_ca_is_one_sentence(tmp_path: Path, self_signed: bytes) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_bytes(b"hello")
    code, _out, err = _run(tmp_path, self_signed, "--ca", str(bad))
    assert code == 1
    assert "not a PEM or DER certificate" in err


def test_key_not_matching_certificate_is_refused() -> None:
    key_pem, _cert = make_self_signed_identity("A", "p1")
    _key, other_cert = make_self_signed_identity("B", "p2")
    with pytest.raises(SigningError):
        SigningIdentity.load(key_pem, other_cert)


def test_identity_loads_from_der() -> None:
    from cryptography.hazmat.primitives import serialization

    key_pem, cert_pem = make_self_signed_identity("Priya Natarajan", "p1")
    key = serialization.load_pem_private_key(key_pem, None)
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    identity = SigningIdentity.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.DER),
    )
    assert identity.common_name == "Priya Natarajan"


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_poppler_pdfsig_says_the_signature_is_valid(tmp_path: Path, self_signed: bytes) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(self_signed)
    out = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    assert "Signature Validation: Signature is Valid." in out
