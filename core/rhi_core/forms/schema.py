"""The in-memory questionnaire: frozen dataclasses built by the loaders (see docs/forms.md).

Texts shown to people are ``Text`` mappings from language code to string, so a form carries its
own translations. Source places are kept for error messages but excluded from equality, so a form
read back from an exported spreadsheet equals the YAML it came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rhi_core.forms.errors import Place

Text = Mapping[str, str]  # language code -> text

INPUT_TYPES = (
    "text",
    "long_text",
    "integer",
    "decimal",
    "range",
    "date",
    "time",
    "datetime",
    "yes_no",
    "select_one",
    "select_multiple",
    "rank",
    "scale",
    "acknowledge",
    "image",
    "file",
)
# Filled in by the app, never typed: when the interview started / ended, the day it started,
# the laptop's device id and the worker's name.
META_TYPES = ("start", "end", "today", "deviceid", "username")
QUESTION_TYPES = ("note", *INPUT_TYPES, "calculate", *META_TYPES)
GROUP_KINDS = ("section", "group", "repeat")
SELECT_TYPES = ("select_one", "select_multiple", "rank", "yes_no", "scale")
ATTACHMENT_TYPES = ("image", "file")
ACKNOWLEDGED = "OK"  # the answer of an acknowledge question once ticked (as ODK stores it)

YES_NO_LIST = "yes_no_pns"  # built-in list for yes_no: yes / no / prefer not to say
SCALE_LIST = "faces_5"  # built-in list for scale: 1-5 with faces
OTHER_CODE = "other"  # choice that opens the "other — please say" free text
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
)

_NOWHERE = Place("<memory>")


@dataclass(frozen=True)
class Language:
    code: str  # e.g. "en", "ar"
    name: str  # e.g. "English", "Arabic"
    direction: str = "ltr"  # "ltr" or "rtl"


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    face: str | None = None  # pictorial glyph for scale points, e.g. "🙂"
    # Other columns of the choices sheet (e.g. "county"), read by choice_filter expressions.
    extra: Mapping[str, str] = field(default_factory=dict)

    def columns(self) -> dict[str, str]:
        """What a choice_filter sees: ``name`` (the value), the extra columns."""
        return {**self.extra, "name": self.value}


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    guidance: Text = field(default_factory=dict)  # for the worker only, never shown to the child
    label_yp: Text = field(default_factory=dict)  # young-person wording
    required: bool = False
    required_when: str | None = None  # required only while this expression is true
    required_message: Text = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text = field(default_factory=dict)
    calculate: str | None = None
    default: Any = None
    read_only: bool = False  # shown, not editable (its default or calculation is the value)
    worker_only: bool = False  # never shown in young-person mode
    choices: str | None = None  # choice list name for select types
    choice_filter: str | None = None  # which choices to offer (cascading selects)
    other: bool = False  # select with "other — please say" free text in ``other_name``
    other_label: Text = field(default_factory=dict)
    appearance: tuple[str, ...] = ()  # XLSForm appearances, e.g. ("minimal",)
    parameters: Mapping[str, str] = field(default_factory=dict)  # e.g. range start/end/step
    place: Place = field(default=_NOWHERE, compare=False, repr=False)

    @property
    def other_name(self) -> str:
        """Answer key of the free text that goes with the "other" choice."""
        return f"{self.name}_other"

    @property
    def is_input(self) -> bool:
        """Whether the worker or child types or picks this answer (not a note, a
        calculation, metadata or a read-only value)."""
        return (
            self.type in INPUT_TYPES
            and self.calculate is None
            and not self.read_only
            and "hidden" not in self.appearance
        )

    @property
    def is_meta(self) -> bool:
        return self.type in META_TYPES

    def has_appearance(self, *names: str) -> bool:
        return any(a in names for a in self.appearance)


@dataclass(frozen=True)
class Group:
    """A section (wizard page, top level only), a group inside one, or a repeat."""

    name: str
    kind: str  # "section", "group" or "repeat"
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    guidance: Text = field(default_factory=dict)
    label_yp: Text = field(default_factory=dict)
    relevant: str | None = None
    worker_only: bool = False  # never shown in young-person mode (e.g. exploitation indicators)
    items: tuple[Item, ...] = ()
    repeat_count: str | None = None  # repeats: an expression fixing the number of entries
    appearance: tuple[str, ...] = ()  # e.g. ("field-list",)
    # A section made for questions a spreadsheet has outside any group (not written back as a
    # group, so the form's own structure survives a round trip).
    implicit: bool = False
    place: Place = field(default=_NOWHERE, compare=False, repr=False)


Item = Question | Group


@dataclass(frozen=True)
class RiskFlagDef:
    """A safeguarding flag raised when ``when`` is true over the answers."""

    code: str
    label: Text
    when: str
    prompts: tuple[Text, ...] = ()
    place: Place = field(default=_NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: str
    title: Text
    default_language: str
    languages: tuple[Language, ...]
    sections: tuple[Group, ...]
    choices: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    risk_flags: tuple[RiskFlagDef, ...] = ()
    instance_name: str | None = None  # expression giving each record its title
    source: str = field(default="<memory>", compare=False, repr=False)
    # What the loader read differently or left out (FormError with severity "warning").
    warnings: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    # Compiled expressions and lookup tables (a rhi_core.forms.plan.Plan), attached by
    # plan.plan_of on first use; not part of the definition.
    _plan: Any = field(default=None, compare=False, repr=False)

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        """The choices a select question offers: its list, plus the "other" choice XLSForm's
        ``or_other`` implies when the list has none."""
        listed = self.choices.get(question.choices or "", ())
        if question.other and not any(c.value == OTHER_CODE for c in listed):
            return (*listed, Choice(OTHER_CODE, {self.default_language: "Other"}))
        return listed

    def language(self, code: str) -> Language | None:
        return next((lang for lang in self.languages if lang.code == code), None)

    def direction(self, code: str) -> str:
        """Text direction ("ltr"/"rtl") of a language of this form."""
        lang = self.language(code)
        if lang is not None:
            return lang.direction
        return "rtl" if code in RTL_LANGUAGES else "ltr"

    def walk(self) -> Iterator[tuple[Item, tuple[Group, ...]]]:
        """Every item in document order with its enclosing groups (outermost first)."""

        def visit(items: tuple[Item, ...], parents: tuple[Group, ...]) -> Iterator[Any]:
            for item in items:
                yield item, parents
                if isinstance(item, Group):
                    yield from visit(item.items, (*parents, item))

        yield from visit(self.sections, ())

    def questions(self) -> Iterator[Question]:
        for item, _ in self.walk():
            if isinstance(item, Question):
                yield item

    def item(self, name: str) -> Item | None:
        """The question or group called ``name``."""
        index = self.__dict__.get("_index")
        if index is None:
            index = {}
            for item, _ in self.walk():
                index.setdefault(item.name, item)
            object.__setattr__(self, "_index", index)
        return index.get(name)
