"""Export an interview revision as a signed PDF record, or the child's "My safety plan".

Three jobs, three modules: ``pdf_mapping.build_document`` decides what is printed (the store's
read model onto the PDF layer's plain model: the PDF package never touches the database),
``rhi_desktop.pdf`` formats and signs, and this module orchestrates and writes the file:
entirely in memory until the single write of the file the worker chose, because the content is
child data, so no temporary or partial file is ever left on disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rhi_core.domain.codes import InterviewState
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.pdf.render import render_interview_pdf, render_safety_plan_pdf
from rhi_desktop.pdf.signing import SigningError, SigningIdentity, sign_pdf
from rhi_desktop.security import audit
from rhi_desktop.store.errors import StoreError

from .answer_text import answers_tree as _answers_tree  # noqa: F401 - kept for old imports
from .children import ValidationFailed
from .completion import get_interview
from .pdf_mapping import build_document
from .profiles import Profile
from .signing_identity import get_or_create_identity

__all__ = [
    "EXPORT_STEPS",
    "ExportError",
    "ExportResult",
    "build_document",
    "default_file_name",
    "export_safety_plan_pdf",
    "export_signed_pdf",
]

# The steps a progress callback is told about, in order: progress(index, text).
EXPORT_STEPS = (
    "Building the record",
    "Rendering the PDF",
    "Signing the PDF",
    "Writing the file",
)
ProgressFn = Callable[[int, str], None]


class ExportError(StoreError):
    """The PDF could not be made or saved; ``str()`` is one sentence the worker can act on."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    interview_id: str
    revision: int
    content_sha256: str
    size_bytes: int
    signer: str
    organisation_verified: bool
    timings_ms: dict[str, float] = field(default_factory=dict)


# --- export -------------------------------------------------------------------------------------


