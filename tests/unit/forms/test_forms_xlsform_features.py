"""What the XLSForm features do once imported: nested and counted repeats, cascading choices,
${} in labels, metadata, once(), jr:choice-name, the node-set functions, attachments."""

from __future__ import annotations

from datetime import datetime

from rhi_core.forms import completion_problems, evaluate, load_yaml_text
from rhi_core.forms.evaluate import record_title, set_value
from rhi_core.forms.expressions.functions import EAGER

NOW = datetime(2024, 5, 17, 9, 30)
HEADER = """\
id: t
version: "1"
title: Test form
languages:
  - {code: en, name: English}
  - {code: cy, name: Welsh}
"""


def form(body: str):  # noqa: ANN201 - a FormDefinition
    return load_yaml_text(HEADER + body, "t.yaml")


NESTED = form(
    """\
sections:
  - name: away
    label: While away
    items:
      - name: places
        type: repeat
        label: "Place ${place_name}"
        items:
          - {name: place_name, type: text, label: Where, required: true}
          - name: people
            type: repeat
            label: People
            items:
              - {name: person, type: text, label: "Who was at ${place_name}?", required: true}
              - {name: person_age, type: integer, label: Age}
              - name: adult_why
                type: text
                label: Why was an adult there?
                relevant: "${person_age} >= 18"
                required: true
              - {name: entry, type: calculate, calculate: "position(..)"}
          - {name: met_here, type: calculate, calculate: "count(${people})"}
      - {name: places_seen, type: calculate, calculate: "count(${places})"}
      - {name: people_met, type: calculate, calculate: "count(${people})"}
      - {name: oldest, type: calculate, calculate: "max(${person_age})"}
      - {name: ages, type: calculate, calculate: "sum(${person_age})"}
      - {name: who, type: calculate, calculate: "join(', ', ${person})"}
      - {name: first_place, type: calculate, calculate: "indexed-repeat(${place_name}, ${places}, 1)"}
      - name: second_person_of_first
        type: calculate
        calculate: "indexed-repeat(${person}, ${places}, 1, ${people}, 2)"
"""
)

ANSWERS = {
    "places": [
        {
            "place_name": "Flat",
            "people": [
                {"person": "Jay", "person_age": 19},
                {"person": "Kim", "person_age": 15},
            ],
        },
        {"place_name": "Park", "people": [{"person": "Sam", "person_age": 22, "adult_why": "x"}]},
    ]
}


def test_nested_repeats_see_their_own_entry_and_the_ones_around_it() -> None:
    ev = evaluate(NESTED, ANSWERS, now=NOW)
    flat, park = ev.repeats["places"]
    assert flat.values["met_here"] == 2 and park.values["met_here"] == 1
    jay, kim = flat.repeats["people"]
    assert jay.questions["adult_why"].relevant and not kim.questions["adult_why"].relevant
    assert [jay.values["entry"], kim.values["entry"]] == [1, 2]
    assert jay.fill("Who was at ${place_name}?") == "Who was at Flat?"
    assert ev.values["places_seen"] == 2
    assert ev.values["people_met"] == 3
    assert ev.values["oldest"] == 22
    assert ev.values["ages"] == 56
    assert ev.values["who"] == "Jay, Kim, Sam"
    assert ev.values["first_place"] == "Flat"
    assert ev.values["second_person_of_first"] == "Kim"


def test_problems_in_nested_repeats_name_every_level() -> None:
    problems = completion_problems(NESTED, ANSWERS, now=NOW)
    assert [(p.question, p.path) for p in problems] == [
        ("adult_why", (("places", 0), ("people", 0))),
    ]
    problem = problems[0]
    assert (problem.repeat, problem.index, problem.section) == ("people", 0, "away")


def test_set_value_writes_into_a_nested_entry_and_names_the_top_answer() -> None:
    answers: dict = {"places": [{"place_name": "Flat"}]}
    key = set_value(answers, (("places", 0), ("people", 1)), "person", "Lee")
    assert key == "places"
    assert answers["places"][0]["people"] == [{}, {"person": "Lee"}]


COUNTED = form(
    """\
sections:
  - name: family
    label: Family
    items:
      - {name: siblings, type: integer, label: "How many?"}
      - name: sibling
        type: repeat
        label: Brother or sister
        repeat_count: "${siblings}"
        items:
          - {name: sib_name, type: text, label: Name, required: true}
"""
)


