"""The daily missing report as an A4 PDF marked OFFICIAL-SENSITIVE (reportlab).

Part of the optional ``rhi-central[pdf]`` extra: a central store installed without it serves
every page and CSV, and its PDF links say which extra to install (see ``documents.require``).
"""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rhi_central.documents.fonts import BOLD, REGULAR, register_fonts
from rhi_central.oversight.daily import MARKING
from rhi_core.reports.daily import MissingNow
from rhi_core.reports.period import UK


def to_pdf(rows: list[MissingNow], now: datetime, council: str) -> bytes:
    """An A4 landscape PDF, OFFICIAL-SENSITIVE at the top and bottom of every page."""
    register_fonts()
    when = now.astimezone(UK).strftime("%d/%m/%Y %H:%M")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Daily missing report {when}",
        author=council,
        subject=MARKING,
    )
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=10.5)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19)
    flagged = sum(r.past_72h for r in rows)
    long_missing = sum(r.past_5_days for r in rows)
    story = [
        Paragraph(f"Daily missing report: {council}", title),
        Paragraph(
            f"{when} (UK time). {len(rows)} children missing; {flagged} for 72 hours or longer; "
            f"{long_missing} for more than 5 days.",
            body,
        ),
        Spacer(1, 5 * mm),
    ]
    header = [
        "Case",
        "Name",
        "Category",
        "Risk",
        "Police ref",
        "Missing since",
        "Hours",
        "Escalation",
    ]
    data = [[Paragraph(h, head) for h in header]]
    for r in rows:
        data.append(
            [
                Paragraph(_x(r.local_id), body),
                Paragraph(_x(r.name), body),
                Paragraph(_x(r.category.label), body),
                Paragraph(_x(r.risk_grade.label), body),
                Paragraph(_x(r.police_reference or "-"), body),
                Paragraph(r.started_at.astimezone(UK).strftime("%d/%m/%Y %H:%M"), body),
                Paragraph(f"{r.hours_missing:.1f}", body),
                Paragraph(_x("; ".join(r.escalations) or "-"), body),
            ]
        )
    if not rows:
        data.append([Paragraph("No child is missing.", body)] + [""] * (len(header) - 1))
    widths = [22, 40, 30, 24, 28, 30, 14, 85]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)

    def marking(canvas: object, document: object) -> None:
        c = canvas  # reportlab's canvas: draw the marking on every page
        c.saveState()  # type: ignore[attr-defined]
        c.setFont(BOLD, 11)  # type: ignore[attr-defined]
        width, height = landscape(A4)
        c.drawCentredString(width / 2, height - 10 * mm, MARKING)  # type: ignore[attr-defined]
        c.drawCentredString(width / 2, 8 * mm, MARKING)  # type: ignore[attr-defined]
        c.setFont(REGULAR, 8)  # type: ignore[attr-defined]
        page = c.getPageNumber()  # type: ignore[attr-defined]
        c.drawRightString(width - 12 * mm, 8 * mm, f"Page {page}")  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=marking, onLaterPages=marking)
    return buffer.getvalue()


def _x(text: str) -> str:
    """Text for a reportlab Paragraph (it reads a little markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
