"""The store -> PDF model mapping, on completed demo interviews."""

from __future__ import annotations

from collections.abc import Callable

from conftest import NOW

from rhi_core.canonical import content_sha256
from rhi_core.forms.evaluate import evaluate
from rhi_core.forms.labels import choice_label, visible_label
from rhi_core.protocol import payload_dict
from rhi_desktop.pdf.document import (
    RUNAWAY_HELPLINE,
    AnswerItem,
    InterviewDocument,
    RepeatTable,
)
from rhi_desktop.services.forms_registry import current_form
from rhi_desktop.services.pdf_export import _answers_tree, build_document
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.record_view import load_record
from rhi_desktop.services.sync_payload import build_payload


def _doc(profile: Profile, interview_id: str) -> InterviewDocument:
    with profile.sessions() as s:
        return build_document(s, interview_id, now=NOW, demo=True)


def _items(doc: InterviewDocument) -> dict[str, str]:
    return {
        i.label: i.answer
        for section in doc.sections
        for i in section.items
        if isinstance(i, AnswerItem)
    }


def test_every_part_of_a_completed_record_is_there(demo_profile: Profile, flagged_id: str) -> None:
    doc = _doc(demo_profile, flagged_id)
    form = current_form()
    assert doc.meta.interview_id == flagged_id and doc.meta.demo
    assert doc.meta.form_id == form.id and doc.meta.form_version == form.version
    assert doc.child.name and doc.child.case_number.startswith("C")
    assert doc.episodes and doc.offers and doc.sessions
    assert any(o.outcome == "accepted" for o in doc.offers)
    # Answers by section, titled with the form's section labels, in form order.
    titles = [s.title for s in doc.sections]
    expected = [visible_label(s, form) for s in form.sections]
    assert titles == [t for t in expected if t in titles]
    assert {"Before you went", "While you were away", "Exploitation indicators"} <= set(titles)
    items = _items(doc)
    assert items["How did they travel?"]  # labelled with the question's label
    # Push and pull factors: the labels of the selected choices, never codes.
    push_labels = {choice_label(c, form) for c in form.choices["push"]}
    pull_labels = {choice_label(c, form) for c in form.choices["pull"]}
    assert doc.push_factors and set(doc.push_factors) <= push_labels
    assert doc.pull_factors and set(doc.pull_factors) <= pull_labels
    # Risk flags: label and prompts from the form.
    cce = next(f for f in doc.risk_flags if "criminal exploitation" in f.label)
    assert "Complete the CCE screening tool" in cce.prompts
    # Safety plan, outcomes, signatures.
    plan = doc.safety_plan
    assert plan.trusted_adults and plan.safe_places and plan.actions and plan.review_date
    assert plan.helplines[0].number == RUNAWAY_HELPLINE.number
    assert doc.outcomes.referrals and doc.outcomes.analysis and doc.outcomes.recommendations
    worker = next(s for s in doc.signatures if s.role == "RHI worker")
    assert worker.png and worker.png.startswith(b"\x89PNG") and worker.signed_at


def test_answers_are_labels_not_codes(demo_profile: Profile, flagged_id: str) -> None:
    doc = _doc(demo_profile, flagged_id)
    items = _items(doc)
    assert items["I explained confidentiality and who the information goes to"] == "Yes"
    assert items["Do they feel safe where they live?"] in {"Yes", "No", "Prefer not to say"}
    assert items["How safe do they feel right now?"].endswith("of 5)")
    answers = " ".join(items.values())
    for code in ("family_conflict", "prefer_not_to_say", "car_someone_drove", "did_jobs"):
        assert code not in answers


def test_questions_that_were_not_relevant_are_left_out(
    demo_profile: Profile, completed_ids: Callable[..., list[str]]
) -> None:
    form = current_form()
    checked = 0
    for interview_id in completed_ids(demo_profile)[:12]:
        with demo_profile.sessions() as s:
            record = load_record(s, interview_id, now=NOW)
            doc = build_document(s, interview_id, now=NOW)
        ev = evaluate(form, _answers_tree(record.answers))
        labels = set(_items(doc))
        for q in form.questions():
            state = ev.questions.get(q.name)
            if q.is_input and state is not None and not state.relevant:
                assert visible_label(q, form) not in labels, q.name
                checked += 1
    assert checked > 20, "the demo answers leave some questions not relevant"


def test_repeats_are_tables_with_their_questions_as_columns(
    demo_profile: Profile, flagged_id: str
) -> None:
    doc = _doc(demo_profile, flagged_id)
    tables = {i.title: i for s in doc.sections for i in s.items if isinstance(i, RepeatTable)}
    assert {"Places", "People"} <= set(tables)
    places = tables["Places"]
    assert places.columns[0] == "Place (name or description)"
    assert places.rows and all(len(r) == len(places.columns) for r in places.rows)
    assert "Kind of place" in places.columns
    kinds = {r[places.columns.index("Kind of place")] for r in places.rows}
    assert kinds and not kinds & {"house_flat", "hotel", "park_street", "shop_takeaway"}


def test_content_hash_is_the_wire_payload_hash(demo_profile: Profile, flagged_id: str) -> None:
    """The fingerprint printed on the PDF is the content_sha256 the revision is synced with."""
    with demo_profile.sessions() as s:
        expected = content_sha256(payload_dict(build_payload(s, flagged_id, 1)))
    doc = _doc(demo_profile, flagged_id)
    assert doc.meta.content_sha256 == expected
    # Printing again later gives the same fingerprint (the record is locked).
    with demo_profile.sessions() as s:
        later = build_document(s, flagged_id, now=NOW.replace(year=2027))
    assert later.meta.content_sha256 == expected


def test_every_completed_demo_interview_maps(
    demo_profile: Profile, completed_ids: Callable[..., list[str]]
) -> None:
    ids = completed_ids(demo_profile)
    assert len(ids) > 20
    for interview_id in ids:
        doc = _doc(demo_profile, interview_id)
        assert doc.sections and doc.sessions and doc.signatures
        assert doc.safety_plan.trusted_adults
        if doc.risk_flags:
            assert doc.outcomes.referrals
