"""Broken forms: every problem is reported, each with its precise message and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rhi_core.forms import FormLoadError, check_file, load_yaml

Errors = Callable[[str], list[str]]
KNOWN_TYPES = (
    "note, text, long_text, integer, decimal, range, date, time, datetime, yes_no, select_one, "
    "select_multiple, rank, scale, acknowledge, image, file, calculate, start, end, today, "
    "deviceid, username, group, repeat"
)

# The header in conftest is 6 lines long, so a body's first line is line 7.


def test_duplicate_name_message(write_form: Callable[[str], Path]) -> None:
    path = write_form(
        """\
        sections:
          - name: s
            label: S
            items:
              - {name: age, type: integer, label: Age}
              - {name: age, type: text, label: Again}
        """
    )
    errors = check_file(path)
    assert [str(e) for e in errors] == [
        f"{path}:12: duplicate name 'age' (first used at {path}:11)"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: txt, label: Q}
            """,
            ["11: question 'q' has an unknown type 'txt' (known: " + KNOWN_TYPES + ")"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: select_one, choices: nowhere, label: Q}
            """,
            ["11: question 'q' uses choice list 'nowhere', which is not defined"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: select_one, label: Q}
            """,
            ["11: question 'q' is a select_one and needs 'choices' (the name of a choice list)"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: q
                    type: text
                    label: Q
                    relevant: ${missing} = 'yes'
            """,
            ["14: question 'q': relevant: ${missing} at column 1 is not a question in this form"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: q
                    type: text
                    label: Q
                    constraint: "string-length(.) > 2 and"
            """,
            ["14: question 'q': constraint: unexpected end of expression at column 25"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: q
                    type: text
                    label: Q
                    relevant: "frobnicate(${q})"
            """,
            ["14: question 'q': relevant: unknown function 'frobnicate()' at column 1"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: q
                    type: text
                    label: Q
                    relevant: "selected(${q})"
            """,
            [
                "14: question 'q': relevant: selected() takes 2 arguments but was given 1 at column 1"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: a, type: calculate, calculate: "${b} + 1"}
                  - {name: b, type: calculate, calculate: "${a} * 2"}
            """,
            [
                "11: question 'a': calculate/relevant expressions depend on each other in a "
                "cycle: a → b → a"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: a, type: text, label: A, relevant: "${a} = 'x'"}
            """,
            [
                "11: question 'a': calculate/relevant expressions depend on each other in a "
                "cycle: a → a"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: a, type: text, lable: A}
            """,
            [
                "11: question 'a' has an unknown attribute 'lable' (known: appearance, calculate, "
                "choice_filter, choices, constraint, constraint_message, default, guidance, hint, "
                "label, label_yp, name, other, other_label, parameters, read_only, relevant, "
                "required, required_message, type, worker_only)",
                "11: question 'a' has no label in the default language 'en'",
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: 2nd, type: text, label: A}
            """,
            ["11: name '2nd' must start with a letter and hold only letters, digits and '_'"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: people
                    type: repeat
                    label: People
                    items:
                      - {name: pname, type: text, label: Name}
                  - {name: first, type: text, label: First, relevant: "${pname} = 'x'"}
            """,
            [
                "16: question 'first': relevant: ${pname} at column 1 is inside repeat 'people'; "
                "only questions in the same repeat can use it (from outside, use sum(), count(), "
                "join() or indexed-repeat() over its entries)"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: n, type: calculate, calculate: "count(${n2})"}
                  - {name: n2, type: text, label: N}
            """,
            [
                "11: question 'n': calculate: count() needs a repeat, like count(${people}) (column 1)"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: text, label: Q, relevant: ". = 'x'"}
            """,
            [
                "11: question 'q': relevant: '.' (this answer) can only be used in a constraint (column 1)"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: text, label: Q, constraint: "regex(., '(')"}
            """,
            [
                "11: question 'q': constraint: invalid regular expression '(': missing ), "
                "unterminated subpattern at position 0 (column 10)"
            ],
        ),
        (
            """\
            choices:
              where:
                - {value: home, label: Home}
                - {value: two words, label: Two}
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: select_multiple, choices: where, label: Q}
            """,
            [
                "10: choice list 'where': value 'two words' must not contain spaces (question "
                "'q' is a select_multiple, whose answers are kept space-separated)"
            ],
        ),
        (
            """\
            choices:
              where:
                - {value: home, label: Home}
                - {value: home, label: {en: Again, fr: Encore}}
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: select_one, choices: where, label: Q}
            """,
            [
                "10: choice list 'where': value 'home' appears twice",
                "10: choice list 'where', value 'home': 'label' uses language 'fr', which the form "
                "does not list",
            ],
        ),
        (
            """\
            sections:
              - name: s
                items:
                  - {name: q, type: text, label: Q}
              - name: s2
                label: Two
                items: []
            """,
            ["13: section 's2' needs a non-empty list of 'items'"],
        ),
        (
            """\
            sections:
              - name: q
                type: text
                label: Q
            """,
            ["9: top-level entries must be sections, not 'text' (put questions inside a section)"],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - name: r1
                    type: repeat
                    label: R1
                    items:
                      - {name: x, type: text, label: X}
                  - {name: y, type: text, label: "Y ${x}"}
            """,
            [
                "16: question 'y': label: ${x} is inside repeat 'r1'; only questions in the same "
                "repeat can use it (from outside, use sum(), count(), join() or indexed-repeat() "
                "over its entries)"
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: yes_no, label: Q}
            risk_flags:
              - code: f
                label: F
                when: "${nope} = 'yes'"
              - code: f
                label: F again
                when: "${q} = 'yes'"
            """,
            [
                "16: risk flag code 'f' is used twice",
                "15: risk flag 'f': when: ${nope} at column 1 is not a question in this form",
            ],
        ),
        (
            """\
            sections:
              - name: s
                label: S
                items:
                  - {name: q, type: note, label: Q, required: true}
                  - {name: c, type: calculate}
                  - {name: d, type: integer, label: D, required: maybe}
            """,
            [
                "11: question 'q' is a note; it cannot be required or calculated",
                "12: question 'c' is a calculate and needs a 'calculate' expression",
                "13: question 'd': 'required' must be yes or no",
            ],
        ),
    ],
)
def test_broken_forms(errors_of: Errors, body: str, expected: list[str]) -> None:
    assert errors_of(body) == expected


