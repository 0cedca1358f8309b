"""Embedded Unicode fonts.

PDFs must print a child's name and own words in any script the same on every machine, so we
embed TrueType fonts (subset) rather than relying on the 14 standard PDF fonts (Latin-1 only).
DejaVu Sans ships in ``rhi_desktop/pdf/fonts`` (package data) with its licence; the OS copy is only a fallback for a
checkout where the resources were not installed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "RHISans"
BOLD = "RHISans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_SEARCH_DIRS = (
    Path(__file__).resolve().parent / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)
_lock = threading.Lock()
_registered = False


class FontsMissingError(RuntimeError):
    """The bundled fonts are not where they should be (a broken installation)."""


def font_path(filename: str) -> Path:
    for folder in _SEARCH_DIRS:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    raise FontsMissingError(f"The font {filename} is missing from rhi_desktop/pdf/fonts.")


def register_fonts() -> None:
    """Register the fonts once per process (parsing a 700 kB TTF costs ~50 ms; do it once)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
        )
        _registered = True
