"""A council questionnaire with pictures, files, metadata and a record title, end to end on the
laptop: attached into the encrypted store, refused when wrong, filled in at start and
completion, sent in the payload (its hash covers them) and printed in the signed PDF."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from integration.harness import SIGNATURE_PNG, STROKES, WORKER, new_child
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from rhi_core.canonical import content_sha256
from rhi_core.domain.codes import OfferMethod, OfferOutcome, SignatureRole
from rhi_core.protocol import MAX_ATTACHMENT_BYTES, InterviewPayload, payload_dict
from rhi_desktop.pdf.render import render_interview_pdf
from rhi_desktop.services import answers, completion, interview_flow, offers, sessions, signatures
from rhi_desktop.services.attachments import (
    AttachmentRefused,
    add_attachment,
    attachment_infos,
    read_upload,
)
from rhi_desktop.services.forms_registry import store_published_form
from rhi_desktop.services.offers import OfferInput
from rhi_desktop.services.pdf_export import build_document
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.sessions import SessionInput
from rhi_desktop.services.signatures import SignatureInput
from rhi_desktop.services.sync_payload import build_payload
from rhi_desktop.store.models import AuditEvent, ReturnInterview

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FORM = """\
id: council-form
version: "3"
title: Council RHI
instance_name: "concat('RHI for ', ${nickname})"
languages:
  - {code: en, name: English}
sections:
  - name: about
    label: About
    implicit: true
    items:
      - {name: started, type: start}
      - {name: finished, type: end}
      - {name: day, type: today}
      - {name: laptop, type: deviceid}
      - {name: worker, type: username}
      - {name: nickname, type: text, label: "What do people call you?"}
      - {name: letter, type: image, label: "A photo of ${nickname}'s letter"}
      - {name: report, type: file, label: The police report, required: true}
"""


def _png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def started(profile: Profile) -> str:
    """A child back from missing, their RHI accepted and started on the council's form."""
    returned = NOW - timedelta(days=1)
    child_id = new_child(profile, 1, returned)
    with profile.transaction() as s:
        form = store_published_form(s, FORM)
        iid = s.scalars(
            select(ReturnInterview.id).where(ReturnInterview.child_id == child_id)
        ).one()
        offers.record_offer(
            s,
            iid,
            OfferInput(returned + timedelta(hours=2), OfferMethod.PHONE, OfferOutcome.ACCEPTED),
            actor=WORKER,
            now=NOW,
        )
        interview_flow.start_or_resume(s, child_id, form, actor=WORKER, now=NOW)
        sessions.record_session(
            s,
            iid,
            SessionInput(returned + timedelta(hours=3), 45, "Youth centre", (), True, True),
            actor=WORKER,
            now=NOW,
        )
    return iid


def test_metadata_is_filled_in_when_the_interview_starts(profile: Profile, started: str) -> None:
    with profile.sessions() as s:
        saved = answers.load_answers(s, started, 1)
    local = NOW.astimezone().replace(tzinfo=None)
    assert saved["started"] == local.isoformat(timespec="seconds")
    assert saved["day"] == local.date().isoformat()
    assert saved["worker"] == WORKER
    assert "laptop" not in saved  # not enrolled with central yet: no device id to give
    assert "finished" not in saved


def test_pictures_and_files_are_kept_checked_and_audited(
    profile: Profile, started: str, tmp_path: Path
) -> None:
    picture = tmp_path / "letter.png"
    picture.write_bytes(_png())
    name, data = read_upload(picture)
    with profile.transaction() as s:
        info = add_attachment(
            s, started, 1, "letter", name, data, picture=True, actor=WORKER, now=NOW
        )
        assert (info.file_name, info.media_type, info.size) == (
            "letter.png",
            "image/png",
            len(data),
        )
        with pytest.raises(AttachmentRefused) as refused:
            add_attachment(
                s, started, 1, "letter", "notes.txt", b"hello", picture=True, actor=WORKER, now=NOW
            )
        assert str(refused.value) == (
            "notes.txt is not a picture the record can show; choose a PNG, JPEG or GIF file."
        )
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "attachment.add")).one()
        assert event.detail == {
            "revision": 1,
            "question": "letter",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": "image/png",
        }  # never the file name
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(AttachmentRefused, match=r"^big.bin is 10.0 MB; files over 10 MB cannot"):
        read_upload(big)
    with pytest.raises(AttachmentRefused, match="is not there any more"):
        read_upload(tmp_path / "gone.pdf")


def _complete_with_attachments(profile: Profile, iid: str) -> tuple[str, str]:
    with profile.transaction() as s:
        photo = add_attachment(
            s, iid, 1, "letter", "letter.png", _png(), picture=True, actor=WORKER, now=NOW
        )
        report = add_attachment(
            s, iid, 1, "report", "report.pdf", b"%PDF-1.4 police report", picture=False,
            actor=WORKER, now=NOW,
        )  # fmt: skip
        answers.save_answers(
            s, iid, 1, {"nickname": "Jay", "letter": photo.id, "report": report.id}, NOW
        )
        signatures.sign(
            s,
            iid,
            SignatureInput(SignatureRole.WORKER, WORKER, STROKES, SIGNATURE_PNG),
            actor=WORKER,
            now=NOW,
        )
        completion.complete(s, iid, actor=WORKER, now=NOW)
    return photo.id, report.id