def default_file_name(case_number: str, revision: int, kind: str = "RHI") -> str:
    """``RHI-<case number>-rev<N>.pdf`` (only characters safe in every file system)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in case_number) or "record"
    return f"{kind}-{safe}-rev{revision}.pdf"


def _organisation(identity: SigningIdentity) -> str:
    try:
        cert = x509.load_der_x509_certificate(identity.certificate.dump())
        names = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return str(names[0].value) if names else ""
    except ValueError:
        return ""


def _check_destination(out: Path) -> None:
    """Fail before the work, with the sentence the worker needs, when the path cannot work."""
    if out.is_dir():
        raise ExportError(f"{out} is a folder; choose a file name for the PDF.")
    folder = out.parent
    if not folder.exists():
        raise ExportError(f"The folder {folder} does not exist; choose another place to save.")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder; choose another place to save the PDF.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(
            f"The folder {folder} cannot be written to; choose another place to save the PDF."
        )


def _write_once(out: Path, data: bytes) -> None:
    """Write ``data`` as the file ``out`` (mode 0600), durably, or leave no file at all.

    No temporary file: a rename-into-place would briefly leave a second copy of child data and,
    after a crash, an orphan. Overwriting is allowed because the worker chose this path.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(out, flags, 0o600)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    try:
        # An existing file keeps its old mode otherwise (no fchmod on Windows, where the file
        # is in the worker's own folder anyway).
        with contextlib.suppress(AttributeError, OSError):
            os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        _remove_quietly(out)
        raise _write_error(out, exc) from exc
    os.close(fd)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _write_error(out: Path, exc: OSError) -> ExportError:
    code = exc.errno
    if isinstance(exc, IsADirectoryError) or code == errno.EISDIR:
        return ExportError(f"{out} is a folder; choose a file name for the PDF.")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return ExportError(
            "The disk is full, so the PDF was not saved; free some space and try again."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(
            f"The folder {out.parent} cannot be written to; choose another place to save the PDF."
        )
    if code == errno.ENOENT:
        return ExportError(f"The folder {out.parent} does not exist; choose another place to save.")
    return ExportError(f"The PDF could not be saved to {out} ({exc.strerror or exc}).")


def _identity(profile: Profile) -> tuple[SigningIdentity, bool]:
    """The signing identity, made on first use in its own transaction (committed even if the
    export later fails, so every export signs with the same certificate)."""
    for attempt in range(2):
        try:
            with profile.transaction() as s:
                return get_or_create_identity(s, profile.worker_name, profile.profile_id)
        except IntegrityError:
            # Two exports raced to make the first identity: the other one won; use it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _assert_exportable(session: Session, interview_id: str, revision: int | None) -> None:
    interview = get_interview(session, interview_id)
    if revision is None and interview.state in (None, InterviewState.DRAFT):
        raise ValidationFailed(
            [
                EpisodeProblem(
                    "interview",
                    "Only a completed interview can be exported as a signed record; complete "
                    "this one first.",
                )
            ]
        )


def export_signed_pdf(
    profile: Profile,
    interview_id: str,
    out_path: Path | str,
    *,
    now: datetime,
    revision: int | None = None,
    progress: ProgressFn | None = None,
) -> ExportResult:
    """Build, render, sign and write the interview record; audit event ``interview.export``.

    Raises :class:`ExportError` (file problems, signing), ``ValidationFailed`` (unknown
    interview, a draft) or ``FormNotAvailable``; each ``str()`` is one sentence.
    """
    out = Path(out_path).expanduser()
    _check_destination(out)
    timings: dict[str, float] = {}

    def step(index: int) -> None:
        if progress is not None:
            progress(index, EXPORT_STEPS[index])

    step(0)
    t0 = time.perf_counter()
    identity, verified = _identity(profile)
    with profile.sessions() as s:
        _assert_exportable(s, interview_id, revision)
        doc = build_document(
            s,
            interview_id,
            revision,
            now=now,
            demo=profile.demo,
            worker_name=profile.worker_name,
            organisation_verified=verified,
            organisation_name=_organisation(identity) if verified else "",
        )
    t1 = time.perf_counter()
    step(1)
    plain = render_interview_pdf(doc)
    t2 = time.perf_counter()
    step(2)
    try:
        signed = sign_pdf(
            plain,
            identity,
            reason="Return Home Interview record",
            location=doc.meta.organisation_name,
        )
    except SigningError as exc:
        raise ExportError(f"The PDF could not be signed: {exc}") from exc
    t3 = time.perf_counter()
    step(3)
    _write_once(out, signed)
    t4 = time.perf_counter()
    timings.update(
        build=(t1 - t0) * 1000,
        render=(t2 - t1) * 1000,
        sign=(t3 - t2) * 1000,
        write=(t4 - t3) * 1000,
        total=(t4 - t0) * 1000,
    )
    with profile.transaction() as s:
        # Ids and codes only: the path may name the child, so it is not recorded.
        audit.record(
            s,
            actor=profile.worker_name,
            action="interview.export",
            entity="interview",
            entity_id=doc.meta.interview_id,
            detail={
                "revision": doc.meta.revision,
                "document": "signed_record",
                "content_sha256": doc.meta.content_sha256,
                "organisation_verified": verified,
            },
        )
    return ExportResult(
        path=out,
        interview_id=doc.meta.interview_id,
        revision=doc.meta.revision,
        content_sha256=doc.meta.content_sha256,
        size_bytes=len(signed),
        signer=identity.common_name,
        organisation_verified=verified,
        timings_ms=timings,
    )


def export_safety_plan_pdf(
    profile: Profile,
    interview_id: str,
    out_path: Path | str,
    *,
    now: datetime,
    language: str | None = None,
    revision: int | None = None,
) -> Path:
    """Write the child's one-page "My safety plan", in ``language`` (default: the child's
    preferred language where the questionnaire has it, else English). Drafts are allowed: the
    plan is handed over at the end of the conversation, before the record is completed."""
    out = Path(out_path).expanduser()
    _check_destination(out)
    with profile.sessions() as s:
        doc = build_document(s, interview_id, revision, now=now, demo=profile.demo)
        record_language = _child_language(s, interview_id)
    chosen = language or record_language
    data = render_safety_plan_pdf(doc, chosen if doc.safety_plan.wording(chosen) else "en")
    _write_once(out, data)
    with profile.transaction() as s:
        audit.record(
            s,
            actor=profile.worker_name,
            action="interview.export",
            entity="interview",
            entity_id=doc.meta.interview_id,
            detail={"revision": doc.meta.revision, "document": "safety_plan"},
        )
    return out


def _child_language(session: Session, interview_id: str) -> str:
    return get_interview(session, interview_id).child.preferred_language or "en"
