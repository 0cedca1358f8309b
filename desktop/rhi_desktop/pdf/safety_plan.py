"""A one-page, child-friendly "My safety plan" to hand to the child.

Large friendly type and soft coloured cards, written to the child ("you", "me"), in the child's
language where the plan carries wording for it (falling back to English string by string). It is
always exactly one page: the content is shrunk to fit rather than spilling onto a second sheet
that would get lost.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .document import ChildWording, InterviewDocument
from .fonts import BOLD, register_fonts
from .layout import (
    MUTED,
    PAGE_MARGIN_BOTTOM,
    PAGE_MARGIN_TOP,
    PAGE_MARGIN_X,
    PageFurniture,
    draw_watermark,
    make_canvas,
    para,
    style,
)
from .text import fmt_date, has_rtl

WIDTH = A4[0] - 2 * PAGE_MARGIN_X
HEIGHT = A4[1] - PAGE_MARGIN_TOP - PAGE_MARGIN_BOTTOM

_ENGLISH = ChildWording(
    language="en",
    title="My safety plan",
    intro="We made this plan together. Keep it somewhere safe, or take a photo of it.",
    people_heading="People I can talk to",
    places_heading="Places where I feel safe",
    signs_heading="Signs that things are getting hard",
    agreed_heading="What we agreed",
    helplines_heading="If I need help now",
    review_label="We will look at this plan again on",
)

_CARD_COLOURS = {
    "people": colors.HexColor("#e6f2fb"),
    "places": colors.HexColor("#e8f6ee"),
    "signs": colors.HexColor("#fdf0e4"),
    "agreed": colors.HexColor("#f1ecfa"),
    "help": colors.HexColor("#1f5f8b"),
}


@dataclass(frozen=True)
class _Words:
    w: ChildWording
    rtl: bool

    def get(self, name: str) -> str:
        return getattr(self.w, name) or getattr(_ENGLISH, name)


def render_safety_plan_pdf(doc: InterviewDocument, language: str = "en") -> bytes:
    """The child's one-page safety plan, in ``language`` where wording for it is provided."""
    register_fonts()
    plan = doc.safety_plan
    chosen = plan.wording(language) if language else None
    if chosen is None:
        chosen = plan.wording("en") or _ENGLISH
    words = _Words(chosen, rtl=has_rtl(chosen.title + chosen.intro))
    align = TA_RIGHT if words.rtl else TA_LEFT

    title = style("sp-title", fontName=BOLD, fontSize=30, leading=36, alignment=align)
    intro = style("sp-intro", fontSize=13, leading=18, textColor=MUTED, alignment=align)
    head = style("sp-head", fontName=BOLD, fontSize=15, leading=20, alignment=align, spaceAfter=4)
    item = style("sp-item", fontSize=13, leading=18, alignment=align, spaceAfter=3)
    bullet_item = style("sp-bullet", parent=item, leftIndent=14, bulletIndent=0, bulletFontSize=13)
    phone = style("sp-phone", fontName=BOLD, fontSize=17, leading=22, alignment=align)
    small = style("sp-small", fontSize=10.5, leading=14, textColor=MUTED, alignment=align)

    half = WIDTH / 2 - 6
    inner = half - 24

    def card(key: str, heading: str, body: list[Flowable], width: float) -> Table:
        t = Table([[[para(heading, head, width - 24), *body]]], colWidths=[width])
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), _CARD_COLOURS[key]),
                    ("ROUNDEDCORNERS", [10, 10, 10, 10]),
                    ("LEFTPADDING", (0, 0), (-1, -1), 12),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                    ("TOPPADDING", (0, 0), (-1, -1), 10),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def items(values: tuple[str, ...], translated: tuple[str, ...], width: float) -> list[Flowable]:
        # Use the child's-language items only when they line up one-to-one with the plan's.
        chosen_items = translated if len(translated) == len(values) and translated else values
        if not chosen_items:
            return [para("—", item, width)]
        if words.rtl:
            # Right-aligned text with bullets stranded on the far left reads badly: no bullets.
            return [para(v, item, width) for v in chosen_items]
        return [para(v, bullet_item, width - 14, bullet="•") for v in chosen_items]

    people: list[Flowable] = []
    for a in plan.trusted_adults:
        who = a.name + (f" ({a.relationship})" if a.relationship else "")
        people += [para(who, item, inner), para(a.phone, phone, inner), Spacer(1, 5)]
    if not people:
        people = [para("—", item, inner)]

    actions_en = tuple(
        f"{a.who}: {a.what}" + (f" ({fmt_date(a.by_when, numeric=words.rtl)})" if a.by_when else "")
        for a in plan.actions
    )
    helpline_lines: list[Flowable] = []
    white = colors.white
    for h in plan.helplines:
        helpline_lines.append(
            para(f"{h.number}  {h.name}", style("sp-hl", parent=phone, textColor=white), WIDTH - 24)
        )
        if h.note:
            helpline_lines.append(
                para(h.note, style("sp-hln", parent=small, textColor=white), WIDTH - 24)
            )
    help_head = style("sp-hh", parent=head, textColor=white)
    help_card = Table(
        [[[para(words.get("helplines_heading"), help_head, WIDTH - 24), *helpline_lines]]],
        colWidths=[WIDTH],
    )
    help_card.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _CARD_COLOURS["help"]),
                ("ROUNDEDCORNERS", [10, 10, 10, 10]),
                ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
            ]
        )
    )

    left = [
        card("people", words.get("people_heading"), people, half),
        Spacer(1, 10),
        card(
            "places",
            words.get("places_heading"),
            items(plan.safe_places, words.w.safe_places, inner),
            half,
        ),
    ]
    right = [
        card(
            "signs",
            words.get("signs_heading"),
            items(plan.warning_signs, words.w.warning_signs, inner),
            half,
        ),
        Spacer(1, 10),
        card(
            "agreed", words.get("agreed_heading"), items(actions_en, words.w.actions, inner), half
        ),
    ]
    if words.rtl:
        # Right-to-left readers start on the right: mirror the columns.
        left, right = right, left
    columns = Table([[left, right]], colWidths=[WIDTH / 2, WIDTH / 2])
    columns.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 6),
                ("LEFTPADDING", (1, 0), (1, -1), 6),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
            ]
        )
    )

    review = fmt_date(plan.review_date, numeric=words.rtl)
    story: list[Flowable] = [
        para(words.get("title"), title, WIDTH),
        Spacer(1, 4),
        para(
            f"{doc.child.name} · {fmt_date(doc.meta.generated_at, numeric=words.rtl)}",
            intro,
            WIDTH,
        ),
        Spacer(1, 2),
        para(words.get("intro"), intro, WIDTH),
        Spacer(1, 14),
        columns,
        Spacer(1, 12),
        help_card,
    ]
    if review:
        story += [Spacer(1, 10), para(f"{words.get('review_label')} {review}", item, WIDTH)]

    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=PAGE_MARGIN_X,
        rightMargin=PAGE_MARGIN_X,
        topMargin=PAGE_MARGIN_TOP,
        bottomMargin=PAGE_MARGIN_BOTTOM,
        title="My safety plan",
        author=doc.meta.worker_name,
        creator="RHI Desktop",
        lang=chosen.language,
    )
    furniture = PageFurniture(
        left_footer=f"Safety plan · interview {doc.meta.interview_id}",
        right_header=doc.child.name,
        demo=doc.meta.demo,
        left_header="My safety plan",
    )

    def on_page(canv: Canvas, _template: object) -> None:
        if doc.meta.demo:
            draw_watermark(canv)

    # KeepInFrame(mode="shrink") is what guarantees a single page however long the plan is.
    frame = KeepInFrame(WIDTH, HEIGHT - 4, story, mode="shrink")
    template.build(
        [frame], onFirstPage=on_page, onLaterPages=on_page, canvasmaker=make_canvas(furniture)
    )
    return buf.getvalue()
