"""The shipped rhi-v1 questionnaire and its risk flags."""

from __future__ import annotations

from rhi_core.forms import (
    builtin_path,
    check_file,
    completion_problems,
    compute_risk_flags,
    load_builtin,
    text_in,
    visible_label,
)
from rhi_core.forms.plan import plan_of


def test_rhi_v1_passes_check() -> None:
    assert check_file(builtin_path("rhi-v1")) == []


def test_rhi_v1_shape() -> None:
    form = load_builtin("rhi-v1")
    assert (form.id, form.default_language) == ("rhi-v1", "en")
    assert [lang.code for lang in form.languages] == ["en", "ar"]
    assert form.direction("ar") == "rtl"
    assert 60 <= sum(1 for _ in form.questions()) <= 90
    assert [s.name for s in form.sections] == [
        "before_you_went",
        "while_away",
        "coming_back",
        "push_factors",
        "pull_factors",
        "safety_health",
        "exploitation",
        "places_people",
        "own_words",
    ]
    assert {r.name for r, _ in form.walk() if getattr(r, "kind", "") == "repeat"} == {
        "places",
        "people",
        "vehicles",
    }
    assert [c.face for c in form.choices["faces_5"]] == ["😢", "🙁", "😐", "🙂", "😄"]


def test_child_facing_text_of_the_first_two_sections_and_own_words_is_in_arabic() -> None:
    form = load_builtin()
    for section in ("before_you_went", "while_away", "own_words"):
        for item, _ in form.walk():
            if plan_of(form).section_of.get(item.name) != section or getattr(
                item, "worker_only", False
            ):
                continue
            if item.label:
                assert "ar" in item.label, item.name
    where = form.item("where_went")
    assert visible_label(where, form, "ar", young_person_mode=True).startswith("إلى أين ذهبت")
    # No Arabic for "Coming back" questions: English is shown instead.
    assert visible_label(form.item("how_back"), form, "ar") == "How did they come back?"


def test_follow_up_questions_are_relevant_only_after_yes() -> None:
    form = load_builtin()
    from rhi_core.forms import evaluate

    assert evaluate(form, {}).questions["hurt_details"].relevant is False
    assert evaluate(form, {"hurt": "yes"}).questions["hurt_details"].relevant is True
    assert evaluate(form, {"hurt": "prefer_not_to_say"}).questions["hurt_details"].relevant is False


def test_completion_needs_the_required_answers() -> None:
    form = load_builtin()
    missing = {p.question for p in completion_problems(form, {}) if p.kind == "required"}
    assert missing == {
        "confidentiality_explained",
        "where_went",
        "what_would_help",
        "stop_going_missing",
        "helpline_given",
    }


def test_risk_flags() -> None:
    form = load_builtin()
    assert compute_risk_flags(form, {}) == []
    flags = compute_risk_flags(
        form,
        {
            "cce_several_phones": "yes",
            "trafficking": "yes",
            "episodes_30_days": 3,
            "slept_where": ["outside"],
        },
    )
    assert [f.code for f in flags] == ["cce", "trafficking", "repeat_missing", "sleeping_rough"]
    trafficking = flags[1]
    assert [text_in(p, form, "en") for p in trafficking.prompts] == [
        "Make an NRM referral (the council is a first responder; the child's consent is not needed)",
        "Consider a strategy meeting",
    ]
    assert "Consider an NRM referral (the child's consent is not needed)" in [
        text_in(p, form, "en") for p in flags[0].prompts
    ]


def test_risk_flags_ignore_answers_that_no_longer_apply() -> None:
    form = load_builtin()
    # "given_substances" only counts when drugs/alcohol were used; hurt_details never flags.
    assert [f.code for f in compute_risk_flags(form, {"hurt": "no", "hurt_details": "x"})] == []
