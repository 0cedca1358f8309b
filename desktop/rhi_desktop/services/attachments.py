"""Attachments: the pictures and files that answer image/file questions.

The file is read once, checked (size, and for a picture that it really is one we can print),
and kept in the encrypted store; the answer is the attachment's id. Nothing is written outside
the store: no temporary copy, no thumbnail cache. A row is never changed once written, so the
attachment a completed revision names is exactly what was signed and sent; amending copies the
answer (the id), not the file. Audit events name the question, size and hash, never the file
name (it may hold a child's name).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.protocol import MAX_ATTACHMENT_BYTES
from rhi_desktop.security import audit
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import Attachment
from rhi_desktop.store.types import new_id

from .completion import assert_editable

# Pictures the PDF can print (what an image question accepts).
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
MAX_MB = MAX_ATTACHMENT_BYTES // (1024 * 1024)


class AttachmentRefused(StoreError):
    """The file cannot be attached; ``str()`` says why in one sentence."""


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    question: str
    file_name: str
    media_type: str
    size: int
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def describe_attachment(info: AttachmentInfo) -> str:
    """How the interview shows an attachment: its name and size."""
    n = info.size
    size = (
        f"{n} bytes"
        if n < 1024
        else f"{n / 1024:.0f} kB"
        if n < 1024**2
        else f"{n / 1024**2:.1f} MB"
    )
    return f"{info.file_name} ({size})"


def picture_type(data: bytes) -> str | None:
    """The media type of a picture the record can print, from its first bytes."""
    for magic, media_type in _IMAGE_MAGIC:
        if data.startswith(magic):
            return media_type
    return None


def read_upload(path: str | Path) -> tuple[str, bytes]:
    """``(file name, bytes)`` of a file the worker chose (run off the GUI thread)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise AttachmentRefused(
                f"{path.name} is {size / (1024 * 1024):.1f} MB; files over {MAX_MB} MB cannot "
                "be attached."
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_ATTACHMENT_BYTES + 1)
    except AttachmentRefused:
        raise
    except FileNotFoundError:
        raise AttachmentRefused(f"{path.name} is not there any more.") from None
    except IsADirectoryError:
        raise AttachmentRefused(f"{path.name} is a folder, not a file.") from None
    except OSError as exc:
        raise AttachmentRefused(f"{path.name} cannot be read ({exc.strerror or exc}).") from None
    return path.name, data


def add_attachment(
    session: Session,
    interview_id: str,
    revision: int,
    question: str,
    file_name: str,
    data: bytes,
    *,
    picture: bool,
    actor: str,
    now: datetime,
) -> AttachmentInfo:
    """Keep ``data`` as the answer to ``question``; the caller stores the returned id as the
    answer. ``picture``: an image question, which takes PNG, JPEG or GIF only."""
    assert_editable(session, interview_id, revision)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(f"Files over {MAX_MB} MB cannot be attached.")
    if not data:
        raise AttachmentRefused(f"{file_name} is empty.")
    name = os.path.basename(file_name.replace("\\", "/")).strip()[:255] or "attachment"
    media_type = picture_type(data)
    if picture and media_type is None:
        raise AttachmentRefused(
            f"{name} is not a picture the record can show; choose a PNG, JPEG or GIF file."
        )
    if media_type is None:
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    digest = hashlib.sha256(data).hexdigest()
    row = Attachment(
        id=new_id(),
        interview_id=interview_id,
        question=question,
        file_name=name,
        media_type=media_type,
        size=len(data),
        sha256=digest,
        data=data,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="attachment.add",
        entity="interview",
        entity_id=interview_id,
        detail={
            "revision": revision,
            "question": question,
            "size": len(data),
            "sha256": digest,
            "media_type": media_type,
        },
    )
    return _info(row)


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(row.id, row.question, row.file_name, row.media_type, row.size, row.sha256)


def attachment_infos(
    session: Session, interview_id: str, ids: Iterable[str] | None = None
) -> dict[str, AttachmentInfo]:
    """The interview's attachments (or those of ``ids``), without their bytes."""
    query = select(
        Attachment.id,
        Attachment.question,
        Attachment.file_name,
        Attachment.media_type,
        Attachment.size,
        Attachment.sha256,
    ).where(Attachment.interview_id == interview_id)
    wanted = set(ids) if ids is not None else None
    if wanted is not None:
        query = query.where(Attachment.id.in_(wanted))
    return {r.id: AttachmentInfo(*r) for r in session.execute(query)}


def attachment_data(session: Session, interview_id: str, ids: Iterable[str]) -> dict[str, bytes]:
    """The bytes of the interview's attachments ``ids`` (for the PDF and the payload)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Attachment.id, Attachment.data).where(
            Attachment.interview_id == interview_id, Attachment.id.in_(wanted)
        )
    )
    return {r.id: r.data for r in rows}
