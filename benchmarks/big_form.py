"""A generated "big" questionnaire: 200 questions over 10 sections with relevance expressions,
plus a repeat (4 questions an entry) in the first section; and a complete set of answers for it
with 50 repeat entries. Synthetic text only (no child data).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

FORM_ID = "bench-big"
FORM_VERSION = "1"
SECTIONS = 10
PER_SECTION = 20  # 10 x 20 = 200 questions
REPEAT = "people"
REPEAT_ENTRIES = 50

# Question kinds cycle within each section; q0 of a section is the yes/no the others hang on.
_KINDS = ("yes_no", "text", "select_one", "integer", "long_text", "select_multiple", "date")


def _kind(i: int) -> str:
    return "yes_no" if i == 0 else _KINDS[i % len(_KINDS)]


def questions() -> list[tuple[str, str, int, int]]:
    """(name, type, section, index in section) of the 200 top-level questions."""
    return [(f"s{s}_q{i}", _kind(i), s, i) for s in range(SECTIONS) for i in range(PER_SECTION)]


def form_yaml() -> str:
    lines = [
        f"id: {FORM_ID}",
        f'version: "{FORM_VERSION}"',
        "title: Bench big form",
        "languages:",
        "  - {code: en, name: English}",
        "choices:",
        "  colours:",
        *[f"    - {{value: c{k}, label: Choice {k}}}" for k in range(6)],
        "  relation:",
        *[f"    - {{value: r{k}, label: Relation {k}}}" for k in range(5)],
        "sections:",
    ]
    for s in range(SECTIONS):
        lines += [f"  - name: sec{s}", f"    label: Section {s}", "    items:"]
        if s == 0:
            lines += [
                f"      - name: {REPEAT}",
                "        type: repeat",
                "        label: People",
                "        items:",
                "          - {name: person_name, type: text, label: Name, required: true}",
                "          - {name: person_age, type: integer, label: Age,"
                " constraint: '. >= 0 and . < 120'}",
                "          - {name: person_rel, type: select_one, label: Relation,"
                " choices: relation}",
                "          - {name: person_note, type: long_text, label: Note,"
                " relevant: \"${person_rel} = 'r1'\"}",
            ]
        for name, kind, _sec, i in questions()[s * PER_SECTION : (s + 1) * PER_SECTION]:
            attrs = [f"name: {name}", f"type: {kind}", f"label: Question {name}"]
            if kind in ("select_one", "select_multiple"):
                attrs.append("choices: colours")
            if i == 1:
                attrs.append("required: true")
            if i > 0 and i % 2 == 0:  # half the section depends on its first answer
                attrs.append(f"relevant: \"${{s{s}_q0}} = 'yes'\"")
            elif i > 0 and i % 5 == 0:
                attrs.append(f'relevant: "${{s{s}_q3}} > 2 or count(${{{REPEAT}}}) > 10"')
            lines.append("      - {" + ", ".join(attrs) + "}")
    return "\n".join(lines) + "\n"


def answers(seed: int = 0) -> dict[str, Any]:
    """Every question answered, and 50 repeat entries."""
    out: dict[str, Any] = {}
    for name, kind, s, i in questions():
        if kind == "yes_no":
            out[name] = "yes"
        elif kind == "text":
            out[name] = f"Answer {s}-{i}-{seed}"
        elif kind == "long_text":
            out[name] = f"A longer answer for {s}-{i}. " * 6
        elif kind == "select_one":
            out[name] = f"c{(s + i + seed) % 6}"
        elif kind == "select_multiple":
            out[name] = [f"c{k}" for k in range(6) if (s + i + k) % 2]
        elif kind == "integer":
            out[name] = (s * 7 + i + seed) % 17
        elif kind == "date":
            out[name] = (date(2026, 1, 1) + timedelta(days=s + i)).isoformat()
    out[REPEAT] = [
        {
            "person_name": f"Person {k}",
            "person_age": 14 + k % 30,
            "person_rel": f"r{k % 5}",
            "person_note": f"Note {k}" if k % 5 == 1 else "",
        }
        for k in range(REPEAT_ENTRIES)
    ]
    return out


def add_interview(profile: Any, n: int, now: datetime, worker: str) -> str:
    """A child with a return and a draft interview on the big form (published to the profile
    first if needed), every answer stored; returns the interview id."""
    from sqlalchemy import select

    from rhi_core.domain.codes import EpisodeCategory
    from rhi_desktop.services import answers as answer_service
    from rhi_desktop.services import interview_flow
    from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
    from rhi_desktop.services.forms_registry import get_form, store_published_form
    from rhi_desktop.store.models import FormVersion

    returned = now - timedelta(days=1)
    with profile.transaction() as s:
        known = s.scalar(
            select(FormVersion.id).where(
                FormVersion.form_id == FORM_ID, FormVersion.version == FORM_VERSION
            )
        )
        if known is None:
            store_published_form(s, form_yaml(), published_at=now)
    with profile.transaction() as s:
        form = get_form(FORM_ID, FORM_VERSION, s)
        child = add_child(
            s,
            NewChild(
                local_id=f"B{n:05d}",
                first_name="Bench",
                last_name=f"Child{n}",
                dob=date(2011, 2, 3),
            ),
            actor=worker,
            today=returned.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, returned - timedelta(hours=20), returned),
            actor=worker,
            now=returned,
        )
        iid = interview_flow.start_or_resume(s, child.id, form, actor=worker, now=now)
        answer_service.save_answers(s, iid, 1, answers(n), now, section="sec0")
    return iid
