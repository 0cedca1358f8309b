"""Text preparation for reportlab: escaping, right-to-left scripts and friendly formatting.

reportlab draws glyphs left to right in the order it is given and does not join Arabic letters
(its own bidi support needs the non-PyPI ``rlbidi``). So RTL text is reshaped into presentation
forms (arabic-reshaper) and reordered for display (python-bidi). Reordering must happen *per
line*, after line breaking: reordering a whole paragraph first would put its first words on its
last line. :func:`rtl_lines` therefore breaks the logical (reshaped) text to the width, then
reorders each line.
"""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.lib.utils import simpleSplit

_RTL_BIDI = {"R", "AL"}


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in _RTL_BIDI for ch in text)


def starts_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left (dir="auto")."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL_BIDI:
            return True
        if kind == "L":
            return False
    return False


def rtl_lines(text: str, font_name: str, font_size: float, width: float) -> list[str]:
    """Visual-order lines for text containing right-to-left script."""
    out: list[str] = []
    for para in text.split("\n"):
        shaped = arabic_reshaper.reshape(para)
        for line in simpleSplit(shaped, font_name, font_size, width) or [""]:
            out.append(get_display(line))
    return out


def markup(text: str, font_name: str, font_size: float, width: float) -> str:
    """Paragraph markup for plain ``text``: XML-escaped, newlines kept, RTL shaped and ordered."""
    lines = rtl_lines(text, font_name, font_size, width) if has_rtl(text) else text.split("\n")
    return "<br/>".join(escape(line) for line in lines)


def label(value: object, code_list: type[enum.Enum] | None = None) -> str:
    """The code list's label for a code value; anything else printed as given."""
    if value is None or value == "":
        return ""
    if code_list is not None:
        try:
            member = code_list(value)
        except ValueError:
            return str(value)
        return str(getattr(member, "label", member.value))
    return str(value)


def fmt_date(value: date | datetime | str | None, *, numeric: bool = False) -> str:
    """ "12 Jun 2025"; ``numeric`` gives "12/06/2025", which stays one run inside RTL text
    (a day number next to Arabic would otherwise be reordered away from its month)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        value = value.date()
    if numeric:
        return f"{value:%d/%m/%Y}"
    return f"{value.day} {value:%b %Y}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y, %H:%M}"


def fmt_bool(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not recorded"}[value]


def visual_line(text: str) -> str:
    """One line for canvas.drawString: shaped and reordered when it holds RTL script."""
    if not has_rtl(text):
        return text
    return get_display(arabic_reshaper.reshape(text))
