"""Printable documents of the central store (PDFs), behind the optional ``rhi-central[pdf]``
extra (reportlab): the base install serves every page, CSV and API without it."""

from __future__ import annotations

import importlib.util

PDF_EXTRA_MISSING = (
    "PDF documents need the rhi-central[pdf] extra, which is not installed on this server: "
    "ask the administrator to install it (pip install 'rhi-central[pdf]')."
)


def pdf_available() -> bool:
    """Whether the PDF extra (reportlab) is installed, without importing it."""
    return importlib.util.find_spec("reportlab") is not None
