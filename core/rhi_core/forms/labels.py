"""Choosing the text to show: language fallback, young-person wording, and ``${name}``
filled in with answers."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from rhi_core.forms.schema import Choice, FormDefinition, Group, Question, Text

_REF = re.compile(r"\$\{\s*([^}\s]+)\s*\}")


def show_value(value: Any) -> str:
    """An answer as text inside a label: as ODK shows it (the value; a selection's codes)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, list):
        return " ".join(show_value(v) for v in value)
    return str(value)


def interpolate(text: str, lookup: Callable[[str], Any]) -> str:
    """``text`` with every ``${name}`` replaced by ``lookup(name)`` (empty when unanswered)."""
    if "${" not in text:
        return text
    return _REF.sub(lambda m: show_value(lookup(m[1])), text)


def has_refs(text: str) -> bool:
    return "${" in text


def language_shown(text: Text, form: FormDefinition, language: str | None) -> str | None:
    """The language ``text_in`` will actually use, so the UI can set the text direction."""
    for code in (language, form.default_language, "en"):
        if code and text.get(code):
            return code
    return next(iter(text), None)


def text_in(text: Text, form: FormDefinition, language: str | None) -> str:
    """``text`` in ``language``, falling back to the form's default language, then English,
    then any language at all (a missing translation must never show an empty label)."""
    if not text:
        return ""
    for code in (language, form.default_language, "en"):
        if code and text.get(code):
            return text[code]
    return next(iter(text.values()))


def visible_label(
    item: Question | Group,
    form: FormDefinition,
    language: str | None = None,
    young_person_mode: bool = False,
) -> str:
    """The label to show. In young-person mode the young-person wording wins when the form has
    it in the requested language or a fallback; otherwise the standard label."""
    if young_person_mode and item.label_yp:
        # A standard label in the child's own language beats young-person wording in English.
        if language and language not in item.label_yp and item.label.get(language):
            return item.label[language]
        return text_in(item.label_yp, form, language)
    shown = text_in(item.label, form, language)
    if not shown and isinstance(item, Group):
        return item.name.replace("_", " ").capitalize()  # XLSForm groups may have no label
    return shown


def visible_hint(item: Question | Group, form: FormDefinition, language: str | None = None) -> str:
    return text_in(item.hint, form, language)


def worker_guidance(item: Question | Group, form: FormDefinition) -> str:
    """Guidance for the worker, in the form's default language. Never show it to the child."""
    return text_in(item.guidance, form, None)


def choice_label(choice: Choice, form: FormDefinition, language: str | None = None) -> str:
    return text_in(choice.label, form, language) or choice.value  # XLSForm allows no label


def text_direction(form: FormDefinition, language: str | None) -> str:
    """ "rtl" or "ltr" for the language the text will be shown in."""
    return form.direction(language or form.default_language)
