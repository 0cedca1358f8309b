"""Shared page furniture and building blocks for the PDFs: palette, styles, page decoration.

Every page of every PDF carries the protective marking top and bottom (a printed page must be
marked on its own), "page X of Y" and, for demo profiles, a DEMO watermark. "Y" is only known
once all pages are laid out, so the canvas keeps each page's state and decorates them on save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from .fonts import BOLD, REGULAR
from .text import markup, starts_rtl, visual_line

MARKING = "OFFICIAL-SENSITIVE"

INK = colors.HexColor("#1b2430")
MUTED = colors.HexColor("#5b6675")
ACCENT = colors.HexColor("#1f5f8b")
RULE = colors.HexColor("#d8dee6")
BAND = colors.HexColor("#f2f5f8")
NOTE_BG = colors.HexColor("#fff5e0")
NOTE_EDGE = colors.HexColor("#d99a1e")
WATERMARK = colors.Color(0.75, 0.2, 0.2, alpha=0.13)


def style(name: str, **kw: Any) -> ParagraphStyle:
    """A paragraph style; with ``parent=`` only the given keywords differ from the parent."""
    if "parent" in kw:
        return ParagraphStyle(name, **kw)
    base: dict[str, Any] = {
        "fontName": REGULAR,
        "fontSize": 9.5,
        "leading": 13.5,
        "textColor": INK,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


BODY = style("body")
SMALL = style("small", fontSize=8, leading=11, textColor=MUTED)
LABEL = style("label", fontSize=8, leading=11, textColor=MUTED)
CELL = style("cell", fontSize=8.5, leading=11.5)
CELL_HEAD = style("cellhead", fontName=BOLD, fontSize=8, leading=11, textColor=MUTED)
H1 = style("h1", fontName=BOLD, fontSize=22, leading=27, textColor=INK)
H2 = style(
    "h2", fontName=BOLD, fontSize=13, leading=17, textColor=ACCENT, spaceBefore=16, spaceAfter=6
)
H3 = style("h3", fontName=BOLD, fontSize=10, leading=14, textColor=INK, spaceBefore=8, spaceAfter=3)
RIGHT_SMALL = style("rsmall", fontSize=8, leading=11, textColor=MUTED, alignment=TA_RIGHT)


def para(text: str, st: ParagraphStyle, width: float, bullet: str | None = None) -> Paragraph:
    """A Paragraph of plain text (escaped; RTL shaped and ordered for ``width``).

    Text that starts in a right-to-left script is right-aligned, like HTML's dir="auto"; a
    bullet then goes on the right too (reportlab only draws bullets on the left, so it becomes
    part of the text).
    """
    if starts_rtl(text):
        if st.alignment != TA_RIGHT:
            st = ParagraphStyle(st.name + "-rtl", parent=st, alignment=TA_RIGHT)
        if bullet:
            text = f"{text} {bullet}"
        return Paragraph(markup(text, st.fontName, st.fontSize, width), st)
    return Paragraph(markup(text, st.fontName, st.fontSize, width), st, bulletText=bullet)


# The page-1 summary is denser than the record that follows it: it must fit on one page.
COMPACT_CELL = style("ccell", fontSize=7.8, leading=10)
COMPACT_LABEL = style("clabel", fontSize=7.3, leading=9.5, textColor=MUTED)
COMPACT_HEAD = style("chead", fontName=BOLD, fontSize=7.3, leading=9.5, textColor=MUTED)


def grid(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    first_col_muted: bool = False,
    compact: bool = False,
) -> Table:
    """A calm table: light horizontal rules, no boxes, a muted header row, wrapped cells."""
    pad = 3 if compact else 4
    cell, label, head = (
        (COMPACT_CELL, COMPACT_LABEL, COMPACT_HEAD) if compact else (CELL, LABEL, CELL_HEAD)
    )
    data: list[list[Paragraph]] = []
    if header:
        data.append([para(h, head, w - 2 * pad) for h, w in zip(header, widths, strict=True)])
    for row in rows:
        cells = []
        for i, (value, w) in enumerate(zip(row, widths, strict=True)):
            st = label if first_col_muted and i == 0 else cell
            cells.append(para(value, st, w - 2 * pad))
        data.append(cells)
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2 if compact else 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 if compact else 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    ]
    if header:
        cmds += [("LINEBELOW", (0, 0), (-1, 0), 0.9, MUTED), ("BACKGROUND", (0, 0), (-1, 0), BAND)]
    table.setStyle(TableStyle(cmds))
    return table


@dataclass(frozen=True)
class PageFurniture:
    """What is printed around the content of every page."""

    left_footer: str
    right_header: str
    demo: bool
    left_header: str = "Return Home Interview record"


PAGE_MARGIN_X = 20 * mm
PAGE_MARGIN_TOP = 22 * mm
PAGE_MARGIN_BOTTOM = 22 * mm


def draw_watermark(canv: rl_canvas.Canvas, size: float = 130) -> None:
    """Diagonal DEMO across the page, drawn first so it sits beneath the content."""
    w, h = canv._pagesize
    canv.saveState()
    canv.setFillColor(WATERMARK)
    canv.setFont(BOLD, size)
    canv.translate(w / 2, h / 2)
    canv.rotate(35)
    canv.drawCentredString(0, -size * 0.35, "DEMO")
    canv.restoreState()


def make_canvas(furniture: PageFurniture) -> Callable[..., rl_canvas.Canvas]:
    """A canvas class that decorates every page once the page count is known."""

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _decorate(self, furniture, number, total)
                super().showPage()
            super().save()

    return _Canvas


def _decorate(canv: rl_canvas.Canvas, f: PageFurniture, number: int, total: int) -> None:
    w, h = canv._pagesize
    left, right = PAGE_MARGIN_X, w - PAGE_MARGIN_X
    canv.saveState()
    # Protective marking, top and bottom, centred and bold: the government convention.
    canv.setFillColor(INK)
    canv.setFont(BOLD, 9)
    canv.drawCentredString(w / 2, h - 10 * mm, MARKING)
    canv.drawCentredString(w / 2, 7 * mm, MARKING)
    canv.setFont(REGULAR, 7.5)
    canv.setFillColor(MUTED)
    canv.drawString(left, h - 15.5 * mm, visual_line(f.left_header))
    canv.drawRightString(right, h - 15.5 * mm, visual_line(f.right_header))
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(left, h - 17 * mm, right, h - 17 * mm)
    canv.line(left, 16 * mm, right, 16 * mm)
    canv.drawString(left, 12 * mm, f.left_footer)
    canv.drawRightString(right, 12 * mm, f"Page {number} of {total}")
    canv.restoreState()
