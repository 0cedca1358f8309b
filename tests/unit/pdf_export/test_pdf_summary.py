"""Issue 12 item 10: a PDF a Missing Lead can read in one minute.

The story's record (Kayla, 17, met an older man online, hit at home) is made through the
services, completed and sealed, exported signed, and read back with pypdf: page 1 is the
summary; unanswered questions are listed once, at the end, not as rows of "Not answered".
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import NOW, WORKER
from pypdf import PdfReader

from rhi_core.domain.codes import EpisodeCategory, OfferMethod, OfferOutcome, SignatureRole
from rhi_desktop.services import (
    answers,
    finish,
    interview_flow,
    offers,
    outcomes,
    safety_plans,
    sessions,
    signatures,
)
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.demo_profile import signature_drawing
from rhi_desktop.services.forms_registry import current_form
from rhi_desktop.services.pdf_export import export_signed_pdf
from rhi_desktop.services.profiles import Profile

RETURNED = NOW - timedelta(hours=30)


@pytest.fixture
def record(profile: Profile) -> str:
    form = current_form()
    strokes, png = signature_drawing(0)  # a real drawn signature, as the demo has
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="C912", first_name="Kayla", last_name="Morgan", dob=date(2008, 11, 2)
            ),
            actor=WORKER,
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, RETURNED - timedelta(days=2), RETURNED),
            actor=WORKER,
            now=NOW,
        )
        iid = interview_flow.start_or_resume(s, child.id, form, actor=WORKER, now=NOW)
        offers.record_offer(
            s,
            iid,
            offers.OfferInput(
                RETURNED + timedelta(hours=2), OfferMethod.PHONE, OfferOutcome.ACCEPTED
            ),
            actor=WORKER,
            now=NOW,
        )
        sessions.record_session(
            s,
            iid,
            sessions.SessionInput(
                RETURNED + timedelta(hours=20), 50, "Her school", ("social_worker",), True, True
            ),
            actor=WORKER,
            now=NOW,
        )
        answers.save_answers(
            s,
            iid,
            1,
            {
                "confidentiality_explained": "yes",
                "contacted_before": "yes",
                "contacted_how": ["social_media"],
                "where_went": "Birmingham, to meet a man she met on Snapchat",
                "safe_where_live": "no",
                "push_reasons": ["abuse_neglect"],
                "push_details": "She says her stepdad hits her when he drinks.",
                "what_would_help": "Living with my aunt",
                "stop_going_missing": "If I could stay at my aunt's",
                "helpline_given": "yes",
            },
            now=NOW,
        )
        # Typed by Kayla herself, in young-person mode.
        answers.save_answers(
            s, iid, 1, {"own_words_text": "I thought he loved me."}, now=NOW, author="young_person"
        )
        safety_plans.add_item(
            s,
            iid,
            safety_plans.PlanItemInput.trusted_adult("Aunt Mel", "Aunt", "07700 900461"),
            actor=WORKER,
            now=NOW,
        )
        outcomes.save_outcomes(
            s,
            iid,
            [outcomes.ReferralInput("mace", NOW.date(), "For the next panel")],
            outcomes.OutcomesInput("Groomed online; abuse at home.", "Strategy meeting."),
            actor=WORKER,
            now=NOW,
        )
        outcomes.set_flag_decision(
            s,
            iid,
            "child_protection",
            "Her social worker is holding a strategy meeting today.",
            actor=WORKER,
            now=NOW,
        )
        signatures.sign(
            s,
            iid,
            signatures.SignatureInput(SignatureRole.WORKER, WORKER, strokes, png),
            actor=WORKER,
            now=NOW,
        )
    done = finish.finish_interview(profile, iid, now=NOW)
    assert done.sealed, done.problem
    return iid


def _pages(path: Path) -> list[str]:
    reader = PdfReader(path)
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]


def test_page_one_is_the_summary(profile: Profile, record: str, tmp_path: Path) -> None:
    out = export_signed_pdf(profile, record, tmp_path / "rhi.pdf", now=NOW).path
    pages = _pages(out)
    first = " ".join(pages[0].split())
    for heading in (
        "Summary",
        "Risk flags and what was done",
        "The child's own words",
        "Safety plan",
        "Referrals",
        "Worker's analysis",
    ):
        assert heading in first, heading
    assert "Kayla Morgan, 17" in first
    assert "Possible abuse or neglect at home (child protection)" in first
    assert "Referred: MACE / Complex Adolescent Panel" in first  # what was done about it
    assert "No referral: Her social worker is holding a strategy meeting today." in first
    assert "“I thought he loved me.”" in first
    assert "(typed by the young person)" in first  # the child's own words marked as theirs
    assert "Aunt Mel" in first and "Groomed online; abuse at home." in first
    # Push and pull factors from the answers that carry them, not only the tick lists.
    assert "Does not feel safe where they live" in first
    assert "Someone asked them to come out or meet up" in first


def test_unanswered_questions_are_listed_once_at_the_end(
    profile: Profile, record: str, tmp_path: Path
) -> None:
    out = export_signed_pdf(profile, record, tmp_path / "rhi.pdf", now=NOW).path
    text = " ".join(" ".join(_pages(out)).split())
    # No "Not answered" rows; one list, with its count, at the end.
    assert text.count("Not answered") == 1
    end = text[text.index("Not answered (") :]
    assert "How many nights were they away" in end
    assert "How many nights were they away" not in text[: text.index("Not answered (")]
    assert "questions that applied were left unanswered: listed at the end" in text
