"""Relevance, calculations, constraints, required answers, repeats and progress."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from rhi_core.forms import (
    FormDefinition,
    FormState,
    completion_problems,
    evaluate,
    load_yaml_text,
    text_direction,
    visible_label,
    worker_guidance,
)

NOW = datetime(2024, 5, 17, 9, 0)
HEADER = """\
id: t
version: "1"
title: Test form
languages:
  - {code: en, name: English}
  - {code: ar, name: Arabic}
"""

BODY = """\
choices:
  where:
    - {value: home, label: Home}
    - {value: friend, label: {en: "A friend's", ar: "عند صديق"}}
    - {value: other, label: Other}
sections:
  - name: s1
    label: {en: One, ar: واحد}
    items:
      - name: age
        type: integer
        label: Age
        label_yp: {en: "How old are you?"}
        guidance: Ask gently.
        required: true
        constraint: ". >= 5 and . < 19"
        constraint_message: {en: Age must be 5 to 18, ar: العمر من 5 إلى 18}
      - {name: went, type: yes_no, label: Went}
      - name: where
        type: select_multiple
        choices: where
        other: true
        label: Where
        required: true
        relevant: "${went} = 'yes'"
      - {name: n, type: calculate, calculate: "count-selected(${where}) + count(${people})"}
      - name: grp
        type: group
        relevant: "${age} > 12"
        items:
          - {name: teen_q, type: text, label: Teen, required: true}
      - name: pattern
        type: text
        label: Pattern
      - name: probe
        type: text
        label: Probe
        constraint: "regex(., ${pattern})"
  - name: s2
    label: Two
    relevant: "${went} = 'yes'"
    items:
      - name: people
        type: repeat
        label: People
        items:
          - {name: pname, type: text, label: Name, required: true}
          - name: page
            type: integer
            label: Their age
            constraint: ". > ${age}"
          - {name: adult, type: calculate, calculate: "${page} >= 18"}
          - {name: adult_note, type: text, label: Why, relevant: "${adult}"}
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return load_yaml_text(HEADER + BODY, "f.yaml")


def test_unanswered_form_only_asks_for_required_relevant_answers(form: FormDefinition) -> None:
    ev = evaluate(form, {}, now=NOW)
    assert ev.questions["age"].required_missing is True
    assert ev.questions["where"].relevant is False
    assert ev.questions["where"].required_missing is False
    assert ev.groups == {"s1": True, "grp": False, "s2": False, "people": False}
    assert ev.questions["teen_q"].relevant is False
    assert [(p.kind, p.question, p.section) for p in ev.problems(form)] == [
        ("required", "age", "s1")
    ]


def test_relevance_constraint_and_calculation(form: FormDefinition) -> None:
    answers = {
        "age": 14,
        "went": "yes",
        "where": ["home", "other"],
        "where_other": "the park",
        "people": [{"pname": "Jay", "page": 19}, {"page": 10}],
    }
    ev = evaluate(form, answers, now=NOW)
    assert ev.questions["where_other"].relevant is True
    assert ev.questions["n"].value == 4  # two choices + two people
    assert ev.groups["grp"] is True and ev.questions["teen_q"].required_missing is True
    first, second = ev.repeats["people"]
    assert first.questions["adult"].value is True
    assert first.questions["adult_note"].relevant is True
    assert second.questions["adult_note"].relevant is False
    assert second.questions["pname"].required_missing is True
    assert second.questions["page"].valid is False  # must be older than the child (14)
    problems = completion_problems(form, answers, now=NOW)
    assert [(p.kind, p.question, p.repeat, p.index) for p in problems] == [
        ("required", "teen_q", None, None),
        ("required", "pname", "people", 1),
        ("invalid", "page", "people", 1),
    ]


def test_constraint_message_in_the_chosen_language(form: FormDefinition) -> None:
    state = evaluate(form, {"age": 30}, language="ar").questions["age"]
    assert (state.valid, state.message) == (False, "العمر من 5 إلى 18")
    assert evaluate(form, {"age": 30}).questions["age"].message == "Age must be 5 to 18"


def test_wrong_answer_types_are_invalid_not_crashes(form: FormDefinition) -> None:
    ev = evaluate(form, {"age": "twelve", "went": "maybe", "where": "home"})
    assert ev.questions["age"].message == "Please enter a whole number."
    assert ev.questions["went"].message == "Please choose one of the options."
    assert ev.questions["where"].relevant is False  # "maybe" is not "yes"


