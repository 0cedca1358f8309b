"""Write a FormDefinition as an XLSForm workbook (ODK / Kobo / SurveyCTO) with openpyxl.

The workbook converts with pyxform and reads back (loader_xlsform) as an equal form. Our own
attributes travel in extra columns other XLSForm tools ignore: ``rhi_type`` (restores
long_text, yes_no, scale and the "other — please say" rows), ``label_yp::…``, ``worker_only``,
and ``face`` on the choices sheet; the settings sheet carries ``rhi_languages`` (names and text
directions) and ``rhi_title::…``; risk flags live on their own ``risk_flags`` sheet; the worker's
guidance is ``guidance::…`` (an imported ``guidance_hint`` is read as guidance too). The mapping
of types is documented in docs/forms.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from rhi_core.forms.schema import OTHER_CODE, FormDefinition, Group, Item, Question, Text

# Our type -> (XLSForm type, appearance) when it is not the same word.
_EXPORT_TYPE = {
    "long_text": ("text", "multiline"),
    "datetime": ("dateTime", None),
    "scale": ("select_one", "likert"),
    "yes_no": ("select_one", None),
}
# Survey text columns: our attribute -> XLSForm column.
_TEXT_COLUMNS = {
    "label": "label",
    "hint": "hint",
    # Worker-only guidance in its own column: pyxform's guidance_hint would want every language.
    "guidance": "guidance",
    "label_yp": "label_yp",
    "constraint_message": "constraint_message",
    "required_message": "required_message",
}


def _lang_header(form: FormDefinition, key: str, code: str) -> str:
    lang = form.language(code)
    name = lang.name if lang is not None else code
    return f"{key}::{name} ({code})"


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=..." must stay text, never become a formula


def _write_table(ws: Worksheet, headers: list[str], rows: list[dict[str, Any]]) -> None:
    for col, header in enumerate(headers, start=1):
        _put(ws, 1, col, header)
    for r, row in enumerate(rows, start=2):
        for col, header in enumerate(headers, start=1):
            value = row.get(header)
            if value is not None and value != "":
                _put(ws, r, col, value)


def _implied_other(form: FormDefinition, question: Question) -> bool:
    """An ``or_other`` select: the list has no "other" choice of its own."""
    listed = form.choices.get(question.choices or "", ())
    return question.other and not any(c.value == OTHER_CODE for c in listed)


class _Survey:
    """The survey sheet's rows, and which language columns they use."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.rows: list[dict[str, Any]] = []
        self.used: dict[str, set[str]] = {key: set() for key in _TEXT_COLUMNS}

    def texts(self, item: Item, row: dict[str, Any]) -> None:
        for key, column in _TEXT_COLUMNS.items():
            text: Text = getattr(item, key, {})
            for code, value in text.items():
                self.used[key].add(code)
                row[_lang_header(self.form, column, code)] = value

    def emit(self, item: Item) -> None:
        if isinstance(item, Group):
            self.group(item)
        else:
            self.question(item)

    def group(self, group: Group) -> None:
        if group.implicit:  # questions the spreadsheet had outside any group
            for child in group.items:
                self.emit(child)
            return
        row: dict[str, Any] = {"name": group.name}
        self.texts(group, row)
        if group.worker_only:
            row["worker_only"] = "yes"
        word = "repeat" if group.kind == "repeat" else "group"
        row["type"] = f"begin_{word}"
        row["relevant"] = group.relevant
        row["repeat_count"] = group.repeat_count
        row["appearance"] = " ".join(group.appearance) or None
        self.rows.append(row)
        for child in group.items:
            self.emit(child)
        self.rows.append({"type": f"end_{word}", "name": group.name})

    def question(self, q: Question) -> None:
        form = self.form
        row: dict[str, Any] = {"name": q.name}
        self.texts(q, row)
        if q.worker_only:
            row["worker_only"] = "yes"
        xls_type, appearance = _EXPORT_TYPE.get(q.type, (q.type, None))
        if q.type in _EXPORT_TYPE:
            row["rhi_type"] = q.type
        implied = _implied_other(form, q)
        if xls_type in ("select_one", "select_multiple", "rank"):
            xls_type = f"{xls_type} {q.choices}" + (" or_other" if implied else "")
        appearances = [a for a in (appearance, *q.appearance) if a]
        required: Any = "yes" if q.required else None
        if q.required_when:
            required = q.required_when
        row.update(
            type=xls_type,
            appearance=" ".join(dict.fromkeys(appearances)) or None,
            required=required,
            relevant=q.relevant,
            constraint=q.constraint,
            calculation=q.calculate,
            choice_filter=q.choice_filter,
            read_only="yes" if q.read_only else None,
            parameters=" ".join(f"{k}={v}" for k, v in q.parameters.items()) or None,
            default=" ".join(q.default) if isinstance(q.default, list) else q.default,
        )
        self.rows.append(row)
        if q.other and not implied:
            other: dict[str, Any] = {
                "type": "text",
                "name": q.other_name,
                "rhi_type": "other_text",
                "relevant": f"selected(${{{q.name}}}, 'other')",
            }
            for code, value in q.other_label.items():
                self.used["label"].add(code)
                other[_lang_header(form, "label", code)] = value
            self.rows.append(other)

    def headers(self) -> list[str]:
        form = self.form
        codes = [lang.code for lang in form.languages]
        self.used["label"].add(form.default_language)

        def lang_columns(key: str) -> list[str]:
            column = _TEXT_COLUMNS[key]
            return [_lang_header(form, column, c) for c in codes if c in self.used[key]]

        optional = [
            key
            for key in ("choice_filter", "repeat_count", "read_only", "parameters")
            if any(row.get(key) for row in self.rows)
        ]
        return [
            "type",
            "name",
            *lang_columns("label"),
            *lang_columns("hint"),
            "required",
            *lang_columns("required_message"),
            "relevant",
            "constraint",
            *lang_columns("constraint_message"),
            "calculation",
            "default",
            "appearance",
            *optional,
            "rhi_type",
            "worker_only",
            *lang_columns("label_yp"),
            *lang_columns("guidance"),
        ]


