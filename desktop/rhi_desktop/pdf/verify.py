"""Verify a signed interview record: intact or tampered, trusted or untrusted, signature by signature.

Every signature is checked, not only the last: each must match the bytes it signed, and every
revision appended after it must be an update pyHanko's difference analysis accepts (validation
data, or filling in another signature). Drawing over a page in an incremental update and then
adding a signature of one's own leaves the last signature perfect; the worker's earlier one
then sees its page changed, so the record is "tampered" whoever signed later.

With the organisation's CRL (``--crl``, a standard X.509 CRL issued by the CA given with
``--ca``), a signature made after its certificate was revoked is untrusted and says so. The
signing time is the signer's claim (no timestamp authority offline), stated as such.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
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
class SignatureCheck:
    """One embedded signature: who, when (claimed), what it covers, and what came after."""

    number: int  # 1 = the first signature in the file
    signer: str
    signing_time: datetime | None
    signed_revision: int  # 1-based revision of the file this signature covers
    matches: bool  # the signature is valid for the bytes it signed
    changed_after: bool  # a later revision changed what the document says
    trusted: bool  # the certificate chains to the organisation's CA
    revoked_at: datetime | None = None  # per the CRL, when the certificate was revoked
    damaged: bool = False  # could not be checked at all

    @property
    def intact(self) -> bool:
        return self.matches and not self.changed_after and not self.damaged

    @property
    def signed_after_revocation(self) -> bool:
        if self.revoked_at is None:
            return False
        return self.signing_time is None or self.signing_time >= self.revoked_at

    def describe(self, revisions: int) -> str:
        """What this signature covers, in one line (for ``rhi-desktop verify``)."""
        if self.damaged:
            return f"{self.signer or 'unknown signer'}: damaged, cannot be checked"
        when = self.signing_time.isoformat(timespec="seconds") if self.signing_time else "unknown"
        covers = (
            "the whole file"
            if self.signed_revision >= revisions
            else f"revision {self.signed_revision} of {revisions}"
        )
        if not self.matches:
            state = "does NOT match the content it signed"
        elif self.changed_after:
            state = "the content was CHANGED after it"
        elif self.signed_revision < revisions:
            state = "only signatures or validation data were added after it"
        else:
            state = "nothing was added after it"
        trust = "trusted" if self.trusted else "untrusted"
        if self.signed_after_revocation:
            trust = "signed after the certificate was revoked"
        elif self.revoked_at is not None:
            trust += f", certificate revoked later ({self.revoked_at:%Y-%m-%d %H:%M} UTC)"
        return f"{self.signer or 'unknown'} ({trust}), signed {when} (claimed), covers {covers}; {state}"


@dataclass(frozen=True)
class VerifyResult:
    is_pdf: bool
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str = ""  # the first signature's (the worker's record)
    signing_time: datetime | None = None
    content_sha256: str | None = None
    message: str = ""
    signatures: tuple[SignatureCheck, ...] = field(default=())
    revisions: int = 0

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


def load_crl(crl_data: bytes, ca_pem: bytes | None) -> x509.CertificateRevocationList:
    """A standard X.509 CRL (PEM or DER), accepted only when a CA given with ``--ca`` signed it
    (a CRL anyone could make would let anyone "revoke" a worker)."""
    try:
        if b"-----BEGIN" in crl_data:
            crl = x509.load_pem_x509_crl(crl_data)
        else:
            crl = x509.load_der_x509_crl(crl_data)
    except ValueError as exc:
        raise CertificateError("The CRL is not a valid PEM or DER X.509 CRL.") from exc
    if not ca_pem:
        raise CertificateError("A CRL can only be checked with the CA that issued it (--ca).")
    for root in load_trust_roots(ca_pem):
        ca = x509.load_der_x509_certificate(root.dump())
        if ca.subject != crl.issuer:
            continue
        with contextlib.suppress(InvalidSignature, TypeError, ValueError):
            if crl.is_signature_valid(ca.public_key()):  # type: ignore[arg-type]
                return crl
    raise CertificateError("The CRL was not issued by the CA given with --ca.")


def _revoked_at(
    crls: Sequence[x509.CertificateRevocationList], cert: asn1_x509.Certificate | None
) -> datetime | None:
    if cert is None:
        return None
    issuer = x509.load_der_x509_certificate(cert.dump()).issuer
    for crl in crls:
        if crl.issuer != issuer:
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            return entry.revocation_date_utc
    return None


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


def _check_one(
    number: int,
    sig: object,
    context: ValidationContext,
    crls: Sequence[x509.CertificateRevocationList],
) -> SignatureCheck:
    revision = int(getattr(sig, "signed_revision", 0)) + 1
    try:
        with _quiet_pyhanko():
            status = validate_pdf_signature(
                sig,  # type: ignore[arg-type]
                context,
                key_usage_settings=KeyUsageConstraints(
                    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
                ),
            )
    except Exception:  # noqa: BLE001 - a malformed signature is "invalid", never a traceback
        return SignatureCheck(number, "", None, revision, False, True, False, damaged=True)
    cert = status.signing_cert
    signer = str(cert.subject.native.get("common_name", "")) if cert is not None else ""
    covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in _ALLOWED_AFTER_SIGNING
        and status.docmdp_ok is not False
    )
    when = status.signer_reported_dt
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return SignatureCheck(
        number=number,
        signer=signer,
        signing_time=when,
        signed_revision=revision,
        matches=bool(status.intact and status.valid),
        changed_after=not covered,
        trusted=bool(status.trusted),
        revoked_at=_revoked_at(crls, cert),
    )


def _verdict(checks: Sequence[SignatureCheck]) -> tuple[bool, bool, str]:
    """(intact, trusted, the sentence) for the whole file."""
    first = checks[0]
    for c in checks:
        if c.damaged:
            return (
                False,
                False,
                (
                    f"Signature {c.number} is damaged and cannot be checked: treat this PDF as "
                    "tampered."
                ),
            )
        if not c.matches:
            return (
                False,
                False,
                (
                    f"Signature {c.number} (by {c.signer}) does not match the content: this PDF has "
                    "been altered."
                ),
            )
    for c in checks:
        if c.changed_after:
            later = [x.signer for x in checks if x.number > c.number]
            by = f"; later signed by {', '.join(later)}" if later else ""
            return (
                False,
                False,
                (
                    f"The PDF was changed after signature {c.number} (by {c.signer}) was made{by}: "
                    "treat it as tampered."
                ),
            )
    for c in checks:
        if c.signed_after_revocation:
            assert c.revoked_at is not None
            return (
                True,
                False,
                (
                    f"Intact, but signature {c.number} by {c.signer} was signed after the "
                    f"certificate was revoked (revoked {c.revoked_at:%Y-%m-%d %H:%M} UTC): do not "
                    "rely on it."
                ),
            )
    untrusted = [c for c in checks if not c.trusted]
    if not untrusted:
        return (
            True,
            True,
            (f"Intact and signed by {first.signer}, whose certificate your organisation issued."),
        )
    if first.trusted:
        return (
            True,
            False,
            (
                f"Intact and signed by {first.signer}, whose certificate your organisation issued, "
                f"but a later signature by {untrusted[0].signer} is not from your organisation."
            ),
        )
    return (
        True,
        False,
        (
            f"Intact, but signed by {first.signer} with a certificate your organisation has not "
            "verified."
        ),
    )


def verify_pdf(
    data: bytes, ca_pem: bytes | None = None, crl_data: bytes | None = None
) -> VerifyResult:
    """Check every signature of ``data``; ``ca_pem`` is the organisation's CA (PEM/DER) and
    ``crl_data`` its CRL (PEM/DER, must be issued by that CA).

    Raises :class:`CertificateError` only when ``ca_pem`` or ``crl_data`` is unusable; every
    problem with ``data`` is reported in the result instead.
    """
    if not data.lstrip()[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        return VerifyResult(is_pdf=False, message="This file is not a PDF.")
    roots = load_trust_roots(ca_pem) if ca_pem else []
    crls = [load_crl(crl_data, ca_pem)] if crl_data is not None else []
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        revisions = int(reader.xrefs.total_revisions)
    except Exception:  # noqa: BLE001 - any parse failure means "not a readable PDF"
        return VerifyResult(is_pdf=False, message="This file is not a readable PDF.")
    if not signatures:
        return VerifyResult(
            is_pdf=True,
            content_sha256=_content_hash(reader, None),
            message="This PDF has no digital signature.",
            revisions=revisions,
        )
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    ordered = sorted(signatures, key=lambda sg: getattr(sg, "signed_revision", 0))
    checks = tuple(_check_one(n, sg, context, crls) for n, sg in enumerate(ordered, start=1))
    intact, trusted, message = _verdict(checks)
    first = checks[0]
    return VerifyResult(
        is_pdf=True,
        signed=True,
        intact=intact,
        trusted=trusted and intact,
        signer=first.signer,
        signing_time=first.signing_time,
        # The record's fingerprint as the first signer (the worker) signed it.
        content_sha256=_content_hash(reader, getattr(ordered[0], "signed_revision", None)),
        message=message,
        signatures=checks,
        revisions=revisions,
    )