def test_non_relevant_answers_are_kept_but_not_used(form: FormDefinition) -> None:
    answers = {"went": "no", "where": ["home"]}
    ev = evaluate(form, answers)
    assert ev.questions["where"].value == ""
    assert ev.questions["n"].value == 0
    assert answers == {"went": "no", "where": ["home"]}  # evaluation never edits answers


def test_runtime_expression_error_is_flagged_not_raised(form: FormDefinition) -> None:
    ev = evaluate(form, {"age": 10, "pattern": "(", "probe": "x"})
    probe = ev.questions["probe"]
    assert probe.valid is True
    assert probe.value == "x"
    assert probe.error is not None and "invalid regular expression '('" in probe.error
    problems = completion_problems(form, {"age": 10, "pattern": "(", "probe": "x"})
    assert [(p.kind, p.question) for p in problems] == [("error", "probe")]


def test_garbage_answers_never_raise(form: FormDefinition) -> None:
    ev = evaluate(form, {"age": [1], "went": {"x": 1}, "people": "nope"})  # type: ignore[dict-item]
    assert ev.repeats["people"] == []
    evaluate(form, None)  # type: ignore[arg-type]


def test_section_progress_counts_relevant_inputs(form: FormDefinition) -> None:
    ev = evaluate(form, {"age": 10, "went": "yes", "people": [{"pname": "A"}]})
    s1, s2 = ev.sections
    # s1: age, went, where, where_other(not relevant), teen_q(not relevant), pattern, probe
    assert (s1.name, s1.answered, s1.total) == ("s1", 2, 5)
    # s2: one person: pname, page (adult_note not relevant)
    assert (s2.name, s2.relevant, s2.answered, s2.total) == ("s2", True, 1, 2)


def test_labels_languages_and_young_person_wording(form: FormDefinition) -> None:
    age = form.item("age")
    s1 = form.item("s1")
    assert visible_label(age, form, "en", young_person_mode=True) == "How old are you?"
    assert visible_label(age, form, "ar", young_person_mode=True) == "How old are you?"
    assert visible_label(age, form, "ar") == "Age"  # falls back to English
    assert visible_label(s1, form, "ar") == "واحد"
    assert worker_guidance(age, form) == "Ask gently."
    assert text_direction(form, "ar") == "rtl"
    assert text_direction(form, "en") == "ltr"


def test_formstate_alias(form: FormDefinition) -> None:
    assert FormState.evaluate(form, {"age": 6}).questions["age"].valid is True


def _big_form(questions: int = 200) -> FormDefinition:
    lines = ["sections:"]
    per_section = 20
    n = 0
    for s in range(questions // per_section):
        lines += [f"  - name: s{s}", f"    label: S{s}", "    items:"]
        for _ in range(per_section - 5 if s == 0 else per_section):
            rel = f"\"${{q{n - 1}}} != 'skip'\"" if n else '"true()"'
            lines.append(
                f"      - {{name: q{n}, type: text, label: Q{n}, required: true, relevant: {rel}, "
                f'constraint: "string-length(.) < 50"}}'
            )
            n += 1
        if s == 0:
            lines += [
                "      - name: rep",
                "        type: repeat",
                "        label: Rep",
                "        items:",
                '          - {name: r_a, type: text, label: A, constraint: "string-length(.) > 0"}',
                "          - {name: r_b, type: integer, label: B, relevant: \"${r_a} != ''\"}",
                '          - {name: r_c, type: calculate, calculate: "${r_b} * 2 + count(${rep})"}',
                "          - {name: r_d, type: yes_no, label: D, relevant: \"${q0} = 'x'\"}",
                "          - {name: r_e, type: text, label: E, required: true}",
            ]
    return load_yaml_text(HEADER + "\n".join(lines) + "\n", "big.yaml")


def test_a_200_question_50_instance_form_evaluates_fast() -> None:
    form = _big_form()
    answers: dict = {f"q{i}": "x" for i in range(200)}
    answers["rep"] = [{"r_a": "a", "r_b": i, "r_d": "yes", "r_e": "e"} for i in range(50)]
    evaluate(form, answers)  # warm up
    runs = 20
    start = time.perf_counter()
    for _ in range(runs):
        ev = evaluate(form, answers, now=NOW)
    per_run_ms = (time.perf_counter() - start) * 1000 / runs
    assert ev.repeats["rep"][3].questions["r_c"].value == 56
    assert per_run_ms < 20, f"{per_run_ms:.1f} ms"
