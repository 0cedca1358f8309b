"""Answers as a person reads them: codes as their labels, yes/no spelled out, dates in words.

Shared by everything that prints or shows a record (the PDF, its page-1 summary, the read-back
before completing), so an answer reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

from rhi_core.forms.labels import choice_label
from rhi_core.forms.schema import FormDefinition, Question

__all__ = [
    "NOT_ANSWERED",
    "answers_tree",
    "choice_text",
    "codes",
    "empty",
    "format_answer",
    "other_value",
]

# The record is for professionals: "I'd rather not say" (the child's wording) reads as this.
_YES_NO = {
    "yes": "Yes",
    "no": "No",
    "prefer_not_to_say": "Prefer not to say",
    "not_known": "Not known",
}
NOT_ANSWERED = "Not answered"


def answers_tree(stored: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The forms engine's answers shape from the store's ``{repeat_path: {question: value}}``.

    Autosave keeps a repeat as one top-level row holding its list of instances; rows under a
    ``"repeat/N"`` path (older data) are folded into that list so either shape prints.
    """
    out: dict[str, Any] = dict(stored.get("", {}))
    for path, values in sorted(stored.items()):
        if not path:
            continue
        name, _, index = path.partition("/")
        if not index.isdigit():
            continue
        instances = out.setdefault(name, [])
        if not isinstance(instances, list):
            continue
        i = int(index)
        while len(instances) <= i:
            instances.append({})
        if isinstance(instances[i], dict):
            instances[i] = {**instances[i], **values}
    return out


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def format_answer(q: Question, value: Any, form: FormDefinition, other_text: Any = None) -> str:
    """An answer as the worker should read it: codes as their labels, yes/no spelled out."""
    if empty(value):
        return NOT_ANSWERED
    if q.type == "yes_no":
        return _YES_NO.get(str(value), str(value))
    if q.type in ("select_one", "select_multiple", "scale"):
        return "; ".join(choice_text(q, c, form, other_text) for c in codes(q, value, form))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if q.type == "date":
        return iso_date(value)
    if q.type == "datetime":
        return iso_datetime(value)
    if q.type == "time":
        return iso_time(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def codes(q: Question, value: Any, form: FormDefinition) -> list[str]:
    """Selected codes in the choice list's order, so the same answer always reads the same."""
    codes = [str(c) for c in (value if isinstance(value, list) else [value])]
    order = {c.value: n for n, c in enumerate(form.choices.get(q.choices or "", ()))}
    return sorted(codes, key=lambda c: order.get(c, len(order)))


def choice_text(q: Question, code: str, form: FormDefinition, other_text: Any) -> str:
    choices = form.choices.get(q.choices or "", ())
    if q.type == "scale" and not choices:
        choices = form.choices.get("faces_5", ())
    choice = next((c for c in choices if c.value == code), None)
    text = choice_label(choice, form) if choice else code
    if q.type == "scale":
        text = f"{text} ({code} of {len(choices)})" if choices else code
    if code == "other" and not empty(other_text):
        text = f"{text}: {other_text}"
    return text


def iso_date(value: Any) -> str:
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {d:%b %Y}"


def iso_datetime(value: Any) -> str:
    try:
        d = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if d.tzinfo is not None:
        d = d.astimezone()
    return f"{d.day} {d:%b %Y, %H:%M}"


def iso_time(value: Any) -> str:
    try:
        return f"{dtime.fromisoformat(str(value)):%H:%M}"
    except ValueError:
        return str(value)


def other_value(q: Question, values: Mapping[str, Any], raw: Mapping[str, Any]) -> Any:
    if not q.other:
        return None
    value = values.get(q.other_name)
    return raw.get(q.other_name) if empty(value) else value
