"""Files attached inside a PDF (a file question's answer travels inside the record).

Added as an incremental update before the record is signed, so the signature covers them. The
page lists each file's name, size and SHA-256; a PDF reader shows them in its attachments pane.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from .document import EmbeddedFile


def embed_files(pdf: bytes, files: Sequence[EmbeddedFile]) -> bytes:
    """``pdf`` with ``files`` attached (unchanged when there are none)."""
    if not files:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for f in files:
        data = embed.EmbeddedFileObject.from_file_data(
            writer, f.data, mime_type=f.media_type.replace("/", "#2F") if f.media_type else None
        )
        spec = embed.FileSpec(
            file_spec_string=f.name,
            file_name=f.name,
            embedded_data=data,
            description=f.description or None,
        )
        embed.embed_file(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
