"""The embedded Unicode fonts of central's PDFs (DejaVu Sans, shipped with its licence): a
child's name prints the same in any script on every server."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "RHICentral"
BOLD = "RHICentral-Bold"
FONTS = Path(__file__).with_name("fonts")
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    global _registered
    with _lock:
        if not _registered:
            pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
            _registered = True
