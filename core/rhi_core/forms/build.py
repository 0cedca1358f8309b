"""Validate raw (Located) form data and build a FormDefinition, collecting every problem.

Used by both the YAML loader and the XLSForm importer so both report the same mistakes in the
same words, each at its own place.
"""

from __future__ import annotations

import re
from typing import Any

from rhi_core.forms.errors import FormError, Place
from rhi_core.forms.located import Located
from rhi_core.forms.schema import (
    GROUP_KINDS,
    OTHER_CODE,
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

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORM_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
CHOICE_VALUE_RE = re.compile(r"^[^\s]+$")

FORM_KEYS = {
    "id",
    "version",
    "title",
    "default_language",
    "languages",
    "choices",
    "sections",
    "risk_flags",
}
TEXT_KEYS = ("label", "hint", "guidance", "label_yp")
QUESTION_KEYS = {
    "name",
    "type",
    *TEXT_KEYS,
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculate",
    "default",
    "choices",
    "other",
    "other_label",
    "worker_only",
}
GROUP_KEYS = {"name", "type", *TEXT_KEYS, "relevant", "worker_only", "items"}
CHOICE_KEYS = {"value", "label", "face"}
LANGUAGE_KEYS = {"code", "name", "direction"}
FLAG_KEYS = {"code", "label", "when", "prompts"}
EXPRESSION_KEYS = ("relevant", "constraint", "calculate")

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
        self.languages: set[str] = set()
        self.default_language = "en"
        self.names: dict[str, Place] = {}
        self.list_uses: list[tuple[str, Place, str, bool]] = []  # list, place, question, other
        self.expr_places: dict[tuple[str, str], Place] = {}  # (item, attribute) -> place

    def error(self, message: str, place: Place) -> None:
        self.errors.append(FormError(message, place))

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

    def text(self, raw: Located, key: str, what: str) -> Text:
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
        return FormDefinition(
            id=form_id,
            version=version,
            title=title,
            default_language=self.default_language,
            languages=tuple(languages),
            sections=tuple(sections),
            choices=choices,
            risk_flags=tuple(flags),
            source=self.file,
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
                    self.error(
                        f"{what}: value '{code}' must not contain spaces", entry.place_of("value")
                    )
                if code in seen:
                    self.error(f"{what}: value '{code}' appears twice", entry.place_of("value"))
                seen.add(code)
                label = self.text(entry, "label", f"{what}, value '{code}'")
                if self.default_language not in label:
                    self.error(
                        f"{what}, value '{code}' has no label in the default language '{self.default_language}'",
                        entry.place_of("label"),
                    )
                face = self.string(entry, "face", what)
                choices.append(Choice(code, label, face))
            lists[list_name] = tuple(choices)
        return lists

    def check_lists(self, lists: dict[str, tuple[Choice, ...]], raw: Located) -> None:
        for list_name, place, question, other in self.list_uses:
            if list_name not in lists:
                if list_name in BUILTIN_LISTS:
                    lists[list_name] = BUILTIN_LISTS[list_name]
                else:
                    self.error(
                        f"question '{question}' uses choice list '{list_name}', which is not defined",
                        place,
                    )
                    continue
            if other and not any(c.value == OTHER_CODE for c in lists[list_name]):
                self.error(
                    f"question '{question}' has other: yes but its list '{list_name}' has no '{OTHER_CODE}' choice",
                    place,
                )

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
        if kind == "repeat" and in_repeat is not None:
            self.error(
                f"{what} is inside repeat '{in_repeat}'; repeats cannot be nested",
                raw.place_of("type"),
            )
        texts = {key: self.text(raw, key, what) for key in TEXT_KEYS}
        if kind != "group" and self.default_language not in texts["label"]:
            self.error(
                f"{what} has no label in the default language '{self.default_language}'", raw.place
            )
        items = self.read_items(raw, what, name if kind == "repeat" else in_repeat)
        if name is None:
            return None
        return Group(
            name=name,
            kind=kind,
            relevant=self.expression(raw, "relevant", what, name),
            worker_only=self.boolean(raw, "worker_only", what),
            items=items,
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
        texts = {key: self.text(raw, key, what) for key in TEXT_KEYS}
        if kind not in (None, "calculate") and self.default_language not in texts["label"]:
            self.error(
                f"{what} has no label in the default language '{self.default_language}'", raw.place
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
                self.list_uses.append((list_name, raw.place_of("choices"), name or "?", other))
        elif list_name is not None and kind is not None:
            self.error(
                f"{what}: only select, yes_no and scale questions take 'choices'",
                raw.place_of("choices"),
            )
            list_name = None
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
        default = raw.get("default")
        if isinstance(default, dict | list) and kind != "select_multiple":
            self.error(f"{what}: 'default' must be a single value", raw.place_of("default"))
            default = None
        if name is None or kind is None:
            return None
        return Question(
            name=name,
            type=kind,
            required=self.boolean(raw, "required", what),
            relevant=self.expression(raw, "relevant", what, name),
            constraint=self.expression(raw, "constraint", what, name),
            constraint_message=self.text(raw, "constraint_message", what),
            calculate=calculate,
            default=default,
            worker_only=self.boolean(raw, "worker_only", what),
            choices=list_name,
            other=other,
            other_label=other_label if other else {},
            place=raw.place,
            **texts,
        )

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


def build_form(raw: Any, file: str) -> tuple[FormDefinition | None, list[FormError]]:
    """Validate ``raw`` and build the form; a form is returned only when there are no errors."""
    from rhi_core.forms.plan import analyse

    builder = _Builder(file)
    form = builder.form(raw)
    if form is None:
        return None, builder.errors
    # Expressions are checked even when the structure has problems, so one run reports both;
    # references to items that exist but failed to build are not reported a second time.
    plan, errors = analyse(form, builder.expr_places, set(builder.names))
    errors = builder.errors + errors
    if errors:
        return None, errors
    object.__setattr__(form, "_plan", plan)
    return form, []
