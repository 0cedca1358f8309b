"""The daily missing report for the console: the page, a CSV and a PDF marked
OFFICIAL-SENSITIVE. The rows are ``rhi_core.reports.daily.daily_missing`` (the same definition
as `rhi-central report daily-missing`), computed over just the children missing now."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_central.models import Child, Episode
from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex
from rhi_core.reports.daily import MissingNow, daily_missing
from rhi_core.reports.period import UK
from rhi_core.reports.records import ChildRecord, Dataset, EpisodeRecord

MARKING = "OFFICIAL-SENSITIVE"
CSV_COLUMNS = (
    "case_number",
    "name",
    "category",
    "risk_grade",
    "police_reference",
    "missing_since",
    "hours_missing",
    "past_72h",
    "past_5_days",
    "escalations",
)
_FONTS = Path(__file__).with_name("fonts")
_font_lock = threading.Lock()
_fonts_registered = False


def missing_rows(session: Session, now: datetime) -> list[MissingNow]:
    """The daily missing report's rows at ``now``."""
    found = session.execute(
        select(Episode, Child)
        .join(Child, Child.id == Episode.child_id)
        .where(Episode.returned_at.is_(None), Episode.started_at <= now)
    ).all()
    children: dict[str, ChildRecord] = {}
    episodes = []
    for e, c in found:
        children[c.id] = ChildRecord(
            id=c.id,
            local_id=c.local_id,
            first_name=c.first_name,
            last_name=c.last_name,
            dob=c.dob,
            sex=Sex(c.sex),
            ethnicity=c.ethnicity,
            looked_after=c.looked_after,
            uasc=c.uasc,
            out_of_area=c.out_of_area,
            placement_type=c.placement_type,
            placing_authority=c.placing_authority,
            social_worker=c.social_worker,
            preferred_language=c.preferred_language,
            interpreter_needed=c.interpreter_needed,
        )
        episodes.append(
            EpisodeRecord(
                id=e.id,
                child_id=e.child_id,
                category=EpisodeCategory(e.category),
                started_at=e.started_at,
                returned_at=e.returned_at,
                where_found=e.where_found,
                found_by=e.found_by,
                police_reference=e.police_reference,
                risk_grade=RiskGrade(e.risk_grade),
            )
        )
    return daily_missing(Dataset(children=list(children.values()), episodes=episodes), now)


def _safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[MissingNow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                _safe_cell(r.local_id),
                _safe_cell(r.name),
                r.category.value,
                r.risk_grade.value,
                _safe_cell(r.police_reference or ""),
                r.started_at.replace(microsecond=0).isoformat(),
                f"{r.hours_missing:.1f}",
                "yes" if r.past_72h else "no",
                "yes" if r.past_5_days else "no",
                "; ".join(r.escalations),
            ]
        )
    return buffer.getvalue()


def _register_fonts() -> None:
    global _fonts_registered
    with _font_lock:
        if not _fonts_registered:
            pdfmetrics.registerFont(TTFont("RHICentral", str(_FONTS / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("RHICentral-Bold", str(_FONTS / "DejaVuSans-Bold.ttf")))
            _fonts_registered = True


def to_pdf(rows: list[MissingNow], now: datetime, council: str) -> bytes:
    """An A4 landscape PDF, OFFICIAL-SENSITIVE at the top and bottom of every page."""
    _register_fonts()
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
    body = ParagraphStyle("body", fontName="RHICentral", fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", fontName="RHICentral-Bold", fontSize=8.5, leading=10.5)
    title = ParagraphStyle("title", fontName="RHICentral-Bold", fontSize=15, leading=19)
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
        c.setFont("RHICentral-Bold", 11)  # type: ignore[attr-defined]
        width, height = landscape(A4)
        c.drawCentredString(width / 2, height - 10 * mm, MARKING)  # type: ignore[attr-defined]
        c.drawCentredString(width / 2, 8 * mm, MARKING)  # type: ignore[attr-defined]
        c.setFont("RHICentral", 8)  # type: ignore[attr-defined]
        page = c.getPageNumber()  # type: ignore[attr-defined]
        c.drawRightString(width - 12 * mm, 8 * mm, f"Page {page}")  # type: ignore[attr-defined]
        c.restoreState()  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=marking, onLaterPages=marking)
    return buffer.getvalue()


def _x(text: str) -> str:
    """Text for a reportlab Paragraph (it reads a little markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
