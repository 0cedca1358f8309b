"""Sealing a completed revision for the central store: its wire payload, the payload's hash and
the signed PDF, stored on the revision's outbox row once, so a sync only sends and a retry sends
the very same bytes.

``seal_completed`` is the one function a caller needs (completion runs it right after the
worker finishes, off the GUI thread); ``seal_rows`` is what a sync pass uses for rows that were
never sealed (older versions, or a completion interrupted before sealing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from rhi_desktop.pdf.render import render_interview_pdf
from rhi_desktop.pdf.signing import SigningError, SigningIdentity, sign_pdf
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import OutboxItem
from rhi_desktop.sync import outbox

from .children import ValidationFailed
from .profiles import Profile
from .signing_identity import get_or_create_identity
from .sync_payload import batch_item, build_payload

__all__ = ["SealResult", "organisation_of", "seal_completed", "seal_rows", "signed_pdf"]

OutboxRowRef = tuple[str, str, int]  # (outbox row id, interview id, revision)


@dataclass
class SealResult:
    """What ``seal_rows`` did: the sealed row ids, the rows that could not be built (with the
    sentence why) and how many were sealed without a PDF."""

    sealed: list[str] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    without_pdf: int = 0


def organisation_of(identity: SigningIdentity) -> str:
    try:
        cert = x509.load_der_x509_certificate(identity.certificate.dump())
    except ValueError:
        return ""
    names = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else ""


def signed_pdf(
    session: Session,
    interview_id: str,
    revision: int,
    *,
    identity: SigningIdentity,
    verified: bool,
    demo: bool,
    worker_name: str,
    now: datetime,
) -> bytes:
    """The revision's record, rendered and signed in memory (never written to disk)."""
    # Imported here: pdf_export pulls in the whole record-to-PDF mapping, which a pull-only
    # pass does not need.
    from .pdf_export import build_document

    doc = build_document(
        session,
        interview_id,
        revision,
        now=now,
        demo=demo,
        worker_name=worker_name,
        organisation_verified=verified,
        organisation_name=organisation_of(identity) if verified else "",
    )
    try:
        return sign_pdf(
            render_interview_pdf(doc),
            identity,
            reason="Return Home Interview record",
            location=doc.meta.organisation_name,
        )
    except SigningError as exc:
        raise StoreError(f"The PDF could not be signed: {exc}") from exc


def _pdf_or_none(
    s: Session,
    profile: Profile,
    interview_id: str,
    revision: int,
    identity: SigningIdentity,
    verified: bool,
    when: datetime,
) -> bytes | None:
    try:
        return signed_pdf(
            s,
            interview_id,
            revision,
            identity=identity,
            verified=verified,
            demo=profile.demo,
            worker_name=profile.worker_name,
            now=when,
        )
    except (StoreError, ValidationFailed, ValueError, OSError):
        # The record still goes: central keeps the data, and the PDF can be made there or
        # exported from the laptop; losing the interview over a rendering problem would not do.
        return None


def seal_rows(
    profile: Profile, rows: list[OutboxRowRef], when: datetime, include_pdf: bool
) -> SealResult:
    """Build and store payload, hash and signed PDF for outbox rows, in one transaction."""
    result = SealResult()
    identity: SigningIdentity | None = None
    verified = False
    if include_pdf:
        with profile.transaction() as s:
            identity, verified = get_or_create_identity(s, profile.worker_name, profile.profile_id)
    with profile.transaction() as s:
        for row_id, interview_id, revision in rows:
            try:
                payload = build_payload(s, interview_id, revision)
            except (StoreError, ValidationFailed, ValueError) as exc:
                result.broken[row_id] = f"could not be prepared on this laptop: {exc}"
                continue
            pdf = None
            if identity is not None:
                pdf = _pdf_or_none(
                    s, profile, interview_id, revision, identity, bool(verified), when
                )
                if pdf is None:
                    result.without_pdf += 1
            item = batch_item(payload, interview_id, revision, None)
            row = s.get_one(OutboxItem, row_id)
            row.payload, row.content_sha256, row.pdf = item.payload, item.content_sha256, pdf
            result.sealed.append(row_id)
    return result


def seal_completed(
    profile: Profile, *, now: datetime | None = None, include_pdf: bool = True
) -> int:
    """Seal every completed revision not sealed yet (called right after completion, off the
    GUI thread): the expensive part of a sync (the read model and the signed PDF) then happens
    once, when the worker finishes, not while the laptop has a moment of network."""
    when = now or datetime.now(UTC)
    with profile.transaction() as s:
        outbox.ensure_items(s, when)
        rows = [
            (o.id, o.entity_id, o.revision)
            for o in outbox.due_items(s, when, force=True)
            if o.payload is None
        ]
    if not rows:
        return 0
    return len(seal_rows(profile, rows, when, include_pdf).sealed)
