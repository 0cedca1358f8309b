"""Verify a signed interview record: intact or tampered, trusted or untrusted.

"Intact" is stricter than "the signature's hash matches": the signature must also cover the
whole file, or everything appended after it must be an update pyHanko's difference analysis
accepts (validation data, another signature). An incremental update that rewrites a page after
signing leaves the signed bytes untouched — only the coverage analysis catches it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.generic import DictionaryObject
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .document import CONTENT_HASH_KEYWORD

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNTRUSTED = 2

_HASH_RE = re.compile(re.escape(CONTENT_HASH_KEYWORD) + r"([0-9a-f]{64})")
# Updates after signing that do not change what the document says: adding validation data
# (LTA_UPDATES) or filling form fields, i.e. adding a further signature (FORM_FILLING).
_ALLOWED_AFTER_SIGNING = {
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
}


@dataclass(frozen=True)
class VerifyResult:
    is_pdf: bool
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signing_time: datetime | None = None
    content_sha256: str | None = None
    message: str = ""

    @property
    def exit_code(self) -> int:
        return exit_code(self)


def exit_code(result: VerifyResult) -> int:
    """0 intact and trusted; 1 not a PDF, unsigned, broken or altered; 2 intact but untrusted."""
    if not (result.is_pdf and result.signed and result.intact):
        return EXIT_INVALID
    return EXIT_OK if result.trusted else EXIT_UNTRUSTED


def _content_hash(reader: PdfFileReader, revision: int | None) -> str | None:
    """The content hash from the Info dictionary, as of the signed revision when known."""
    try:
        if revision is not None:
            trailer = reader.get_historical_resolver(revision).trailer_view
        else:
            trailer = reader.trailer_view
        info = trailer.get("/Info")
        info = info.get_object() if info is not None else None
        if not isinstance(info, DictionaryObject):
            return None
        match = _HASH_RE.search(str(info.get("/Keywords", "")))
    except (PdfError, KeyError, ValueError, TypeError):
        return None
    return match.group(1) if match else None


class CertificateError(ValueError):
    """The CA certificate file could not be read (one sentence, safe to show)."""


def load_trust_roots(ca_pem: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM bundle (or one DER certificate), as trust anchors."""
    try:
        if b"-----BEGIN" in ca_pem:
            certs = x509.load_pem_x509_certificates(ca_pem)
        else:
            certs = [x509.load_der_x509_certificate(ca_pem)]
    except ValueError as exc:
        raise CertificateError("The CA certificate is not a valid PEM or DER certificate.") from exc
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs every untrusted chain with a full traceback; the verdict is in the result.

    Without this, ``rhi-desktop verify`` on a self-signed record would print tracebacks on
    stderr through logging's last-resort handler.
    """
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def verify_pdf(data: bytes, ca_pem: bytes | None = None) -> VerifyResult:
    """Check the (last) signature of ``data``; ``ca_pem`` is the organisation's CA (PEM/DER).

    Raises :class:`CertificateError` only when ``ca_pem`` is unreadable; every problem with
    ``data`` is reported in the result instead.
    """
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        return VerifyResult(is_pdf=False, message="This file is not a PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any parse failure means "not a readable PDF"
        return VerifyResult(is_pdf=False, message="This file is not a readable PDF.")
    if not signatures:
        return VerifyResult(
            is_pdf=True,
            content_sha256=_content_hash(reader, None),
            message="This PDF has no digital signature.",
        )
    roots = load_trust_roots(ca_pem) if ca_pem else []
    sig = signatures[-1]
    content_hash = _content_hash(reader, getattr(sig, "signed_revision", None))
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        with _quiet_pyhanko():
            status = validate_pdf_signature(
                sig,
                context,
                key_usage_settings=KeyUsageConstraints(
                    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
                ),
            )
    except Exception:  # noqa: BLE001 - a malformed signature is "invalid", never a traceback
        return VerifyResult(
            is_pdf=True,
            signed=True,
            content_sha256=content_hash,
            message="The signature is damaged and cannot be checked: treat this PDF as tampered.",
        )

    cert = status.signing_cert
    signer = str(cert.subject.native.get("common_name", "")) if cert is not None else ""
    signing_time = status.signer_reported_dt
    covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in _ALLOWED_AFTER_SIGNING
        and status.docmdp_ok is not False
    )
    intact = bool(status.intact and status.valid and covered)
    trusted = bool(status.trusted)
    if not (status.intact and status.valid):
        message = "The signature does not match the content: this PDF has been altered."
    elif not covered:
        message = "The PDF was changed after it was signed: treat it as tampered."
    elif trusted:
        message = f"Intact and signed by {signer}, whose certificate your organisation issued."
    else:
        message = (
            f"Intact, but signed by {signer} with a certificate your organisation has not verified."
        )
    return VerifyResult(
        is_pdf=True,
        signed=True,
        intact=intact,
        trusted=trusted and intact,
        signer=signer,
        signing_time=signing_time,
        content_sha256=content_hash,
        message=message,
    )
