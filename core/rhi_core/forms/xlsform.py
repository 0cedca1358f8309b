"""XLSForm (ODK / Kobo / SurveyCTO) import and export with openpyxl.

Our own attributes travel in extra columns that other XLSForm tools ignore: ``rhi_type``
(restores long_text, yes_no, scale and the "other — please say" rows), ``label_yp::…``,
``guidance::…``, ``worker_only``, and ``face`` on the choices sheet; the settings sheet carries
``rhi_languages`` (names and text directions) and ``rhi_title::…``; risk flags live on their own
``risk_flags`` sheet. The mapping of types is documented in docs/forms.md.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rhi_core.forms.build import build_form
from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.located import Located
from rhi_core.forms.schema import FormDefinition, Group, Item, Text

# Our type -> (XLSForm type, appearance) when it is not the same word.
_EXPORT_TYPE = {
    "long_text": ("text", "multiline"),
    "datetime": ("dateTime", None),
    "scale": ("select_one", "likert"),
    "yes_no": ("select_one", None),
}
_IMPORT_TYPE = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "note": "note",
    "calculate": "calculate",
}
_TEXT_COLUMNS = ("label", "hint", "guidance", "label_yp", "constraint_message")
_LANG_IN_HEADER = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$")
_KNOWN_LANGUAGE_NAMES = {
    "english": "en",
    "arabic": "ar",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "pashto": "ps",
    "dari": "prs",
    "persian": "fa",
    "farsi": "fa",
    "kurdish": "ku",
    "tigrinya": "ti",
    "amharic": "am",
    "somali": "so",
    "urdu": "ur",
    "polish": "pl",
    "romanian": "ro",
    "albanian": "sq",
    "vietnamese": "vi",
    "welsh": "cy",
}


# -- export ------------------------------------------------------------------------------------


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


def export_xlsform(form: FormDefinition, path: str | Path) -> None:
    """Write ``form`` as an XLSForm workbook that pyxform converts and import_xlsform restores."""
    codes = [lang.code for lang in form.languages]
    used: dict[str, set[str]] = {key: set() for key in _TEXT_COLUMNS}
    rows: list[dict[str, Any]] = []

    def texts(item: Item, row: dict[str, Any]) -> None:
        for key in _TEXT_COLUMNS:
            text: Text = getattr(item, key, {})
            for code, value in text.items():
                used[key].add(code)
                row[_lang_header(form, key, code)] = value

    def emit(item: Item, depth: int) -> None:
        row: dict[str, Any] = {"name": item.name}
        texts(item, row)
        if item.worker_only:
            row["worker_only"] = "yes"
        if isinstance(item, Group):
            word = "repeat" if item.kind == "repeat" else "group"
            row["type"] = f"begin_{word}"
            row["relevant"] = item.relevant
            rows.append(row)
            for child in item.items:
                emit(child, depth + 1)
            rows.append({"type": f"end_{word}", "name": item.name})
            return
        xls_type, appearance = _EXPORT_TYPE.get(item.type, (item.type, None))
        if item.type in _EXPORT_TYPE:
            row["rhi_type"] = item.type
        if xls_type in ("select_one", "select_multiple"):
            xls_type = f"{xls_type} {item.choices}"
        row.update(
            type=xls_type,
            appearance=appearance,
            required="yes" if item.required else None,
            relevant=item.relevant,
            constraint=item.constraint,
            calculation=item.calculate,
            default=" ".join(item.default) if isinstance(item.default, list) else item.default,
        )
        rows.append(row)
        if item.other:
            other: dict[str, Any] = {
                "type": "text",
                "name": item.other_name,
                "rhi_type": "other_text",
                "relevant": f"selected(${{{item.name}}}, 'other')",
            }
            for code, value in item.other_label.items():
                used["label"].add(code)
                other[_lang_header(form, "label", code)] = value
            rows.append(other)

    for section in form.sections:
        emit(section, 0)
    used["label"].add(form.default_language)

    def lang_columns(key: str) -> list[str]:
        return [_lang_header(form, key, c) for c in codes if c in used[key]]

    survey_headers = [
        "type",
        "name",
        *lang_columns("label"),
        *lang_columns("hint"),
        "required",
        "relevant",
        "constraint",
        *lang_columns("constraint_message"),
        "calculation",
        "default",
        "appearance",
        "rhi_type",
        "worker_only",
        *lang_columns("label_yp"),
        *lang_columns("guidance"),
    ]
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    _write_table(survey, survey_headers, rows)

    choice_codes = [
        c for c in codes if any(c in ch.label for lst in form.choices.values() for ch in lst)
    ]
    choice_headers = ["list_name", "name", *[_lang_header(form, "label", c) for c in choice_codes]]
    has_faces = any(ch.face for lst in form.choices.values() for ch in lst)
    if has_faces:
        choice_headers.append("face")
    choice_rows = []
    for list_name, choices in form.choices.items():
        for ch in choices:
            row = {"list_name": list_name, "name": ch.value, "face": ch.face}
            for code, value in ch.label.items():
                row[_lang_header(form, "label", code)] = value
            choice_rows.append(row)
    _write_table(wb.create_sheet("choices"), choice_headers, choice_rows)

    settings = {
        "form_title": form.title.get(form.default_language, ""),
        "form_id": form.id,
        "version": form.version,
        "default_language": _lang_header(form, "x", form.default_language)[3:],
        "rhi_languages": "; ".join(
            f"{lg.name} ({lg.code}) {lg.direction}" for lg in form.languages
        ),
    }
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
            row = {"code": flag.code, "when": flag.when}
            for code, value in flag.label.items():
                row[_lang_header(form, "label", code)] = value
            for code in prompt_codes:
                # One prompt per line; a language missing a prompt keeps an empty line so the
                # prompts of every language stay aligned.
                lines = [p.get(code, "") for p in flag.prompts]
                if any(lines):
                    row[_lang_header(form, "prompts", code)] = "\n".join(lines)
            flag_rows.append(row)
        _write_table(wb.create_sheet("risk_flags"), headers, flag_rows)
    wb.save(str(path))


# -- import ------------------------------------------------------------------------------------


class _Sheet:
    """One sheet read as header -> column, with places for error messages."""

    def __init__(self, ws: Worksheet, file: str, reader: _Reader) -> None:
        self.file = file
        self.name = ws.title
        self.reader = reader
        self.rows: list[tuple[int, dict[str, tuple[Any, str]]]] = []
        self.headers: dict[str, str] = {}  # normalised header -> column letter
        raw_rows = list(ws.iter_rows(values_only=True))
        if not raw_rows:
            return
        header_row = raw_rows[0]
        columns: list[tuple[int, str, str]] = []
        for idx, value in enumerate(header_row):
            if value is None or str(value).strip() == "":
                continue
            letter = get_column_letter(idx + 1)
            key = reader.header_key(
                str(value).strip(), Place(file, sheet=self.name, row=1, column=letter)
            )
            if key is None:
                continue
            if key in self.headers:
                reader.error(
                    f"column '{value}' appears twice",
                    Place(file, sheet=self.name, row=1, column=letter),
                )
                continue
            self.headers[key] = letter
            columns.append((idx, key, letter))
        for r, values in enumerate(raw_rows[1:], start=2):
            row: dict[str, tuple[Any, str]] = {}
            for idx, key, letter in columns:
                value = values[idx] if idx < len(values) else None
                if isinstance(value, str):
                    value = value.strip()
                if value is None or value == "":
                    continue
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                row[key] = (value, letter)
            if row:
                self.rows.append((r, row))

    def place(self, row: int, column: str | None = None) -> Place:
        return Place(self.file, sheet=self.name, row=row, column=column)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[FormError] = []
        self.languages: dict[str, str] = {}  # code -> name, in order of appearance

    def error(self, message: str, place: Place) -> None:
        self.errors.append(FormError(message, place))

    def header_key(self, header: str, place: Place) -> str | None:
        """``label::Arabic (ar)`` -> ``label::ar``; plain headers are lower-cased."""
        if "::" not in header:
            return header.lower()
        base, _, lang = header.partition("::")
        base = base.strip().lower()
        lang = lang.strip()
        match = _LANG_IN_HEADER.match(lang)
        if match:
            code, name = match["code"], match["name"] or match["code"]
        elif lang.lower() in _KNOWN_LANGUAGE_NAMES:
            code, name = _KNOWN_LANGUAGE_NAMES[lang.lower()], lang
        elif re.fullmatch(r"[a-z]{2,3}", lang):
            code, name = lang, lang
        else:
            self.error(
                f"cannot tell the language code of column '{header}'; "
                f"write it like '{base}::{lang} (xx)' with the language code in brackets",
                place,
            )
            return None
        self.languages.setdefault(code, name)
        return f"{base}::{code}"


def _text_from(
    row: dict[str, tuple[Any, str]], key: str, default_lang: str
) -> tuple[Text, str | None]:
    out: dict[str, str] = {}
    letter: str | None = None
    for header, (value, col) in row.items():
        if header == key:
            out[default_lang] = str(value)
            letter = letter or col
        elif header.startswith(key + "::"):
            out[header.split("::", 1)[1]] = str(value)
            letter = letter or col
    return out, letter


def import_xlsform(path: str | Path) -> FormDefinition:
    """Read an XLSForm workbook; raises FormLoadError listing every problem with its cell."""
    file = str(path)
    path = Path(path)
    if not path.exists():
        raise FormLoadError([FormError("the file does not exist", Place(file))])
    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        reason = "it is not an .xlsx spreadsheet" if not isinstance(exc, OSError) else str(exc)
        raise FormLoadError(
            [FormError(f"cannot open the workbook: {reason}", Place(file))]
        ) from None
    reader = _Reader(file)
    sheets = {ws.title.lower(): ws for ws in wb.worksheets}
    if "survey" not in sheets:
        raise FormLoadError([FormError("the workbook has no 'survey' sheet", Place(file))])
    survey = _Sheet(sheets["survey"], file, reader)
    choices = _Sheet(sheets["choices"], file, reader) if "choices" in sheets else None
    settings = _Sheet(sheets["settings"], file, reader) if "settings" in sheets else None
    flags = _Sheet(sheets["risk_flags"], file, reader) if "risk_flags" in sheets else None
    wb.close()
    raw = _assemble(reader, survey, choices, settings, flags)
    form, errors = build_form(raw, file)
    errors = reader.errors + errors
    if errors or form is None:
        raise FormLoadError(errors)
    return form


def _assemble(
    reader: _Reader,
    survey: _Sheet,
    choices: _Sheet | None,
    settings: _Sheet | None,
    flags: _Sheet | None,
) -> Located:
    file = reader.file
    form = Located(Place(file, sheet="settings" if settings else "survey", row=1))
    setting_row: dict[str, tuple[Any, str]] = (
        settings.rows[0][1] if settings and settings.rows else {}
    )
    setting_r = settings.rows[0][0] if settings and settings.rows else 1

    def setting(key: str, target: str) -> Any:
        if key in setting_row:
            value, col = setting_row[key]
            form[target] = str(value)
            form.key_places[target] = settings.place(setting_r, col)  # type: ignore[union-attr]
            return value
        return None

    # Languages: rhi_languages gives names and directions; otherwise the column headers do.
    default_code = "en"
    if "default_language" in setting_row:
        value, col = setting_row["default_language"]
        match = _LANG_IN_HEADER.match(str(value))
        default_code = (
            match["code"] if match else _KNOWN_LANGUAGE_NAMES.get(str(value).lower(), str(value))
        )
        form["default_language"] = default_code
        form.key_places["default_language"] = settings.place(setting_r, col)  # type: ignore[union-attr]
    languages: list[Located] = []
    lang_place = (
        settings.place(setting_r, setting_row["rhi_languages"][1])
        if settings is not None and "rhi_languages" in setting_row
        else form.place
    )
    if "rhi_languages" in setting_row:
        for part in str(setting_row["rhi_languages"][0]).split(";"):
            m = re.fullmatch(r"\s*(?P<name>.*?)\s*\((?P<code>[^)]+)\)\s*(?P<dir>ltr|rtl)?\s*", part)
            if not m:
                reader.error(
                    f"rhi_languages: cannot read '{part.strip()}'; write 'Arabic (ar) rtl'",
                    lang_place,
                )
                continue
            entry = Located(lang_place, code=m["code"], name=m["name"] or m["code"])
            if m["dir"]:
                entry["direction"] = m["dir"]
            languages.append(entry)
    else:
        codes = [default_code] + [c for c in reader.languages if c != default_code]
        for code in codes:
            languages.append(Located(lang_place, code=code, name=reader.languages.get(code, code)))
    form["languages"] = languages
    form.key_places["languages"] = lang_place

    setting("form_id", "id")
    setting("version", "version")
    title: dict[str, str] = {}
    if "form_title" in setting_row:
        title[default_code] = str(setting_row["form_title"][0])
        form.key_places["title"] = settings.place(setting_r, setting_row["form_title"][1])  # type: ignore[union-attr]
    for key, (value, _col) in setting_row.items():
        if key.startswith("rhi_title::"):
            title[key.split("::", 1)[1]] = str(value)
    if title:
        form["title"] = title

    form["choices"] = (
        _assemble_choices(reader, choices, default_code) if choices else Located(form.place)
    )
    form["sections"] = _assemble_survey(reader, survey, default_code)
    form.key_places["sections"] = survey.place(1)
    if flags is not None:
        form["risk_flags"] = _assemble_flags(flags, default_code)
    return form


def _assemble_choices(reader: _Reader, sheet: _Sheet, lang: str) -> Located:
    lists = Located(sheet.place(1))
    for r, row in sheet.rows:
        if "list_name" not in row:
            reader.error("choice row has no list_name", sheet.place(r))
            continue
        list_name, list_col = row["list_name"]
        list_name = str(list_name)
        value_key = "name" if "name" in row else "value"
        entry = Located(sheet.place(r))
        if value_key in row:
            entry["value"] = str(row[value_key][0])
            entry.key_places["value"] = sheet.place(r, row[value_key][1])
        label, label_col = _text_from(row, "label", lang)
        if label:
            entry["label"] = label
            entry.key_places["label"] = sheet.place(r, label_col)
        if "face" in row:
            entry["face"] = str(row["face"][0])
        if list_name not in lists:
            lists[list_name] = []
            lists.key_places[list_name] = sheet.place(r, list_col)
        lists[list_name].append(entry)
    return lists


def _assemble_flags(sheet: _Sheet, lang: str) -> list[Located]:
    out: list[Located] = []
    for r, row in sheet.rows:
        entry = Located(sheet.place(r))
        for key in ("code", "when"):
            if key in row:
                entry[key] = str(row[key][0])
                entry.key_places[key] = sheet.place(r, row[key][1])
        label, col = _text_from(row, "label", lang)
        if label:
            entry["label"] = label
            entry.key_places["label"] = sheet.place(r, col)
        by_lang, col = _text_from(row, "prompts", lang)
        if by_lang:
            split = {code: str(text).split("\n") for code, text in by_lang.items()}
            count = max(len(lines) for lines in split.values())
            prompts = []
            for i in range(count):
                prompt = {c: lines[i] for c, lines in split.items() if i < len(lines) and lines[i]}
                if prompt:
                    prompts.append(prompt)
            entry["prompts"] = prompts
            entry.key_places["prompts"] = sheet.place(r, col)
        out.append(entry)
    return out


_SIMPLE_COLUMNS = {
    "name": "name",
    "relevant": "relevant",
    "constraint": "constraint",
    "calculation": "calculate",
    "required": "required",
    "default": "default",
    "worker_only": "worker_only",
}


def _assemble_survey(reader: _Reader, sheet: _Sheet, lang: str) -> list[Located]:
    top: list[Located] = []
    stack: list[tuple[str, Located, int]] = []  # (begin word, group, row)
    last_question: Located | None = None

    def container() -> list[Any]:
        return stack[-1][1].setdefault("items", []) if stack else top

    for r, row in sheet.rows:
        if "type" not in row:
            reader.error("this row has no type", sheet.place(r, row[next(iter(row))][1]))
            continue
        type_value, type_col = row["type"]
        words = (
            str(type_value).replace("begin group", "begin_group").replace("end group", "end_group")
        )
        words = words.replace("begin repeat", "begin_repeat").replace("end repeat", "end_repeat")
        parts = words.split()
        head = parts[0].lower() if parts else ""
        type_place = sheet.place(r, type_col)
        if head in ("end_group", "end_repeat"):
            want = head[4:]
            if not stack:
                reader.error(f"{head} without a matching begin_{want}", type_place)
            elif stack[-1][0] != want:
                reader.error(
                    f"{head} closes begin_{stack[-1][0]} from row {stack[-1][2]}", type_place
                )
            else:
                stack.pop()
            last_question = None
            continue
        item = Located(sheet.place(r))
        item.key_places["type"] = type_place
        for column, key in _SIMPLE_COLUMNS.items():
            if column in row:
                value, col = row[column]
                item[key] = value if key == "default" else str(value)
                item.key_places[key] = sheet.place(r, col)
        for key in _TEXT_COLUMNS:
            text, text_col = _text_from(row, key, lang)
            if text:
                item[key] = text
                item.key_places[key] = sheet.place(r, text_col)
        rhi_type = str(row["rhi_type"][0]).strip() if "rhi_type" in row else None
        appearance = str(row["appearance"][0]).split() if "appearance" in row else []
        if head in ("begin_group", "begin_repeat"):
            item["type"] = "repeat" if head == "begin_repeat" else ("group" if stack else "section")
            container().append(item)
            item.setdefault("items", [])
            stack.append((head[6:], item, r))
            last_question = None
            continue
        if rhi_type == "other_text":
            if last_question is None or "choices" not in last_question:
                reader.error("an other_text row must follow its select question", type_place)
            else:
                last_question["other"] = True
                last_question.key_places["other"] = type_place
                if "label" in item:
                    last_question["other_label"] = item["label"]
            continue
        our_type = _import_type(parts, rhi_type, appearance, item, type_place)
        item["type"] = our_type
        if not stack:
            reader.error(
                "questions must be inside a group: top-level begin_group rows are the sections "
                "(pages) of the interview",
                type_place,
            )
            continue
        if our_type == "select_multiple" and "default" in item:
            item["default"] = str(item["default"]).split()
        container().append(item)
        last_question = item
    for word, _group, begin_row in stack:
        reader.error(f"begin_{word} is never closed with end_{word}", sheet.place(begin_row))
    return top


def _import_type(
    parts: list[str], rhi_type: str | None, appearance: list[str], item: Located, place: Place
) -> str:
    head = parts[0] if parts else ""
    lowered = head.lower()
    if lowered in ("select_one", "select_multiple", "select1"):
        lowered = "select_one" if lowered == "select1" else lowered
        if len(parts) >= 2:
            item["choices"] = parts[1]
            item.key_places["choices"] = place
        if len(parts) >= 3 and parts[2] == "or_other":
            item["other"] = True
        if rhi_type in ("yes_no", "scale") and lowered == "select_one":
            return rhi_type
        if lowered == "select_one" and "likert" in appearance and rhi_type is None:
            return "select_one"
        return lowered
    if rhi_type == "long_text" or (lowered == "text" and "multiline" in appearance):
        return "long_text"
    return _IMPORT_TYPE.get(lowered, head)
