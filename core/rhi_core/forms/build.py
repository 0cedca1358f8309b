"""Validate raw (Located) form data and build a FormDefinition, collecting every problem.

Used by both the YAML loader and the XLSForm importer so both report the same mistakes in the
same words, each at its own place.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from rhi_core.forms.errors import WARNING, FormError, Place
from rhi_core.forms.located import Located
from rhi_core.forms.plan import analyse
from rhi_core.forms.schema import (
    GROUP_KINDS,
    META_TYPES,
    QUESTION_TYPES,
    RTL_LANGUAGES,
    SCALE_LIST,
    SELECT_TYPES,
    YES_NO_LIST,
    Choice,
    FormDefinition,
    Group,
    Item,
    Language,
    Question,
    RiskFlagDef,
    Text,
)

# XML names, as XLSForm allows: a letter or "_" first, then letters, digits, "_", "-" and ".".
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
FORM_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
# "en", "pt-BR", or a private-use code made for a language named without one ("x-klingon").
LANG_RE = re.compile(r"^([a-z]{2,3}|x)(-[A-Za-z0-9]{1,8})*$")
CHOICE_VALUE_RE = re.compile(r"^[^\s]+$")
APPEARANCE_RE = re.compile(r"^[A-Za-z0-9_:.\-]+$")

FORM_KEYS = {
    "id",
    "version",
    "title",
    "default_language",
    "languages",
    "choices",
    "sections",
    "risk_flags",
    "instance_name",
}
TEXT_KEYS = ("label", "hint", "guidance", "label_yp")
QUESTION_KEYS = {
    "name",
    "type",
    *TEXT_KEYS,
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculate",
    "default",
    "read_only",
    "choices",
    "choice_filter",
    "other",
    "other_label",
    "worker_only",
    "appearance",
    "parameters",
}
GROUP_KEYS = {
    "name",
    "type",
    *TEXT_KEYS,
    "relevant",
    "worker_only",
    "items",
    "repeat_count",
    "appearance",
    "implicit",
}
CHOICE_KEYS = {"value", "label", "face", "columns"}
LANGUAGE_KEYS = {"code", "name", "direction"}
FLAG_KEYS = {"code", "label", "when", "prompts"}
EXPRESSION_KEYS = ("relevant", "constraint", "calculate")
# Texts that may show other answers: "${name}" in them is filled in as the interview goes.
INTERPOLATED_KEYS = (
    "label",
    "label_yp",
    "hint",
    "guidance",
    "constraint_message",
    "required_message",
)
# range questions: their parameters and defaults (as ODK has them).
RANGE_DEFAULTS = {"start": "1", "end": "10", "step": "1"}

DEFAULT_OTHER_LABEL = "Other — please say"

# Built-in lists, added to a form that uses yes_no or scale without defining them itself.
BUILTIN_LISTS: dict[str, tuple[Choice, ...]] = {
    YES_NO_LIST: (
        Choice("yes", {"en": "Yes"}),
        Choice("no", {"en": "No"}),
        Choice("prefer_not_to_say", {"en": "I'd rather not say"}),
    ),
    SCALE_LIST: (
        Choice("1", {"en": "Really bad"}, "😢"),
        Choice("2", {"en": "Not good"}, "🙁"),
        Choice("3", {"en": "OK"}, "😐"),
        Choice("4", {"en": "Good"}, "🙂"),
        Choice("5", {"en": "Really good"}, "😄"),
    ),
}


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[FormError] = []
        self.warnings: list[FormError] = []
        # (item, attribute) -> place of texts holding ${name}, checked with the expressions.
        self.text_places: dict[tuple[str, str], Place] = {}
        self.languages: set[str] = set()
        self.default_language = "en"
        self.names: dict[str, Place] = {}
        # (list, place, question, question type)
        self.list_uses: list[tuple[str, Place, str, str]] = []
        self.spaced_values: dict[str, tuple[str, Place]] = {}  # list -> a value with a space
        self.expr_places: dict[tuple[str, str], Place] = {}  # (item, attribute) -> place

    def error(self, message: str, place: Place) -> None:
        self.errors.append(FormError(message, place))

    def warn(self, message: str, place: Place) -> None:
        self.warnings.append(FormError(message, place, WARNING))

    # -- small readers ---------------------------------------------------------------------

    def unknown_keys(self, raw: Located, allowed: set[str], what: str) -> None:
        for key in raw:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.error(
                    f"{what} has an unknown attribute '{key}' (known: {hint})", raw.place_of(key)
                )

    def string(self, raw: Located, key: str, what: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.error(f"{what} has no '{key}'", raw.place)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(f"{what}: '{key}' must be text", raw.place_of(key))
            return None
        return str(value)

    def text(self, raw: Located, key: str, what: str, owner: str | None = None) -> Text:
        out = self._text(raw, key, what)
        if owner is not None and any("${" in t for t in out.values()):
            self.text_places[(owner, key)] = raw.place_of(key)
        return out

    def _text(self, raw: Located, key: str, what: str) -> Text:
        value = raw.get(key)
        place = raw.place_of(key)
        if value is None or value == "":
            return {}
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {self.default_language: str(value)}
        if not isinstance(value, dict):
            self.error(f"{what}: '{key}' must be text or a mapping of language to text", place)
            return {}
        out: dict[str, str] = {}
        for lang, text in value.items():
            if self.languages and lang not in self.languages:
                self.error(
                    f"{what}: '{key}' uses language '{lang}', which the form does not list", place
                )
                continue
            if text is None or text == "":
                continue
            if not isinstance(text, str | int | float) or isinstance(text, bool):
                self.error(f"{what}: '{key}' in '{lang}' must be text", place)
                continue
            out[str(lang)] = str(text)
        return out

    def boolean(self, raw: Located, key: str, what: str) -> bool:
        value = raw.get(key, False)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "true", "true()", "1"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("no", "false", "false()", "0"):
            return False
        self.error(f"{what}: '{key}' must be yes or no", raw.place_of(key))
        return False

    def required(self, raw: Located, what: str, owner: str | None) -> tuple[bool, str | None]:
        """``required``: yes/no, or an expression (required while it is true)."""
        value = raw.get("required")
        if value is None or value == "" or isinstance(value, bool):
            return bool(value), None
        text = str(value).strip()
        if text.lower() in ("yes", "true", "true()", "1", "no", "false", "false()", "0"):
            return self.boolean(raw, "required", what), None
        if "(" in text or "$" in text or "=" in text:
            return False, self.expression(raw, "required", what, owner)
        self.error(f"{what}: 'required' must be yes or no", raw.place_of("required"))
        return False, None

    def appearance(self, raw: Located, what: str) -> tuple[str, ...]:
        value = raw.get("appearance")
        if value is None or value == "":
            return ()
        words = value if isinstance(value, list) else str(value).split()
        out: list[str] = []
        for word in words:
            word = str(word).strip()
            if not APPEARANCE_RE.match(word):
                self.error(
                    f"{what}: appearance '{word}' is not a word like 'minimal'",
                    raw.place_of("appearance"),
                )
                continue
            out.append(word)
        return tuple(out)

    def parameters(self, raw: Located, what: str) -> dict[str, str]:
        value = raw.get("parameters")
        if value is None or value == "":
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        out: dict[str, str] = {}
        for part in re.split(r"[\s,;]+", str(value).strip()):
            if not part:
                continue
            key, sep, val = part.partition("=")
            if not sep or not key:
                self.error(
                    f"{what}: parameters must be written key=value, like 'start=1 end=10'",
                    raw.place_of("parameters"),
                )
                return {}
            out[key.strip().lower()] = val.strip()
        return out

    def expression(self, raw: Located, key: str, what: str, owner: str | None = None) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        if owner is not None:
            self.expr_places[(owner, key)] = raw.place_of(key)
        if isinstance(value, bool):
            # YAML turns a bare ``yes`` into True; an always-true/false expression is what was meant.
            return "true()" if value else "false()"
        if not isinstance(value, str | int | float):
            self.error(f"{what}: '{key}' must be an expression", raw.place_of(key))
            return None
        return str(value)

    # -- form --------------------------------------------------------------------------------

    def form(self, raw: Any) -> FormDefinition | None:
        if not isinstance(raw, Located):
            self.error(
                "the file must hold a form: a mapping with id, title, sections...",
                Place(self.file, line=1),
            )
            return None
        self.unknown_keys(raw, FORM_KEYS, "the form")
        form_id = self.string(raw, "id", "the form", required=True) or ""
        if form_id and not FORM_ID_RE.match(form_id):
            self.error(
                f"the form id '{form_id}' may only hold letters, digits, '_', '-' and '.'",
                raw.place_of("id"),
            )
        version = self.string(raw, "version", "the form", required=True) or ""
        languages = self.read_languages(raw)
        self.default_language = self.string(raw, "default_language", "the form") or (
            languages[0].code if languages else "en"
        )
        if not languages:
            languages = [
                Language(
                    self.default_language, self.default_language, _direction(self.default_language)
                )
            ]
        self.languages = {lang.code for lang in languages}
        if self.default_language not in self.languages:
            self.error(
                f"the default language '{self.default_language}' is not in the form's languages",
                raw.place_of("default_language"),
            )
        title = self.text(raw, "title", "the form")
        if not title:
            self.error("the form has no 'title'", raw.place)
        choices = self.read_choices(raw)
        sections = self.read_sections(raw)
        flags = self.read_flags(raw)
        self.check_lists(choices, raw)
        instance_name = self.expression(raw, "instance_name", "the form", "form:instance_name")
        return FormDefinition(
            id=form_id,
            version=version,
            title=title,
            default_language=self.default_language,
            languages=tuple(languages),
            sections=tuple(sections),
            choices=choices,
            risk_flags=tuple(flags),
            instance_name=instance_name,
            source=self.file,
            warnings=tuple(self.warnings),
        )

    def read_languages(self, raw: Located) -> list[Language]:
        value = raw.get("languages")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error("the form: 'languages' must be a list", raw.place_of("languages"))
            return []
        out: list[Language] = []
        for entry in value:
            if isinstance(entry, str):
                entry = Located(raw.place_of("languages"), code=entry)
            if not isinstance(entry, Located):
                self.error(
                    "each language must be a code or a mapping with code and name",
                    raw.place_of("languages"),
                )
                continue
            self.unknown_keys(entry, LANGUAGE_KEYS, "a language")
            code = self.string(entry, "code", "a language", required=True)
            if code is None:
                continue
            if not LANG_RE.match(code):
                self.error(
                    f"'{code}' is not a language code like 'en' or 'ar'", entry.place_of("code")
                )
            if any(lang.code == code for lang in out):
                self.error(f"language '{code}' is listed twice", entry.place_of("code"))
            direction = self.string(entry, "direction", f"language '{code}'") or _direction(code)
            if direction not in ("ltr", "rtl"):
                self.error(
                    f"language '{code}': direction must be 'ltr' or 'rtl'",
                    entry.place_of("direction"),
                )
                direction = "ltr"
            name = self.string(entry, "name", f"language '{code}'") or code
            out.append(Language(code, name, direction))
        return out

    def read_choices(self, raw: Located) -> dict[str, tuple[Choice, ...]]:
        value = raw.get("choices")
        lists: dict[str, tuple[Choice, ...]] = {}
        if value is None:
            return lists
        if not isinstance(value, Located):
            self.error(
                "the form: 'choices' must map list names to lists of choices",
                raw.place_of("choices"),
            )
            return lists
        for list_name, entries in value.items():
            place = value.place_of(list_name)
            if not NAME_RE.match(list_name):
                self.error(
                    f"choice list name '{list_name}' must start with a letter and hold only letters, digits and '_'",
                    place,
                )
            if not isinstance(entries, list) or not entries:
                self.error(f"choice list '{list_name}' must be a non-empty list of choices", place)
                continue
            seen: set[str] = set()
            choices: list[Choice] = []
            for entry in entries:
                if not isinstance(entry, Located):
                    self.error(
                        f"choice list '{list_name}': each choice needs a value and a label", place
                    )
                    continue
                what = f"choice list '{list_name}'"
                self.unknown_keys(entry, CHOICE_KEYS, what)
                code = self.string(entry, "value", what, required=True)
                if code is None:
                    continue
                if not CHOICE_VALUE_RE.match(code):
                    # Fine for select_one; a select_multiple keeps its picks space-separated.
                    self.spaced_values.setdefault(list_name, (code, entry.place_of("value")))
                if code in seen:
                    if entry.get("columns"):
                        # Cascading lists repeat a value under different parents (a "King"
                        # county in two states); the filter tells them apart.
                        self.warn(
                            f"{what}: value '{code}' appears twice; answers cannot tell the two "
                            "apart, so give them different values",
                            entry.place_of("value"),
                        )
                    else:
                        self.error(f"{what}: value '{code}' appears twice", entry.place_of("value"))
                seen.add(code)
                label = self.text(entry, "label", f"{what}, value '{code}'")
                if not label:
                    self.warn(
                        f"{what}, value '{code}' has no label; its value is shown",
                        entry.place_of("value"),
                    )
                elif self.default_language not in label:
                    self.warn(
                        f"{what}, value '{code}' has no label in the default language "
                        f"'{self.default_language}'; another language's label is shown",
                        entry.place_of("label"),
                    )
                face = self.string(entry, "face", what)
                columns = entry.get("columns") or {}
                if not isinstance(columns, dict):
                    self.error(
                        f"{what}, value '{code}': 'columns' must map column names to values",
                        entry.place_of("columns"),
                    )
                    columns = {}
                extra = {str(k): "" if v is None else str(v) for k, v in columns.items()}
                choices.append(Choice(code, label, face, extra))
            lists[list_name] = tuple(choices)
        return lists

    def check_lists(self, lists: dict[str, tuple[Choice, ...]], raw: Located) -> None:
        for list_name, place, question, kind in self.list_uses:
            if list_name not in lists:
                if list_name in BUILTIN_LISTS:
                    lists[list_name] = BUILTIN_LISTS[list_name]
                else:
                    self.error(
                        f"question '{question}' uses choice list '{list_name}', which is not defined",
                        place,
                    )
                    continue
            if kind in ("select_multiple", "rank") and list_name in self.spaced_values:
                value, where = self.spaced_values[list_name]
                self.error(
                    f"choice list '{list_name}': value '{value}' must not contain spaces (question "
                    f"'{question}' is a {kind}, whose answers are kept space-separated)",
                    where,
                )
                del self.spaced_values[list_name]

    # -- sections, groups and questions ------------------------------------------------------

    def read_sections(self, raw: Located) -> list[Group]:
        value = raw.get("sections")
        if not isinstance(value, list) or not value:
            self.error("the form needs a non-empty list of 'sections'", raw.place_of("sections"))
            return []
        out: list[Group] = []
        for entry in value:
            if not isinstance(entry, Located):
                self.error(
                    "each section must be a mapping with name, label and items",
                    raw.place_of("sections"),
                )
                continue
            kind = entry.get("type", "section")
            if kind != "section":
                self.error(
                    f"top-level entries must be sections, not '{kind}' (put questions inside a section)",
                    entry.place_of("type"),
                )
                continue
            group = self.read_group(entry, "section", in_repeat=None)
            if group is not None:
                out.append(group)
        return out

    def read_items(self, raw: Located, what: str, in_repeat: str | None) -> tuple[Item, ...]:
        value = raw.get("items")
        if not isinstance(value, list) or not value:
            self.error(f"{what} needs a non-empty list of 'items'", raw.place_of("items"))
            return ()
        out: list[Item] = []
        for entry in value:
            if not isinstance(entry, Located):
                self.error(
                    f"{what}: each item must be a mapping with at least name and type",
                    raw.place_of("items"),
                )
                continue
            kind = entry.get("type")
            item: Item | None
            if kind in ("group", "repeat"):
                item = self.read_group(entry, kind, in_repeat)
            elif kind == "section":
                self.error(
                    "sections can only be at the top level; use type: group inside a section",
                    entry.place_of("type"),
                )
                item = None
            else:
                item = self.read_question(entry)
            if item is not None:
                out.append(item)
        return tuple(out)

    def claim_name(self, raw: Located, what: str) -> str | None:
        name = self.string(raw, "name", what, required=True)
        if name is None:
            return None
        place = raw.place_of("name")
        if not NAME_RE.match(name):
            self.error(
                f"name '{name}' must start with a letter and hold only letters, digits and '_'",
                place,
            )
        elif name in self.names:
            first = self.names[name]
            self.error(f"duplicate name '{name}' (first used at {first})", place)
        else:
            self.names[name] = place
        return name

    def read_group(self, raw: Located, kind: str, in_repeat: str | None) -> Group | None:
        name = self.claim_name(raw, f"a {kind}")
        what = f"{kind} '{name}'"
        self.unknown_keys(raw, GROUP_KEYS, what)
        texts = {key: self.text(raw, key, what, name) for key in TEXT_KEYS}
        if kind != "group" and not texts["label"]:
            self.warn(f"{what} has no label; its name is shown instead", raw.place)
        elif kind != "group" and self.default_language not in texts["label"]:
            self.warn(
                f"{what} has no label in the default language '{self.default_language}'; "
                "another language's label is shown",
                raw.place,
            )
        items = self.read_items(raw, what, name if kind == "repeat" else in_repeat)
        repeat_count = self.expression(raw, "repeat_count", what, name)
        if repeat_count is not None and kind != "repeat":
            self.error(f"{what}: only repeats take 'repeat_count'", raw.place_of("repeat_count"))
            repeat_count = None
        implicit = self.boolean(raw, "implicit", what)
        if implicit and kind != "section":
            self.error(f"{what}: only sections can be 'implicit'", raw.place_of("implicit"))
            implicit = False
        if name is None:
            return None
        return Group(
            name=name,
            kind=kind,
            relevant=self.expression(raw, "relevant", what, name),
            worker_only=self.boolean(raw, "worker_only", what),
            items=items,
            repeat_count=repeat_count,
            appearance=self.appearance(raw, what),
            implicit=implicit,
            place=raw.place,
            **texts,
        )

    def read_question(self, raw: Located) -> Question | None:
        name = self.claim_name(raw, "a question")
        what = f"question '{name}'"
        kind = self.string(raw, "type", what, required=True)
        if kind is not None and kind not in QUESTION_TYPES:
            known = ", ".join((*QUESTION_TYPES, *GROUP_KINDS[1:]))
            self.error(
                f"{what} has an unknown type '{kind}' (known: {known})", raw.place_of("type")
            )
            kind = None
        self.unknown_keys(raw, QUESTION_KEYS, what)
        texts = {key: self.text(raw, key, what, name) for key in TEXT_KEYS}
        labelled = kind not in (None, "calculate", *META_TYPES)
        if labelled and not texts["label"] and not texts["hint"]:
            self.error(
                f"{what} has no label in the default language '{self.default_language}'", raw.place
            )
        elif labelled and texts["label"] and self.default_language not in texts["label"]:
            self.warn(
                f"{what} has no label in the default language '{self.default_language}'; "
                "another language's label is shown",
                raw.place,
            )
        list_name = self.string(raw, "choices", what)
        other = self.boolean(raw, "other", what)
        if kind in SELECT_TYPES:
            if list_name is None:
                if kind in ("yes_no", "scale"):
                    list_name = YES_NO_LIST if kind == "yes_no" else SCALE_LIST
                else:
                    self.error(
                        f"{what} is a {kind} and needs 'choices' (the name of a choice list)",
                        raw.place,
                    )
            if list_name is not None:
                self.list_uses.append((list_name, raw.place_of("choices"), name or "?", kind))
        elif list_name is not None and kind is not None:
            self.error(
                f"{what}: only select, yes_no and scale questions take 'choices'",
                raw.place_of("choices"),
            )
            list_name = None
        choice_filter = self.expression(raw, "choice_filter", what, name)
        if choice_filter is not None and kind not in SELECT_TYPES:
            self.warn(
                f"{what}: only select questions take a 'choice_filter'; this one is left out",
                raw.place_of("choice_filter"),
            )
            self.expr_places.pop((name or "", "choice_filter"), None)
            choice_filter = None
        if other and kind not in ("select_one", "select_multiple"):
            self.error(
                f"{what}: only select_one and select_multiple questions take 'other'",
                raw.place_of("other"),
            )
            other = False
        if other and name is not None:
            other_name = f"{name}_other"
            if other_name in self.names:
                self.error(
                    f"{what}: its free text '{other_name}' clashes with a question of that name",
                    raw.place_of("other"),
                )
            else:
                self.names[other_name] = raw.place_of("other")
        other_label = self.text(raw, "other_label", what)
        if other and not other_label:
            other_label = {self.default_language: DEFAULT_OTHER_LABEL}
        calculate = self.expression(raw, "calculate", what, name)
        if kind == "calculate" and calculate is None:
            self.error(f"{what} is a calculate and needs a 'calculate' expression", raw.place)
        if kind == "note" and (raw.get("required") or calculate):
            self.error(f"{what} is a note; it cannot be required or calculated", raw.place)
        if kind in META_TYPES and (raw.get("required") or calculate):
            self.error(
                f"{what} is {kind} metadata (filled in by the app); it cannot be required or "
                "calculated",
                raw.place,
            )
        default = raw.get("default")
        if isinstance(default, dict | list) and kind not in ("select_multiple", "rank"):
            self.error(f"{what}: 'default' must be a single value", raw.place_of("default"))
            default = None
        required, required_when = self.required(raw, what, name)
        parameters = self.parameters(raw, what)
        if kind == "range":
            parameters = self.range_parameters(parameters, raw, what)
        if name is None or kind is None:
            return None
        return Question(
            name=name,
            type=kind,
            required=required,
            required_when=required_when,
            required_message=self.text(raw, "required_message", what, name),
            relevant=self.expression(raw, "relevant", what, name),
            constraint=self.expression(raw, "constraint", what, name),
            constraint_message=self.text(raw, "constraint_message", what, name),
            calculate=calculate,
            default=default,
            read_only=self.boolean(raw, "read_only", what),
            worker_only=self.boolean(raw, "worker_only", what),
            choices=list_name,
            choice_filter=choice_filter,
            other=other,
            other_label=other_label if other else {},
            appearance=self.appearance(raw, what),
            parameters=parameters,
            place=raw.place,
            **texts,
        )

    def range_parameters(self, given: dict[str, str], raw: Located, what: str) -> dict[str, str]:
        """start/end/step of a range question, as numbers (ODK's defaults 1, 10, 1)."""
        out = dict(RANGE_DEFAULTS)
        for key, value in given.items():
            if key not in RANGE_DEFAULTS:
                self.error(
                    f"{what}: range takes the parameters start, end and step, not '{key}'",
                    raw.place_of("parameters"),
                )
                continue
            try:
                float(value)
            except ValueError:
                self.error(
                    f"{what}: range parameter {key}={value} is not a number",
                    raw.place_of("parameters"),
                )
                continue
            out[key] = value
        if float(out["step"]) == 0:
            self.error(f"{what}: range step must not be 0", raw.place_of("parameters"))
        return out

    # -- risk flags --------------------------------------------------------------------------

    def read_flags(self, raw: Located) -> list[RiskFlagDef]:
        value = raw.get("risk_flags")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error("the form: 'risk_flags' must be a list", raw.place_of("risk_flags"))
            return []
        out: list[RiskFlagDef] = []
        codes: set[str] = set()
        for entry in value:
            if not isinstance(entry, Located):
                self.error(
                    "each risk flag must be a mapping with code, label and when",
                    raw.place_of("risk_flags"),
                )
                continue
            code = self.string(entry, "code", "a risk flag", required=True)
            what = f"risk flag '{code}'"
            self.unknown_keys(entry, FLAG_KEYS, what)
            if code is not None and code in codes:
                self.error(f"risk flag code '{code}' is used twice", entry.place_of("code"))
                continue
            when = self.expression(entry, "when", what, f"flag:{code}")
            if when is None:
                self.error(f"{what} has no 'when' expression", entry.place)
            label = self.text(entry, "label", what)
            if self.default_language not in label:
                self.error(
                    f"{what} has no label in the default language '{self.default_language}'",
                    entry.place,
                )
            prompts = self.read_prompts(entry, what)
            if code is None or when is None:
                continue
            codes.add(code)
            out.append(RiskFlagDef(code, label, when, prompts, entry.place))
        return out

    def read_prompts(self, raw: Located, what: str) -> tuple[Text, ...]:
        value = raw.get("prompts")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(f"{what}: 'prompts' must be a list", raw.place_of("prompts"))
            return ()
        out: list[Text] = []
        for entry in value:
            holder = Located(raw.place_of("prompts"), prompt=entry)
            text = self.text(holder, "prompt", what)
            if text:
                out.append(text)
        return tuple(out)


def _direction(code: str) -> str:
    return "rtl" if code.split("-")[0] in RTL_LANGUAGES else "ltr"


def build_form(
    raw: Any, file: str, known_names: Collection[str] = ()
) -> tuple[FormDefinition | None, list[FormError]]:
    """Validate ``raw`` and build the form; a form is returned only when there are no errors.

    ``known_names`` are items reported already (refused by the reader): references to them
    are not reported again."""
    builder = _Builder(file)
    form = builder.form(raw)
    if form is None:
        return None, builder.errors
    # Expressions are checked even when the structure has problems, so one run reports both;
    # references to items that exist but failed to build are not reported a second time.
    known = set(builder.names) | set(known_names)
    plan, problems = analyse(form, builder.expr_places, known, builder.text_places)
    errors = builder.errors + [p for p in problems if not p.is_warning]
    warnings = builder.warnings + [p for p in problems if p.is_warning]
    if errors:
        return None, errors + warnings
    object.__setattr__(form, "_plan", plan)
    object.__setattr__(form, "warnings", tuple(warnings))
    return form, []
