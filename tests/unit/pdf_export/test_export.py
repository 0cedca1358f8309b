"""Export: a signed file anyone can verify, the key only in the encrypted store, no stray files."""

from __future__ import annotations

import errno
import io
import os
import tempfile
from pathlib import Path

import pytest
from conftest import NOW
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from sqlalchemy import func, select

from rhi_desktop.pdf.verify import exit_code, verify_pdf
from rhi_desktop.services import pdf_export
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.pdf_export import (
    ExportError,
    export_safety_plan_pdf,
    export_signed_pdf,
)
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.signing_identity import (
    CERT_PEM,
    KEY_PEM,
    IdentityUnusable,
    install_issued_identity,
)
from rhi_desktop.store.models import AuditEvent, ProfileSetting, ReturnInterview


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _text(data: bytes) -> str:
    # Words only, whitespace collapsed: a table cell may wrap a name onto two lines.
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def _child_name(profile: Profile, interview_id: str) -> str:
    with profile.sessions() as s:
        return s.get(ReturnInterview, interview_id).child.full_name


def _signer_cert(data: bytes) -> bytes:
    sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[-1]
    return sig.signer_cert.dump()


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Any temporary file made through tempfile lands here, so the test can see it."""
    fresh = tmp_path / "tmpdir"
    fresh.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(fresh))
    monkeypatch.setenv("TMPDIR", str(fresh))
    return fresh


def test_export_writes_a_signed_record_anyone_can_verify(
    demo_profile: Profile, flagged_id: str, tmp_path: Path, private_tmp: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = _files(tmp_path)
    steps: list[tuple[int, str]] = []
    result = export_signed_pdf(
        demo_profile,
        flagged_id,
        out_dir / "record.pdf",
        now=NOW,
        progress=lambda *a: steps.append(a),
    )
    assert result.path == out_dir / "record.pdf"
    assert [i for i, _ in steps] == [0, 1, 2, 3]
    data = result.path.read_bytes()
    assert len(data) == result.size_bytes
    assert (result.path.stat().st_mode & 0o777) == 0o600
    # Intact, and untrusted (self-signed before enrolment): exit code 2.
    verdict = verify_pdf(data, None)
    assert verdict.intact and not verdict.trusted and exit_code(verdict) == 2
    assert verdict.content_sha256 == result.content_sha256
    assert verdict.signer == demo_profile.worker_name
    text = _text(data)
    assert _child_name(demo_profile, flagged_id) in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "not verified by your organisation" in text
    # Only the output file is new: nothing in the test folder or the temp folder besides it
    # (the profile folder's own database files are allowed to change, not to multiply).
    assert _files(tmp_path) - before == {"out/record.pdf"}
    assert not any(private_tmp.iterdir())
    assert not result.organisation_verified and result.timings_ms["total"] > 0


def test_the_signing_key_never_appears_in_plaintext_on_disk(
    demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    export_signed_pdf(demo_profile, flagged_id, tmp_path / "a.pdf", now=NOW)
    with demo_profile.sessions() as s:
        key_pem = s.get(ProfileSetting, KEY_PEM).value
    assert "PRIVATE KEY" in key_pem
    body = b"".join(key_pem.encode().split(b"\n")[1:-2])  # base64 of the key, one line
    needles = [key_pem.encode(), body[:40], b"PRIVATE KEY"]
    for path in demo_profile.paths.root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for needle in needles:
                assert needle not in content, path
    # ... nor in the exported PDF.
    assert b"PRIVATE KEY" not in (tmp_path / "a.pdf").read_bytes()


def test_identity_is_created_once_and_reused(
    demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    first = export_signed_pdf(demo_profile, flagged_id, tmp_path / "1.pdf", now=NOW)
    second = export_signed_pdf(demo_profile, flagged_id, tmp_path / "2.pdf", now=NOW)
    assert _signer_cert(first.path.read_bytes()) == _signer_cert(second.path.read_bytes())
    with demo_profile.sessions() as s:
        created = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "signing.identity_create")
        )
        exports = s.scalars(select(AuditEvent).where(AuditEvent.action == "interview.export")).all()
    assert created == 1
    assert len(exports) == 2
    name = _child_name(demo_profile, flagged_id)
    for event in exports:
        assert event.entity_id == flagged_id
        assert name.split()[0] not in str(event.detail)  # ids and codes only
        assert "1.pdf" not in str(event.detail)


def test_a_certificate_issued_at_enrolment_is_trusted(
    demo_profile: Profile, flagged_id: str, tmp_path: Path, test_ca: tuple[bytes, bytes, bytes]
) -> None:
    ca_pem, key_pem, cert_pem = test_ca
    with demo_profile.transaction() as s:
        install_issued_identity(s, key_pem, cert_pem, ca_pem)
    result = export_signed_pdf(demo_profile, flagged_id, tmp_path / "org.pdf", now=NOW)
    data = result.path.read_bytes()
    assert result.organisation_verified
    verdict = verify_pdf(data, ca_pem)
    assert verdict.intact and verdict.trusted and exit_code(verdict) == 0
    text = _text(data)
    assert "not verified by your organisation" not in text
    assert "Northshire County Council" in text


def test_an_issued_certificate_that_does_not_match_is_refused(
    demo_profile: Profile, test_ca: tuple[bytes, bytes, bytes]
) -> None:
    ca_pem, _key, cert_pem = test_ca
    stranger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with demo_profile.transaction() as s, pytest.raises(IdentityUnusable) as caught:
        install_issued_identity(s, stranger, cert_pem, ca_pem)
    assert str(caught.value).endswith(".")
    with demo_profile.sessions() as s:
        assert s.get(ProfileSetting, CERT_PEM) is None


def test_unknown_interview_is_one_sentence(demo_profile: Profile, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        export_signed_pdf(demo_profile, "no-such-id", tmp_path / "x.pdf", now=NOW)
    assert str(caught.value) == "That interview is not in this profile."
    assert not (tmp_path / "x.pdf").exists()


def test_a_draft_is_not_exported_as_a_signed_record(demo_profile: Profile, tmp_path: Path) -> None:
    with demo_profile.sessions() as s:
        draft = s.scalar(select(ReturnInterview.id).where(ReturnInterview.state == "draft"))
    assert draft
    with pytest.raises(ValidationFailed, match="Only a completed interview"):
        export_signed_pdf(demo_profile, draft, tmp_path / "d.pdf", now=NOW)
    assert not (tmp_path / "d.pdf").exists()


@pytest.mark.parametrize("case", ["folder", "missing_parent", "parent_is_file", "read_only"])
def test_bad_destinations_are_one_sentence_and_leave_nothing(
    demo_profile: Profile, flagged_id: str, tmp_path: Path, case: str
) -> None:
    base = tmp_path / "dest"
    base.mkdir()
    if case == "folder":
        out = base
    elif case == "missing_parent":
        out = base / "nope" / "x.pdf"
    elif case == "parent_is_file":
        (base / "file").write_text("x")
        out = base / "file" / "x.pdf"
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write to a read-only folder")
        base.chmod(0o500)
        out = base / "x.pdf"
    before = _files(tmp_path)
    try:
        with pytest.raises(ExportError) as caught:
            export_signed_pdf(demo_profile, flagged_id, out, now=NOW)
    finally:
        base.chmod(0o700)
    message = str(caught.value)
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message
    assert _files(tmp_path) == before


def test_disk_full_while_writing_leaves_no_partial_file(
    demo_profile: Profile, flagged_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls = {"n": 0}

    def full(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:1000]))  # a partial first write...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then the disk is full

    monkeypatch.setattr(pdf_export.os, "write", full)
    out = tmp_path / "full.pdf"
    with pytest.raises(ExportError) as caught:
        export_signed_pdf(demo_profile, flagged_id, out, now=NOW)
    assert str(caught.value) == (
        "The disk is full, so the PDF was not saved; free some space and try again."
    )
    assert not out.exists()


def test_safety_plan_is_one_page_for_the_child(
    demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    path = export_safety_plan_pdf(demo_profile, flagged_id, tmp_path / "plan.pdf", now=NOW)
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "116 000" in text
    assert (path.stat().st_mode & 0o777) == 0o600
