"""The interview record and the child's safety plan, rendered for real and parsed back."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from rhi_desktop.pdf.document import (
    CONTENT_HASH_KEYWORD,
    AnswerItem,
    AnswerSection,
    InterviewDocument,
)
from rhi_desktop.pdf.render import render_interview_pdf, render_safety_plan_pdf

from .conftest import ARABIC_WORDS, TRUSTED_PHONE


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def record(sample: InterviewDocument) -> bytes:
    return render_interview_pdf(sample)


@pytest.fixture(scope="module")
def record_text(record: bytes) -> str:
    return _flat(" ".join(_pages(record)))


def test_every_page_is_marked_and_numbered(record: bytes) -> None:
    pages = _pages(record)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks top and bottom marking"
        assert f"Page {number} of {len(pages)}" in text
        assert "6f1c2b7e-3d4a-4e8b-9a10-52c0d1e2f3a4" in text
        assert "revision 2" in text
        assert "DEMO" not in text


def test_demo_watermark_on_every_page(demo_sample: InterviewDocument) -> None:
    pages = _pages(render_interview_pdf(demo_sample))
    assert pages and all("DEMO" in text for text in pages)


@pytest.mark.parametrize(
    "expected",
    [
        # title, child and episodes
        "Return Home Interview",
        "Jordan Okafor-Haddad",
        "NS-204817",
        "14 Feb 2010",
        "Looked after (child in care)",
        "Placed out of area",
        "Tom Ellery",
        "Away without authorisation",
        "NP-25-118204",
        "British Transport Police",
        "High",
        # offers and consent
        "Already spoke to the police",
        "Declined by child",
        "Carer shared: Came back with a new phone",
        "Accepted",
        "Child chose a later time",
        # sessions
        "Café near school",
        "55 min",
        # answers and the repeat table
        "Before you left",
        "Why did you leave?",
        "Argument at the placement about my phone.",
        "While you were away",
        "People you were with",
        "@deeks_lds",
        "07700 900456",
        "Picked them up twice",
        "In your own words",
        # factors and risk
        "Placement unhappiness",
        "Online contact",
        "Child criminal exploitation (CCE) / county lines",
        "Unexplained money or new phone",
        # safety plan
        "Auntie Mariam",
        TRUSTED_PHONE,
        "The youth club on Tuesdays",
        "Messages from Deeks",
        "Arrange weekly contact with mum",
        "116 000",
        "Runaway Helpline",
        "10 Jul 2025",
        # outcomes and referrals
        "MACE / Complex Adolescent Panel",
        "Information shared with police",
        "Follow-up 1:1 work",
        "high risk of criminal exploitation",
        "Discuss at MACE",
        "Report shared with the social worker: 13 Jun 2025",
        # signatures and verification note
        "Priya Natarajan",
        "Young person",
        "Signed 12 Jun 2025, 16:01",
        "not verified by your organisation",
    ],
)
def test_every_section_content_is_in_the_text(record_text: str, expected: str) -> None:
    assert expected in record_text


def test_signature_images_are_embedded(record: bytes) -> None:
    images = [img for page in PdfReader(io.BytesIO(record)).pages for img in page.images]
    assert len(images) == 2


def test_content_hash_in_metadata_and_visible(sample: InterviewDocument, record: bytes) -> None:
    reader = PdfReader(io.BytesIO(record))
    keywords = str(reader.metadata.get("/Keywords"))
    assert keywords == CONTENT_HASH_KEYWORD + sample.meta.content_sha256
    assert sample.meta.content_sha256 in _flat(" ".join(_pages(record)))


def test_verified_identity_drops_the_local_certificate_note() -> None:
    from .conftest import build_sample

    text = _flat(" ".join(_pages(render_interview_pdf(build_sample(verified=True)))))
    assert "not verified by your organisation" not in text
    assert "issued by Northshire County Council" in text


def test_arabic_words_extract_in_logical_order(record_text: str) -> None:
    # The PDF holds shaped presentation forms in visual (drawing) order, as every PDF without
    # ActualText does; pypdf's extraction reorders RTL runs back to logical order. Folding the
    # presentation forms with NFKC gives back exactly the words the child said.
    folded = unicodedata.normalize("NFKC", record_text)
    assert ARABIC_WORDS in folded


def test_not_relevant_questions_are_absent(sample: InterviewDocument) -> None:
    from dataclasses import replace

    doc = replace(
        sample,
        sections=(AnswerSection("Only this", (AnswerItem("Asked question", "Answer given"),)),),
    )
    text = _flat(" ".join(_pages(render_interview_pdf(doc))))
    assert "Asked question" in text
    assert "Why did you leave?" not in text


def test_markup_characters_are_printed_not_interpreted(sample: InterviewDocument) -> None:
    from dataclasses import replace

    tricky = "Said <b>'no'</b> & left; 5 < 6 > 4"
    doc = replace(sample, sections=(AnswerSection("Words", (AnswerItem("Quote", tricky),)),))
    assert tricky in _flat(" ".join(_pages(render_interview_pdf(doc))))


def test_safety_plan_is_one_page_with_the_trusted_adults_number(
    sample: InterviewDocument,
) -> None:
    pages = _pages(render_safety_plan_pdf(sample))
    assert len(pages) == 1
    text = _flat(pages[0])
    assert "My safety plan" in text
    assert TRUSTED_PHONE in text
    assert "116 000" in text
    assert "Auntie Mariam's house" in text
    assert "OFFICIAL-SENSITIVE" in text


def test_safety_plan_in_the_childs_language(sample: InterviewDocument) -> None:
    pages = _pages(render_safety_plan_pdf(sample, language="ar"))
    assert len(pages) == 1
    text = unicodedata.normalize("NFKC", _flat(pages[0]))
    assert "خطة سلامتي" in text
    assert TRUSTED_PHONE in text


def test_safety_plan_falls_back_to_english(sample: InterviewDocument) -> None:
    text = _flat(_pages(render_safety_plan_pdf(sample, language="pl"))[0])
    assert "My safety plan" in text


def test_long_safety_plan_still_fits_one_page(sample: InterviewDocument) -> None:
    from dataclasses import replace

    plan = replace(
        sample.safety_plan,
        safe_places=tuple(f"Safe place number {i} with a longer description" for i in range(40)),
    )
    pdf = render_safety_plan_pdf(replace(sample, safety_plan=plan))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_wrapped_rtl_paragraph_keeps_its_first_words_on_the_first_line() -> None:
    from bidi import get_display

    from rhi_desktop.pdf.fonts import REGULAR, register_fonts
    from rhi_desktop.pdf.text import rtl_lines

    register_fonts()
    words = " ".join([ARABIC_WORDS] * 6)
    lines = rtl_lines(words, REGULAR, 10, 120)
    assert len(lines) > 2
    # Undo the display reordering of the first line: it must hold the paragraph's first word.
    first_logical = unicodedata.normalize("NFKC", get_display(lines[0]))
    assert first_logical.split()[0] == ARABIC_WORDS.split()[0]