def export_xlsform(form: FormDefinition, path: str | Path) -> None:
    """Write ``form`` as an XLSForm workbook that pyxform converts and import_xlsform restores."""
    codes = [lang.code for lang in form.languages]
    survey = _Survey(form)
    for section in form.sections:
        survey.emit(section)
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "survey"
    _write_table(sheet, survey.headers(), survey.rows)

    all_choices = [ch for lst in form.choices.values() for ch in lst]
    choice_codes = [c for c in codes if any(c in ch.label for ch in all_choices)]
    extra_columns = list(dict.fromkeys(k for ch in all_choices for k in ch.extra))
    choice_headers = [
        "list_name",
        "name",
        *[_lang_header(form, "label", c) for c in choice_codes],
        *extra_columns,
    ]
    if any(ch.face for ch in all_choices):
        choice_headers.append("face")
    choice_rows = []
    for list_name, choices in form.choices.items():
        for ch in choices:
            row: dict[str, Any] = {"list_name": list_name, "name": ch.value, "face": ch.face}
            for code, value in ch.label.items():
                row[_lang_header(form, "label", code)] = value
            row.update(ch.extra)
            choice_rows.append(row)
    _write_table(wb.create_sheet("choices"), choice_headers, choice_rows)

    settings: dict[str, Any] = {
        "form_title": form.title.get(form.default_language, ""),
        "form_id": form.id,
        "version": form.version,
        "default_language": _lang_header(form, "x", form.default_language)[3:],
        "rhi_languages": "; ".join(
            f"{lg.name} ({lg.code}) {lg.direction}" for lg in form.languages
        ),
    }
    if form.instance_name:
        settings["instance_name"] = form.instance_name
    if any(len({c.value for c in lst}) < len(lst) for lst in form.choices.values()):
        settings["allow_choice_duplicates"] = "yes"  # cascading lists may repeat a value
    for code, value in form.title.items():
        if code != form.default_language:
            settings[_lang_header(form, "rhi_title", code)] = value
    _write_table(wb.create_sheet("settings"), list(settings), [settings])

    if form.risk_flags:
        flag_codes = [c for c in codes if any(c in f.label for f in form.risk_flags)]
        prompt_codes = [c for c in codes if any(c in p for f in form.risk_flags for p in f.prompts)]
        headers = [
            "code",
            *[_lang_header(form, "label", c) for c in flag_codes],
            "when",
            *[_lang_header(form, "prompts", c) for c in prompt_codes],
        ]
        flag_rows = []
        for flag in form.risk_flags:
            frow: dict[str, Any] = {"code": flag.code, "when": flag.when}
            for code, value in flag.label.items():
                frow[_lang_header(form, "label", code)] = value
            for code in prompt_codes:
                # One prompt per line; a language missing a prompt keeps an empty line so the
                # prompts of every language stay aligned.
                lines = [p.get(code, "") for p in flag.prompts]
                if any(lines):
                    frow[_lang_header(form, "prompts", code)] = "\n".join(lines)
            flag_rows.append(frow)
        _write_table(wb.create_sheet("risk_flags"), headers, flag_rows)
    wb.save(str(path))