def test_the_payload_carries_the_attachments_and_their_hash_covers_them(
    profile: Profile, started: str
) -> None:
    photo_id, report_id = _complete_with_attachments(profile, started)
    with profile.sessions() as s:
        payload = build_payload(s, started, 1)
        saved = answers.load_answers(s, started, 1)
    assert saved["finished"] == NOW.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")
    sent = {a.id: a for a in payload.attachments}
    assert set(sent) == {photo_id, report_id}
    assert base64.b64decode(sent[report_id].data_base64) == b"%PDF-1.4 police report"
    body = payload_dict(payload)
    assert InterviewPayload.model_validate(body) == payload  # what central validates
    tampered = dict(body, attachments=[dict(a) for a in body["attachments"]])
    tampered["attachments"][1]["file_name"] = "other.pdf"
    assert content_sha256(tampered) != content_sha256(body)


def test_the_record_prints_the_picture_attaches_the_file_and_has_its_title(
    profile: Profile, started: str
) -> None:
    _complete_with_attachments(profile, started)
    with profile.sessions() as s:
        doc = build_document(s, started, 1, now=NOW)
    assert doc.meta.record_title == "RHI for Jay"
    items = {i.label: i for section in doc.sections for i in section.items}
    assert items["A photo of Jay's letter"].image == _png()  # the label shows the answer
    assert [f.name for f in doc.files] == ["report.pdf"]
    data = render_interview_pdf(doc)
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {"report.pdf": [b"%PDF-1.4 police report"]}
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert "RHI for Jay" in text and "A photo of Jay's letter" in text
    images = [img for page in reader.pages for img in page.images]
    assert any(img.image.size == (60, 30) for img in images)


def test_a_completed_revision_takes_no_new_attachment(profile: Profile, started: str) -> None:
    _complete_with_attachments(profile, started)
    with profile.transaction() as s:
        before = attachment_infos(s, started)
        with pytest.raises(completion.InterviewLocked):
            add_attachment(
                s,
                started,
                1,
                "letter",
                "new.png",
                _png("blue"),
                picture=True,
                actor=WORKER,
                now=NOW,
            )
    with profile.sessions() as s:
        assert attachment_infos(s, started) == before


def test_sync_batches_stay_small_when_interviews_carry_files(profile: Profile) -> None:
    from rhi_desktop.services import sync_service
    from rhi_desktop.store.models import OutboxItem

    mb = 1024 * 1024
    sizes = [1, 20, 3, 30, 2, 2]  # MB of sealed payload each
    with profile.transaction() as s:
        for n, size in enumerate(sizes):
            s.add(
                OutboxItem(
                    id=f"row{n}",
                    kind="interview",
                    entity_id=f"i{n}",
                    revision=1,
                    payload={"blob": "x" * (size * mb)},
                    pdf=b"%PDF",
                )
            )
    due = [(f"row{n}", f"i{n}", 1) for n in range(len(sizes))]
    batches = [[r[0] for r in b] for b in sync_service._batches(profile, due)]
    assert batches == [["row0", "row1"], ["row2"], ["row3"], ["row4", "row5"]]
    assert [r for b in batches for r in b] == [r[0] for r in due]  # order kept, none lost


NESTED = """\
id: nested-form
version: "1"
title: Nested
languages:
  - {code: en, name: English}
sections:
  - name: away
    label: While away
    items:
      - name: places
        type: repeat
        label: Places
        items:
          - {name: place_name, type: text, label: Where}
          - name: people
            type: repeat
            label: People
            items:
              - {name: person, type: text, label: "Who was at ${place_name}?"}
"""


def test_the_record_prints_people_within_each_place(profile: Profile) -> None:
    returned = NOW - timedelta(days=1)
    child_id = new_child(profile, 2, returned)
    with profile.transaction() as s:
        form = store_published_form(s, NESTED)
        iid = s.scalars(
            select(ReturnInterview.id).where(ReturnInterview.child_id == child_id)
        ).one()
        interview_flow.start_or_resume(s, child_id, form, actor=WORKER, now=NOW)
        places = [
            {"place_name": "Station", "people": [{"person": "Kai"}, {"person": "Lee"}]},
            {"place_name": "Park", "people": []},
        ]
        answers.save_answers(s, iid, 1, {"places": places}, NOW)
    with profile.sessions() as s:
        doc = build_document(s, iid, 1, now=NOW)
    (section,) = doc.sections
    tables = [(t.title, t.columns, t.rows) for t in section.items]
    assert tables == [
        ("Places", ("Where",), (("Station",), ("Park",))),
        ("People — Places 1", ("Who was at Station?",), (("Kai",), ("Lee",))),
    ]