def test_a_counted_repeat_has_as_many_entries_as_its_count_says() -> None:
    ev = evaluate(COUNTED, {"siblings": 3, "sibling": [{"sib_name": "Ann"}]}, now=NOW)
    assert ev.counts["sibling"] == 3
    assert [e.questions["sib_name"].value for e in ev.repeats["sibling"]] == ["Ann", "", ""]
    problems = completion_problems(COUNTED, {"siblings": 3, "sibling": [{"sib_name": "Ann"}]})
    assert [(p.question, p.index) for p in problems] == [("sib_name", 1), ("sib_name", 2)]


def test_lowering_the_count_keeps_the_answers_but_not_the_entries() -> None:
    answers = {"siblings": 1, "sibling": [{"sib_name": "Ann"}, {"sib_name": "Bo"}]}
    ev = evaluate(COUNTED, answers, now=NOW)
    assert ev.counts["sibling"] == 1
    assert answers["sibling"][1] == {"sib_name": "Bo"}  # nothing is thrown away
    assert ev.counts == evaluate(COUNTED, {"siblings": "lots"}, now=NOW).counts | {"sibling": 1}


CASCADE = form(
    """\
choices:
  countries:
    - {value: england, label: England}
    - {value: wales, label: Wales}
  cities:
    - {value: london, label: London, columns: {country: england}}
    - {value: leeds, label: Leeds, columns: {country: england}}
    - {value: cardiff, label: Cardiff, columns: {country: wales}}
sections:
  - name: place
    label: Where
    items:
      - {name: country, type: select_one, choices: countries, label: Country}
      - {name: city, type: select_one, choices: cities, label: City, choice_filter: "country=${country}"}
      - name: cities_visited
        type: select_multiple
        choices: cities
        label: Cities
        choice_filter: "country = ${country} or name = 'london'"
"""
)


def test_cascading_selects_offer_only_the_choices_that_fit() -> None:
    ev = evaluate(CASCADE, {"country": "wales"}, now=NOW)
    assert ev.questions["city"].choices == ("cardiff",)
    assert ev.questions["cities_visited"].choices == ("london", "cardiff")
    assert evaluate(CASCADE, {}, now=NOW).questions["city"].choices == ()


def test_an_answer_the_filter_no_longer_offers_is_kept_but_invalid() -> None:
    answers = {"country": "wales", "city": "leeds"}
    ev = evaluate(CASCADE, answers, now=NOW)
    city = ev.questions["city"]
    assert city.value == "leeds" and not city.valid
    assert city.message == "That option does not fit the earlier answers; please choose again."
    assert evaluate(CASCADE, {"country": "england", "city": "leeds"}).questions["city"].valid


LABELS = form(
    """\
choices:
  living:
    - {value: mum, label: {en: Mum, cy: Mam}}
    - {value: carers, label: {en: Foster carers, cy: Gofalwyr maeth}}
sections:
  - name: home
    label: "About ${name}"
    items:
      - {name: name, type: text, label: First name}
      - {name: age, type: integer, label: "How old are you, ${name}?", hint: "${name} is ${age}"}
      - {name: lives_with, type: select_one, choices: living, label: "Who with?"}
      - {name: living, type: calculate, calculate: "jr:choice-name(${lives_with}, '${lives_with}')"}
"""
)


def test_labels_and_hints_show_the_answers_they_name() -> None:
    ev = evaluate(LABELS, {"name": "Jo", "age": 15.0}, now=NOW)
    assert ev.fill("How old are you, ${name}?") == "How old are you, Jo?"
    assert ev.fill("${name} is ${age}") == "Jo is 15"
    assert evaluate(LABELS, {}, now=NOW).fill("About ${name}") == "About "


def test_choice_name_is_the_label_in_the_language_shown() -> None:
    answers = {"lives_with": "carers"}
    assert evaluate(LABELS, answers, now=NOW).values["living"] == "Foster carers"
    assert evaluate(LABELS, answers, now=NOW, language="cy").values["living"] == "Gofalwyr maeth"


META = form(
    """\
instance_name: "concat(${first}, ' seen ', ${today})"
sections:
  - name: s
    label: S
    items:
      - {name: started, type: start}
      - {name: ended, type: end}
      - {name: today, type: today}
      - {name: device, type: deviceid}
      - {name: worker, type: username}
      - {name: first, type: text, label: First name}
      - {name: stamp, type: calculate, calculate: "once(format-date-time(now(), '%Y-%m-%d %H:%M'))"}
"""
)


def test_metadata_comes_from_the_answers_saved_by_the_app_or_now() -> None:
    saved = {
        "started": "2024-05-17T09:00:00",
        "device": "dev-1",
        "worker": "Jane",
        "today": "2024-05-17",
    }
    ev = evaluate(META, saved, now=NOW)
    assert ev.values["started"] == "2024-05-17T09:00:00"
    assert ev.values["device"] == "dev-1" and ev.values["worker"] == "Jane"
    fresh = evaluate(META, {}, now=NOW)
    assert fresh.values["ended"] == "2024-05-17T09:30:00"
    assert fresh.values["today"] == "2024-05-17"
    assert not any(s.total for s in fresh.sections[1:])  # metadata is never asked
    assert fresh.sections[0].total == 1  # only "first"