def test_all_errors_are_reported_not_just_the_first(errors_of: Errors) -> None:
    errors = errors_of(
        """\
        sections:
          - name: s
            label: S
            items:
              - {name: a, type: widget, label: A}
              - {name: b, type: text}
              - {name: c, type: text, label: C, relevant: "${zzz}"}
        """
    )
    assert errors == [
        "11: question 'a' has an unknown type 'widget' (known: " + KNOWN_TYPES + ")",
        "12: question 'b' has no label in the default language 'en'",
        "13: question 'c': relevant: ${zzz} at column 1 is not a question in this form",
    ]


def test_reference_to_a_broken_item_is_not_reported_twice(errors_of: Errors) -> None:
    errors = errors_of(
        """\
        sections:
          - name: s
            label: S
            items:
              - {name: a, type: widget, label: A}
              - {name: b, type: text, label: B, relevant: "${a} = 'x'"}
        """
    )
    assert len(errors) == 1 and errors[0].startswith("11: question 'a' has an unknown type")


def test_duplicate_yaml_keys(errors_of: Errors) -> None:
    assert errors_of(
        """\
        sections:
          - name: s
            label: S
            label: S again
            items:
              - {name: q, type: text, label: Q}
        """
    ) == ["10: duplicate key 'label' in the same mapping"]


def test_malformed_yaml_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nsections: [\n  {name: a\n", encoding="utf-8")
    errors = check_file(path)
    assert len(errors) == 1
    assert errors[0].place.line == 4
    assert errors[0].message.startswith("this is not valid YAML: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- a\n- b\n", "the file must hold a form: a mapping with id, title, sections..."),
        ("", "the file must hold a form: a mapping with id, title, sections..."),
    ],
)
def test_not_a_form(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(content, encoding="utf-8")
    assert [e.message for e in check_file(path)] == [message]


def test_missing_header_fields(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(
        "languages: [en]\nsections:\n  - {name: s, label: S, items: [{name: q, type: text, label: Q}]}\n",
        encoding="utf-8",
    )
    assert [str(e) for e in check_file(path)] == [
        f"{path}:1: the form has no 'id'",
        f"{path}:1: the form has no 'version'",
        f"{path}:1: the form has no 'title'",
    ]


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert [str(e) for e in check_file(missing)] == [f"{missing}: the file does not exist"]
    other = tmp_path / "form.txt"
    other.write_text("x", encoding="utf-8")
    assert [e.message for e in check_file(other)] == [
        "the file must be a .yaml, .yml, .xlsx or .xls form definition"
    ]


def test_load_error_summarises(write_form: Callable[[str], Path]) -> None:
    path = write_form("sections: []\n")
    with pytest.raises(FormLoadError, match="needs a non-empty list of 'sections'"):
        load_yaml(path)
