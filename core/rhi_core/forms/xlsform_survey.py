"""The survey sheet of an XLSForm, row by row, into the questionnaire's sections and items.

Groups and repeats nest as the begin/end rows say; questions outside any group go in implicit
sections; pyxform's ``begin loop over LIST`` becomes one group per choice; names used twice
(XLSForm only asks siblings to differ) are renamed after their group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from rhi_core.forms import xlsform_features as features
from rhi_core.forms.diagnostics import Usage, rows_text
from rhi_core.forms.errors import Place
from rhi_core.forms.located import Located
from rhi_core.forms.xlsform_sheets import Cell, Sheet, texts_of
from rhi_core.forms.xlsform_vocabulary import (
    CONTROL_RE,
    DYNAMIC_DEFAULT,
    EXPRESSION_COLUMNS,
    LAPTOP_TYPES,
    LEFT_OUT,
    NO,
    OSM_RE,
    SELECT_RE,
    SELECTS,
    SIMPLE,
    TEXT_COLUMNS,
    TYPE_FEATURES,
    TYPES,
    YES,
    expression,
    flag,
)


class Notes(Protocol):
    """Where the survey reader reports (the workbook reader)."""

    usage: Usage
    refused_names: set[str]

    def error(self, message: str, place: Place) -> None: ...

    def warn(self, message: str, place: Place) -> None: ...


def _drop_appearance(item: Located, word: str) -> None:
    kept = [a for a in item.get("appearance") or [] if a != word]
    if kept:
        item["appearance"] = kept
    else:
        item.pop("appearance", None)


@dataclass
class _Loop:
    """A ``begin loop over LIST`` being read: its rows, expanded at ``end loop``."""

    name: str
    list_name: str
    row: int
    head: dict[str, Cell]
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)
    depth: int = 0


class Survey:
    def __init__(
        self,
        reader: Notes,
        sheet: Sheet,
        lang: str,
        title: dict[str, str],
        choices: Located,
    ) -> None:
        self.reader = reader
        self.sheet = sheet
        self.lang = lang
        self.title = title
        self.choices = choices
        self.top: list[Located] = []  # sections, and items outside any group
        self.stack: list[tuple[str, Located, int]] = []  # (begin word, group, row)
        self.last_select: Located | None = None
        self.skipped: list[Place] = []
        self.loop: _Loop | None = None
        self.external: Located | None = None  # lists of the external_choices sheet
        self.names: set[str] = set()
        self.renamed: list[tuple[Place, str, str]] = []

    def container(self) -> list[Any]:
        return self.stack[-1][1].setdefault("items", []) if self.stack else self.top

    def assemble(self) -> list[Located]:
        for r, row in self.sheet.rows:
            self.row(r, row)
        if self.loop is not None:
            self.reader.error(
                "begin loop is never closed with end loop", self.sheet.place(self.loop.row)
            )
        if self.renamed:
            pairs = ", ".join(f"'{old}' → '{new}'" for _p, old, new in self.renamed[:8])
            more = f" and {len(self.renamed) - 8} more" if len(self.renamed) > 8 else ""
            where = rows_text(p for p, _o, _n in self.renamed)
            self.reader.warn(
                f"names used more than once were renamed ({where}): {pairs}{more}; answers are "
                "kept by name, so each must be unique. Rename them in the sheet to choose the "
                "names",
                self.renamed[0][0],
            )
        for word, _group, begin_row in self.stack:
            self.reader.error(
                f"begin_{word} is never closed with end_{word}", self.sheet.place(begin_row)
            )
        if self.skipped:
            self.reader.warn(
                f"rows without a type, name or label were skipped ({rows_text(self.skipped)})",
                self.skipped[0],
            )
        return self.sections()

    def row(self, r: int, row: dict[str, Cell]) -> None:
        sheet, reader = self.sheet, self.reader
        disabled = row.get("disabled")
        if disabled is not None and flag(disabled.value).lower() in YES:
            return
        if self.buffer_loop(r, row):
            return
        if "type" not in row:
            if "name" in row or any(k.startswith("label") for k in row):
                first = next(iter(row.values()))
                reader.error("this row has no type", sheet.place(r, first.column))
            elif any(k not in ("disabled",) for k in row):
                self.skipped.append(sheet.place(r))
            return
        type_cell = row["type"]
        type_place = sheet.place(r, type_cell.column)
        words = " ".join(str(type_cell.value).split())
        control = CONTROL_RE.match(words)
        if control:
            self.control(control, r, row, type_place)
            return
        if "name" not in row and words.lower() in ("note", "q note", "add note prompt"):
            name = f"note_row_{r}"  # XLSForm lets a note go without a name
            row = {**row, "name": Cell(name, type_cell.column)}
        item = self.item(r, row)
        self.claim(item)
        item.key_places["type"] = type_place
        rhi_type = str(row["rhi_type"].value).strip() if "rhi_type" in row else None
        if rhi_type == "other_text":
            if self.last_select is None:
                reader.error("an other_text row must follow its select question", type_place)
            else:
                self.last_select["other"] = True
                self.last_select.key_places["other"] = type_place
                if "label" in item:
                    self.last_select["other_label"] = item["label"]
            return
        kind = self.kind(words, item, rhi_type, type_place)
        if kind is None:
            return
        item["type"] = kind
        if kind in ("select_multiple", "rank") and "default" in item:
            item["default"] = str(item["default"]).split()
        self.container().append(item)
        self.last_select = item if "choices" in item else None

    def claim(self, item: Located) -> None:
        """XLSForm names need only be unique among siblings; ours across the form, since
        answers are kept by name. A second use is renamed after its group."""
        name = item.get("name")
        if not isinstance(name, str):
            return
        if name not in self.names:
            self.names.add(name)
            return
        parent = str(self.stack[-1][1].get("name", "top")) if self.stack else "top"
        new = f"{parent}_{name}"
        n = 2
        while new in self.names:
            new = f"{parent}_{name}_{n}"
            n += 1
        self.names.add(new)
        item["name"] = new
        self.renamed.append((item.place_of("name"), name, new))

    def buffer_loop(self, r: int, row: dict[str, Cell]) -> bool:
        """Keep the rows of a ``begin loop`` until its ``end loop``; then expand them."""
        words = " ".join(str(row["type"].value).split()) if "type" in row else ""
        m = CONTROL_RE.match(words)
        is_loop = m is not None and m["kind"].lower() == "loop"
        if self.loop is None:
            if is_loop and m is not None and m["edge"].lower() == "begin":
                name = str(row["name"].value) if "name" in row else f"loop_{r}"
                self.loop = _Loop(name, m["list"] or "", r, row)
                return True
            return False
        loop = self.loop
        if is_loop and m is not None:
            if m["edge"].lower() == "begin":
                loop.depth += 1
            elif loop.depth:
                loop.depth -= 1
            else:
                self.loop = None
                self.expand(loop)
                return True
        loop.rows.append((r, row))
        return True

    def expand(self, loop: _Loop) -> None:
        """pyxform's loop: a group per choice of the list, the loop's questions in each (named
        ``question_choice`` here, %(name)s and %(label)s filled in with the choice's)."""
        reader, sheet = self.reader, self.sheet
        place = sheet.place(loop.row, loop.head["type"].column)
        entries = self.choices.get(loop.list_name)
        if not isinstance(entries, list) or not entries:
            reader.error(
                f"begin loop over '{loop.list_name}': that choice list is not defined", place
            )
            return
        head = {
            **loop.head,
            "type": Cell("begin group", loop.head["type"].column),
            "name": Cell(loop.name, loop.head["type"].column),
        }
        self.row(loop.row, head)
        inner = {str(row["name"].value) for _r, row in loop.rows if "name" in row}
        for entry in entries:
            value = str(entry.get("value", ""))
            labels = entry.get("label") or {}
            suffix = re.sub(r"[^A-Za-z0-9_.\-]+", "_", value)
            group = {
                "type": Cell("begin group", loop.head["type"].column),
                "name": Cell(f"{loop.name}_{suffix}", loop.head["type"].column),
            }
            for code, text in labels.items():
                key = "label" if code == self.lang else f"label::{code}"
                group[key] = Cell(text, loop.head["type"].column)
            self.row(loop.row, group)
            for r, row in loop.rows:
                self.row(r, self.substitute(row, value, labels, inner, suffix))
            self.row(loop.row, {"type": Cell("end group", loop.head["type"].column)})
        self.row(loop.row, {"type": Cell("end group", loop.head["type"].column)})

    def substitute(
        self, row: dict[str, Cell], value: str, labels: Any, inner: set[str], suffix: str
    ) -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for key, cell in row.items():
            text = cell.value
            if isinstance(text, str):
                code = key.split("::", 1)[1] if "::" in key else self.lang
                label = str(labels.get(code) or labels.get(self.lang) or value)
                text = text.replace("%(name)s", value).replace("%(label)s", label)
                if key == "name":
                    text = f"{text}_{suffix}"
                elif "${" in text:
                    text = re.sub(
                        r"\$\{\s*([^}\s]+)\s*\}",
                        lambda m: f"${{{m[1]}_{suffix}}}" if m[1] in inner else m[0],
                        text,
                    )
            out[key] = Cell(text, cell.column)
        return out

    def item(self, r: int, row: dict[str, Cell]) -> Located:
        sheet = self.sheet
        item = Located(sheet.place(r))
        for column, key in SIMPLE.items():
            if column not in row:
                continue
            cell = row[column]
            value: Any = cell.value
            if column in EXPRESSION_COLUMNS:
                value = expression(value)
            elif column in ("required", "read_only", "worker_only"):
                value = flag(value)
                if column == "required" and value.lower() not in YES | NO:
                    value = expression(value)
            elif column != "default":
                value = str(value)
            item[key] = value
            item.key_places[key] = sheet.place(r, cell.column)
        for key in TEXT_COLUMNS:
            text, col = texts_of(row, key, self.lang)
            if text:
                item[key] = text
                item.key_places[key] = sheet.place(r, col)
        if "appearance" in row:
            cell = row["appearance"]
            kept = self.appearances(str(cell.value), sheet.place(r, cell.column))
            if kept:
                item["appearance"] = kept
                item.key_places["appearance"] = sheet.place(r, cell.column)
        if (
            "label" not in item
            and "hint" not in item
            and "name" in item
            and ("media" in self.sheet.feature_rows.get(r, ()))
        ):
            # Its label was a picture or sound: the name stands in (the media warning says so).
            item["label"] = {self.lang: str(item["name"])}
        for column, feature in (
            ("trigger", "trigger"),
            ("autoplay", "autoplay"),
            ("save_to", "save_to"),
            ("sms_field", "sms_field"),
            ("rows", "rows"),
        ):
            if column in row:
                self.reader.usage.add("column", feature, sheet.place(r, row[column].column))
        return item

    def appearances(self, text: str, place: Place) -> list[str]:
        kept: list[str] = []
        for word in text.split():
            if word.lower().startswith("search("):
                self.reader.usage.add("appearance", "search()", place)
                continue
            feature = features.appearance_feature(word)
            if feature.status in (features.SUPPORTED, features.NO_EFFECT):
                kept.append(word.lower())
            else:
                self.reader.usage.add("appearance", feature.name, place)
        return kept

    def control(self, m: re.Match[str], r: int, row: dict[str, Cell], place: Place) -> None:
        reader = self.reader
        edge, kind = m["edge"].lower(), m["kind"].lower()
        word = "group" if kind == "group" else "repeat"
        if kind == "loop":  # reached only for a stray "end loop"
            reader.error("end loop without a matching begin loop", place)
            return
        if edge == "end":
            if not self.stack:
                reader.error(f"end_{word} without a matching begin_{word}", place)
            elif self.stack[-1][0] != word:
                reader.error(
                    f"end_{word} closes begin_{self.stack[-1][0]} from row {self.stack[-1][2]}",
                    place,
                )
            else:
                self.stack.pop()
            self.last_select = None
            return
        item = self.item(r, row)
        self.claim(item)
        item.key_places["type"] = place
        if word == "repeat":
            item["type"] = "repeat"
        else:
            item["type"] = "group" if self.stack else "section"
        for key in (
            "required",
            "default",
            "calculate",
            "constraint",
            "choice_filter",
            "read_only",
            "parameters",
        ):
            item.pop(key, None)
        if word != "repeat":
            item.pop("repeat_count", None)
        item.setdefault("items", [])
        self.container().append(item)
        self.stack.append((word, item, r))
        self.last_select = None

    def kind(self, words: str, item: Located, rhi_type: str | None, place: Place) -> str | None:
        reader = self.reader
        select = SELECT_RE.match(words)
        appearance = item.get("appearance") or []
        if select:
            ours = SELECTS[select["cmd"].lower()]
            if ours.startswith("!"):
                reader.usage.add("type", ours[1:], place)
                self.reader.refused_names.add(str(item.get("name", "")))
                return None
            item["choices"] = select["list"]
            if "external" in select["cmd"].lower():
                item["choices"] = self.external_list(select["list"], place)
            item.key_places["choices"] = place
            if select["other"]:
                item["other"] = True
                item.key_places["other"] = place
                self.add_other_choice(str(item["choices"]), place)
            if rhi_type in ("yes_no", "scale") and ours == "select_one":
                if rhi_type == "scale":
                    _drop_appearance(item, "likert")
                return rhi_type
            return ours
        lowered = words.lower()
        if rhi_type == "long_text" or (lowered in ("text", "string") and "multiline" in appearance):
            _drop_appearance(item, "multiline")
            return "long_text"
        if lowered in TYPES:
            ours = TYPES[lowered]
            if ours == "hidden":
                return self.hidden(item)
            if ours == "phone number":
                # pyxform's "phone number": text of digits, with its own hint.
                item.setdefault("constraint", "regex(., '^\\d*$')")
                item.setdefault("hint", {self.lang: "Enter numbers only."})
                return "text"
            default = item.get("default")
            if (
                isinstance(default, str)
                and ours not in ("calculate",)
                and DYNAMIC_DEFAULT.search(default)
            ):
                reader.usage.add("column", "dynamic default", item.place_of("default"))
            return ours
        if OSM_RE.match(lowered):
            lowered = "osm"
        if lowered in TYPE_FEATURES:
            name = TYPE_FEATURES[lowered]
            reader.usage.add("type", name, place)
            feature = features.feature("type", name)
            if feature.status == features.LAPTOP:  # e.g. a geopoint: an address as text
                return LAPTOP_TYPES[name]
            if name in LEFT_OUT and "name" in item:
                # Left out, but kept as an empty value so expressions naming it still work.
                item.pop("label", None)
                item["calculate"] = "''"
                return "calculate"
            self.reader.refused_names.add(str(item.get("name", "")))
            return None
        if not words:
            reader.error("this row has no type", place)
            return None
        return words  # the validator names the unknown type

    def add_other_choice(self, list_name: str, place: Place) -> None:
        """``or_other``: XLSForm adds an "Other" choice to the list (as pyxform does, to the
        list itself, so every question using it offers it)."""
        entries = self.choices.get(list_name)
        if not isinstance(entries, list) or any(e.get("value") == "other" for e in entries):
            return
        languages = {code for e in entries for code in (e.get("label") or {})} or {self.lang}
        entries.append(
            Located(place, value="other", label=dict.fromkeys(sorted(languages), "Other"))
        )

    def external_list(self, name: str, place: Place) -> str:
        """A select_one_external's list, taken from the external_choices sheet (kept apart
        from a choices-sheet list of the same name)."""
        if self.external is None or name not in self.external:
            self.reader.error(
                f"select_one_external {name}: the external_choices sheet has no list '{name}'",
                place,
            )
            return name
        key = name if name not in self.choices else f"{name}_external"
        if key not in self.choices:
            self.choices[key] = self.external[name]
            self.choices.key_places[key] = self.external.place_of(name)
        return key

    def hidden(self, item: Located) -> str:
        """``hidden``: a value with no input (its calculation, or its default)."""
        if "calculate" not in item:
            default = item.pop("default", None)
            item["calculate"] = "''" if default in (None, "") else _quoted(str(default))
        return "calculate"

    def sections(self) -> list[Located]:
        """Top-level groups are sections; questions outside any group go in implicit ones."""
        out: list[Located] = []
        run: list[Located] = []
        taken = {str(row["name"].value) for _r, row in self.sheet.rows if "name" in row}
        runs = sum(
            1
            for i, entry in enumerate(self.top)
            if entry.get("type") != "section"
            and (i == 0 or self.top[i - 1].get("type") == "section")
        )
        counter = 0

        def flush() -> None:
            nonlocal counter
            if not run:
                return
            counter += 1
            name = "questions" if runs == 1 else f"questions_{counter}"
            while name in taken:
                name = f"_{name}"
            taken.add(name)
            label = dict(self.title)
            if runs > 1:
                label = {k: f"{v} ({counter})" for k, v in label.items()}
            section = Located(run[0].place, name=name, type="section", label=label)
            section["implicit"] = True
            section["items"] = list(run)
            out.append(section)
            run.clear()

        for entry in self.top:
            if entry.get("type") == "section":
                flush()
                out.append(entry)
            else:
                run.append(entry)
        flush()
        return out


def _quoted(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    return f'"{text}"'