def test_once_keeps_the_first_value_and_asks_for_it_to_be_saved() -> None:
    ev = evaluate(META, {}, now=NOW)
    assert ev.values["stamp"] == "2024-05-17 09:30"
    assert [(p.path, p.name, p.value) for p in ev.pending] == [((), "stamp", "2024-05-17 09:30")]
    later = evaluate(META, {"stamp": "2024-05-17 09:30"}, now=datetime(2024, 6, 1, 12, 0))
    assert later.values["stamp"] == "2024-05-17 09:30" and later.pending == []


def test_instance_name_is_the_records_title() -> None:
    answers = {"first": "Jo", "today": "2024-05-17"}
    assert record_title(META, answers, now=NOW) == "Jo seen 2024-05-17"
    assert evaluate(META, answers, now=NOW).title == "Jo seen 2024-05-17"


WIDGETS = form(
    """\
choices:
  worries:
    - {value: money, label: Money}
    - {value: school, label: School}
sections:
  - name: s
    label: S
    items:
      - {name: agreed, type: acknowledge, label: I know I can stop, required: true}
      - {name: worry, type: range, label: Worry, parameters: "start=0 end=10 step=2"}
      - {name: ranked, type: rank, choices: worries, label: Order}
      - {name: photo, type: image, label: Photo}
      - {name: report, type: file, label: Report, required: true}
      - {name: note1, type: note, label: "You said ${worry}"}
      - {name: code, type: text, label: Code, appearance: masked hidden, default: x}
      - {name: police, type: yes_no, label: "Police?"}
      - {name: crime_ref, type: text, label: Ref, required: "${police} = 'yes'", required_message: Say the crime reference}
"""
)


def test_acknowledge_range_rank_and_attachments_check_their_answers() -> None:
    good = {"agreed": "OK", "worry": 4, "ranked": ["school", "money"], "report": "att-1"}
    assert completion_problems(WIDGETS, good) == []
    bad = {"agreed": "yes", "worry": 5, "ranked": ["school", "school"], "photo": ""}
    problems = {p.question: p.message for p in completion_problems(WIDGETS, bad)}
    assert problems == {
        "agreed": "Please tick to acknowledge.",
        "worry": "Please choose a number from 0 to 10.",
        "ranked": "Please put the options in order.",
        "report": "Please answer: Report",
    }


def test_hidden_appearance_is_never_asked_and_required_can_be_an_expression() -> None:
    ev = evaluate(WIDGETS, {}, now=NOW)
    assert ev.sections[0].total == 7  # not the hidden "code", not the note
    problems = completion_problems(WIDGETS, {"police": "yes", "agreed": "OK", "report": "a"})
    assert [(p.question, p.message) for p in problems] == [("crime_ref", "Say the crime reference")]


def test_the_functions_xlsform_users_write() -> None:
    f = EAGER
    assert f["substr"]("Return", 0, 3) == "Ret" and f["substr"]("Return", 2) == "turn"
    assert f["substring-before"]("a-b", "-") == "a" and f["substring-after"]("a-b", "-") == "b"
    assert f["translate"]("abc", "ab", "A") == "Ac"
    assert f["normalize-space"]("  a   b ") == "a b"
    assert f["floor"](2.7) == 2.0 and f["ceiling"](2.1) == 3.0 and f["abs"](-3) == 3.0
    assert f["pow"](2, 3) == 8.0 and f["round"](2.345, 2) == 2.35
    assert f["date"](19860.0) == "2024-05-17"
    assert f["decimal-date-time"]("2024-05-17T12:00:00") == 19860.5
    assert f["decimal-time"]("06:00") == 0.25
    assert f["format-date"]("2024-05-07", "%e %b %Y, %a") == "7 May 2024, Tue"
    assert f["format-date-time"]("2024-05-07T09:05:00", "%d/%m/%y %H:%M") == "07/05/24 09:05"
    assert f["selected-at"]("a b c", 1) == "b"
    assert f["boolean-from-string"]("true") is True
    assert f["checklist"](1, 2, "yes", "no", "yes") is True
    assert f["weighted-checklist"](3, -1, "yes", 2, "yes", 2) is True
    assert len(f["uuid"]()) == 36 and len(f["uuid"](8)) == 8
    assert f["ends-with"]("report.pdf", ".pdf") is True
