"""The interview record PDF (reportlab platypus): everything a reviewer, police or a panel needs.

Rendering is a pure function of an :class:`InterviewDocument`; it writes to memory only (the
content is child data: no temporary files).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from rhi_core.domain.codes import (
    DeclinedBy,
    DeclineReason,
    EpisodeCategory,
    LateReason,
    OfferMethod,
    OfferOutcome,
    ReferralKind,
    RiskGrade,
    Sex,
)

from .attach import embed_files
from .document import CONTENT_HASH_KEYWORD, AnswerItem, InterviewDocument, RepeatTable, Signature
from .fonts import register_fonts
from .layout import (
    BAND,
    BODY,
    H1,
    H2,
    H3,
    LABEL,
    MARKING,
    NOTE_BG,
    NOTE_EDGE,
    PAGE_MARGIN_BOTTOM,
    PAGE_MARGIN_TOP,
    PAGE_MARGIN_X,
    RULE,
    SMALL,
    PageFurniture,
    draw_watermark,
    grid,
    make_canvas,
    para,
    style,
)
from .safety_plan import render_safety_plan_pdf
from .text import fmt_bool, fmt_date, fmt_datetime, label

__all__ = ["CONTENT_HASH_KEYWORD", "render_interview_pdf", "render_safety_plan_pdf"]

UNVERIFIED_NOTE = "Signed with a local certificate — not verified by your organisation."

WIDTH = A4[0] - 2 * PAGE_MARGIN_X


def render_interview_pdf(doc: InterviewDocument) -> bytes:
    """Render the complete interview record; returns the PDF bytes."""
    register_fonts()
    m = doc.meta
    buf = io.BytesIO()
    furniture = PageFurniture(
        left_footer=(
            f"Interview {m.interview_id} · revision {m.revision} · "
            f"form {m.form_id} v{m.form_version}"
        ),
        right_header=doc.child.name,
        demo=m.demo,
    )
    template = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=PAGE_MARGIN_X,
        rightMargin=PAGE_MARGIN_X,
        topMargin=PAGE_MARGIN_TOP,
        bottomMargin=PAGE_MARGIN_BOTTOM,
        title="Return Home Interview record",
        author=m.worker_name,
        subject=f"{MARKING} — Return Home Interview {m.interview_id} revision {m.revision}",
        keywords=f"{CONTENT_HASH_KEYWORD}{m.content_sha256}",
        creator="RHI Desktop",
    )

    def on_page(canv: Canvas, _template: object) -> None:
        if m.demo:
            draw_watermark(canv)

    story = list(_story(doc))
    template.build(
        story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=make_canvas(furniture)
    )
    return embed_files(buf.getvalue(), doc.files)


# --- story ------------------------------------------------------------------------------------


def _story(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _title(doc)
    parts = [
        _child(doc),
        _episodes(doc),
        _offers(doc),
        _sessions(doc),
        *(_answers(s.title, s.items) for s in doc.sections),
        _factors(doc),
        _risks(doc),
        _safety_plan(doc),
        _outcomes(doc),
    ]
    for part in parts:
        flowables = list(part)
        # A heading never sits alone at the foot of a page: keep the headings with the first
        # block of content that follows them.
        n = 0
        while n < len(flowables) and _is_heading(flowables[n]):
            n += 1
        yield KeepTogether(flowables[: n + 1])
        yield from flowables[n + 1 :]
    yield from _signatures(doc)


def _is_heading(f: Flowable) -> bool:
    return isinstance(f, CondPageBreak) or (
        isinstance(f, Paragraph) and f.style.name.startswith(("h2", "h3"))
    )


def _heading(text: str) -> list[Flowable]:
    # A heading must never sit alone at the foot of a page.
    return [CondPageBreak(30 * mm), para(text, H2, WIDTH)]


def _note(text: str) -> Table:
    t = Table([[para(text, BODY, WIDTH - 16)]], colWidths=[WIDTH], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
                ("LINEBEFORE", (0, 0), (0, -1), 3, NOTE_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return t


def _pairs(pairs: list[tuple[str, str]], columns: int = 2) -> Table:
    """Label/value pairs laid out in ``columns`` columns (label above value: easy to scan)."""
    col_w = WIDTH / columns
    cells = [[para(k, LABEL, col_w - 10), para(v or "—", BODY, col_w - 10)] for k, v in pairs]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    if rows and len(rows[-1]) < columns:
        rows[-1] += [[Spacer(1, 1)]] * (columns - len(rows[-1]))
    t = Table(rows, colWidths=[col_w] * columns, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return t


def _title(doc: InterviewDocument) -> Iterable[Flowable]:
    m = doc.meta
    yield para("Return Home Interview", H1, WIDTH)
    yield Spacer(1, 2)
    if m.record_title:
        yield para(m.record_title, H2, WIDTH)
    yield para(
        f"{doc.child.name} · interview {m.interview_id} · revision {m.revision}",
        style("sub", fontSize=10.5, leading=14, textColor=LABEL.textColor),
        WIDTH,
    )
    yield Spacer(1, 8)
    yield _pairs(
        [
            ("Interviewer", m.worker_name),
            ("Record generated", fmt_datetime(m.generated_at)),
            ("Form", f"{m.form_id} version {m.form_version}"),
            ("Organisation", m.organisation_name or "—"),
        ],
        columns=4,
    )
    if m.demo:
        yield Spacer(1, 4)
        yield _note("DEMO record: synthetic data for training and demonstration only.")
    if not m.organisation_verified:
        yield Spacer(1, 4)
        yield _note(UNVERIFIED_NOTE)


def _child(doc: InterviewDocument) -> Iterable[Flowable]:
    c = doc.child
    status = [
        s
        for s, on in (
            ("Looked after (child in care)", c.looked_after),
            ("Unaccompanied asylum-seeking child", c.uasc),
            ("Placed out of area", c.out_of_area),
        )
        if on
    ]
    yield from _heading("Child")
    yield _pairs(
        [
            ("Name", c.name),
            ("Case number", c.case_number),
            ("Date of birth", fmt_date(c.dob)),
            ("Age", "" if c.age is None else str(c.age)),
            ("Sex", label(c.sex, Sex)),
            ("Ethnicity", c.ethnicity),
            ("Status", ", ".join(status) or "Not looked after"),
            ("Allocated social worker", c.social_worker),
            ("Preferred language", c.language),
            ("Interpreter needed", fmt_bool(c.interpreter_needed)),
        ],
        columns=3,
    )


def _episodes(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _heading("Missing episodes covered")
    if not doc.episodes:
        yield para("No episode recorded.", SMALL, WIDTH)
        return
    widths = _cols(0.15, 0.14, 0.14, 0.13, 0.26, 0.18)
    rows = [
        [
            label(e.category, EpisodeCategory),
            fmt_datetime(e.start),
            fmt_datetime(e.returned) or "Not returned",
            label(e.risk_grade, RiskGrade),
            e.where_found,
            e.police_ref,
        ]
        for e in doc.episodes
    ]
    yield grid(
        ["Type", "Started", "Returned", "Police risk", "Where found", "Police reference"],
        rows,
        widths,
    )


def _offers(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _heading("Offer and consent")
    if doc.offers:
        rows = []
        for o in doc.offers:
            outcome = label(o.outcome, OfferOutcome)
            if o.declined_by:
                outcome += f" by {label(o.declined_by, DeclinedBy).lower()}"
            detail = [label(o.reason, DeclineReason), o.note]
            if o.carer_shared:
                detail.append(f"Carer shared: {o.carer_shared}")
            rows.append(
                [
                    fmt_datetime(o.at),
                    label(o.method, OfferMethod),
                    o.by_whom,
                    outcome,
                    "\n".join(d for d in detail if d),
                ]
            )
        yield grid(
            ["When", "How", "Offered by", "Outcome", "Reason and notes"],
            rows,
            _cols(0.16, 0.11, 0.17, 0.16, 0.40),
        )
    else:
        yield para("No offer recorded.", SMALL, WIDTH)
    yield Spacer(1, 6)
    within = fmt_bool(doc.within_72h)
    line = f"Interview held within 72 hours of return: {within}"
    if doc.within_72h is False and doc.late_reason:
        line += f" — {label(doc.late_reason, LateReason)}"
        if doc.late_note:
            line += f" ({doc.late_note})"
    yield para(line, BODY, WIDTH)


def _sessions(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _heading("Sessions")
    if not doc.sessions:
        yield para("No session recorded.", SMALL, WIDTH)
        return
    rows = [
        [
            fmt_datetime(s.start),
            "" if s.duration_minutes is None else f"{s.duration_minutes} min",
            s.place,
            ", ".join(s.present),
            fmt_bool(s.time_alone),
            fmt_bool(s.confidentiality_explained),
        ]
        for s in doc.sessions
    ]
    yield grid(
        ["Started", "Length", "Place", "Present", "Time alone", "Confidentiality explained"],
        rows,
        _cols(0.15, 0.09, 0.19, 0.27, 0.11, 0.19),
    )


def _answers(title: str, items: Iterable[AnswerItem | RepeatTable]) -> Iterable[Flowable]:
    yield from _heading(title)
    pending: list[list[str]] = []
    widths = _cols(0.36, 0.64)

    def flush() -> Iterable[Flowable]:
        if pending:
            yield grid(None, list(pending), widths, first_col_muted=True)
            pending.clear()

    for item in items:
        if isinstance(item, AnswerItem) and item.image is not None:
            yield from flush()
            yield from _picture(item)
            continue
        if isinstance(item, AnswerItem):
            pending.append([item.label, item.answer])
            continue
        yield from flush()
        head = para(item.title, H3, WIDTH)
        if item.rows:
            n = len(item.columns)
            table = grid(item.columns, [list(r) for r in item.rows], [WIDTH / n] * n)
            yield KeepTogether([head, table]) if len(item.rows) < 8 else head
            if len(item.rows) >= 8:
                yield table
        else:
            yield KeepTogether([head, para("None recorded.", SMALL, WIDTH)])
    yield from flush()


def _picture(item: AnswerItem) -> Iterable[Flowable]:
    """An image question: its label and file name, then the picture itself (fitted), kept
    together on one page."""
    row = grid(None, [[item.label, item.answer]], _cols(0.36, 0.64), first_col_muted=True)
    try:
        reader = ImageReader(io.BytesIO(item.image or b""))
        w, h = reader.getSize()
    except Exception:  # noqa: BLE001 - a picture reportlab cannot read must not stop the record
        note = para("The picture could not be printed; it is kept with the record.", SMALL, WIDTH)
        yield KeepTogether([row, note])
        return
    scale = min((WIDTH * 0.64) / w, (70 * mm) / h, 1.0)
    picture = Image(io.BytesIO(item.image or b""), width=w * scale, height=h * scale)
    picture.hAlign = "RIGHT"
    yield KeepTogether([row, Spacer(1, 3), picture, Spacer(1, 6)])


def _bullets(items: Iterable[str], width: float, empty: str) -> list[Flowable]:
    items = list(items)
    if not items:
        return [para(empty, SMALL, width)]
    bullet = style("bullet", parent=BODY, leftIndent=11, bulletIndent=0, spaceAfter=2)
    return [para(text, bullet, width - 11, bullet="•") for text in items]


def _factors(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _heading("Push and pull factors")
    half = WIDTH / 2 - 6
    left = [para("Push factors (away from home or placement)", H3, half)]
    left += _bullets(doc.push_factors, half, "None identified.")
    right = [para("Pull factors (towards someone or somewhere)", H3, half)]
    right += _bullets(doc.pull_factors, half, "None identified.")
    t = Table([[left, right]], colWidths=[WIDTH / 2, WIDTH / 2], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ]
        )
    )
    yield t


def _risks(doc: InterviewDocument) -> Iterable[Flowable]:
    yield from _heading("Risk and exploitation concerns")
    if not doc.risk_flags:
        yield para("No exploitation or harm concern was flagged.", BODY, WIDTH)
        return
    for flag in doc.risk_flags:
        block: list[Flowable] = [para(flag.label, H3, WIDTH)]
        block += _bullets(flag.prompts, WIDTH, "No indicator recorded.")
        yield KeepTogether(block)


def _safety_plan(doc: InterviewDocument) -> Iterable[Flowable]:
    plan = doc.safety_plan
    yield from _heading("Safety plan")
    yield para("Trusted adults", H3, WIDTH)
    if plan.trusted_adults:
        yield grid(
            ["Name", "Relationship", "Phone"],
            [[a.name, a.relationship, a.phone] for a in plan.trusted_adults],
            _cols(0.4, 0.35, 0.25),
        )
    else:
        yield para("None named.", SMALL, WIDTH)
    yield para("Safe places", H3, WIDTH)
    yield from _bullets(plan.safe_places, WIDTH, "None named.")
    yield para("Warning signs and triggers", H3, WIDTH)
    yield from _bullets(plan.warning_signs, WIDTH, "None named.")
    yield para("What we agreed", H3, WIDTH)
    if plan.actions:
        yield grid(
            ["Who", "What", "By when"],
            [[a.who, a.what, fmt_date(a.by_when)] for a in plan.actions],
            _cols(0.22, 0.58, 0.2),
        )
    else:
        yield para("No action agreed.", SMALL, WIDTH)
    yield para("Helplines", H3, WIDTH)
    yield grid(
        None,
        [[h.name, h.number, h.note] for h in plan.helplines],
        _cols(0.3, 0.18, 0.52),
    )
    yield Spacer(1, 6)
    yield para(f"Plan to be reviewed by: {fmt_date(plan.review_date) or 'not set'}", BODY, WIDTH)


def _outcomes(doc: InterviewDocument) -> Iterable[Flowable]:
    o = doc.outcomes
    yield from _heading("Outcomes and referrals")
    if o.referrals:
        yield grid(
            ["Referral or action", "Date", "Note"],
            [[label(r.kind, ReferralKind), fmt_date(r.date), r.note] for r in o.referrals],
            _cols(0.34, 0.16, 0.5),
        )
    else:
        yield para("No referral made.", SMALL, WIDTH)
    yield para("Worker's analysis", H3, WIDTH)
    yield para(o.analysis or "—", BODY, WIDTH)
    yield para("Recommendations", H3, WIDTH)
    yield para(o.recommendations or "—", BODY, WIDTH)
    yield Spacer(1, 6)
    shared = fmt_date(o.shared_with_social_worker) or "not yet"
    yield para(f"Report shared with the social worker: {shared}", BODY, WIDTH)


def _signature_card(sig: Signature, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    if sig.png:
        reader = ImageReader(io.BytesIO(sig.png))
        iw, ih = reader.getSize()
        scale = min((width - 16) / iw, 44 / ih, 1.5)
        out.append(Image(io.BytesIO(sig.png), width=iw * scale, height=ih * scale, hAlign="LEFT"))
    else:
        out.append(para(f"Not signed: {sig.declined_reason or 'no reason given'}", BODY, width))
    out.append(HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=2, spaceAfter=4))
    out.append(para(sig.name, style("signame", parent=BODY, fontName=H3.fontName), width))
    out.append(para(sig.role, LABEL, width))
    if sig.signed_at:
        out.append(para(f"Signed {fmt_datetime(sig.signed_at)}", LABEL, width))
    return out


def _signatures(doc: InterviewDocument) -> Iterable[Flowable]:
    m = doc.meta
    block: list[Flowable] = [CondPageBreak(70 * mm), para("Signatures", H2, WIDTH)]
    if doc.signatures:
        col = WIDTH / 2
        cards = [_signature_card(s, col - 12) for s in doc.signatures]
        rows = [cards[i : i + 2] for i in range(0, len(cards), 2)]
        if len(rows[-1]) < 2:
            rows[-1].append([Spacer(1, 1)])
        t = Table(rows, colWidths=[col, col], hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                ]
            )
        )
        block.append(t)
    else:
        block.append(para("No signature recorded.", SMALL, WIDTH))
    block.append(Spacer(1, 8))
    verification = (
        f"This record is digitally signed by {m.worker_name}. "
        + (
            f"The signing certificate was issued by {m.organisation_name or 'your organisation'}."
            if m.organisation_verified
            else UNVERIFIED_NOTE
        )
        + " Check it with: rhi-desktop verify FILE.pdf --ca CA.pem"
    )
    fp = Table(
        [
            [para(verification, SMALL, WIDTH - 16)],
            [para(f"Content fingerprint (SHA-256): {m.content_sha256}", SMALL, WIDTH - 16)],
        ],
        colWidths=[WIDTH],
        hAlign="LEFT",
    )
    fp.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    block.append(fp)
    yield from block


def _cols(*fractions: float) -> list[float]:
    return [WIDTH * f for f in fractions]
