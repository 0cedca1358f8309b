"""Read an XLSForm (ODK / Kobo / SurveyCTO / Ona) spreadsheet into a FormDefinition.

The XLSForm specification (xlsform.org) is the reference and pyxform, ODK's converter, the
oracle: what pyxform accepts either imports as an equivalent form or is refused with one message
per unsupported feature naming its rows (see xlsform_features.py and docs/forms.md).

The reader turns the sheets into the same ``Located`` data the YAML loader makes, so one
validator (build.py) checks both. What XLSForm allows and our YAML spells differently is
translated here: column aliases and case, ``label:Language`` headers, questions outside any
group (an implicit section), a missing id, version or title (derived), ``or_other``, old type
names (``select one from``, ``imei``...), Excel TRUE/FALSE in expressions. Our own attributes
travel in extra columns other tools ignore: ``rhi_type``, ``label_yp::…``, ``worker_only``,
``face`` on the choices sheet, ``rhi_languages`` and ``rhi_title::…`` in settings and a
``risk_flags`` sheet.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from rhi_core.forms import xlsform_features as features
from rhi_core.forms.build import build_form
from rhi_core.forms.diagnostics import Usage, rows_text, tidy
from rhi_core.forms.errors import WARNING, FormError, FormLoadError, Place
from rhi_core.forms.languages import language_of
from rhi_core.forms.located import Located
from rhi_core.forms.schema import FormDefinition
from rhi_core.forms.xlsform_sheets import (
    Cell,
    Sheet,
    Table,
    code_of,
    column_letter,
    read_tables,
    texts_of,
)
from rhi_core.forms.xlsform_survey import Survey
from rhi_core.forms.xlsform_vocabulary import (
    BIND,
    CONTROL,
    FEATURE,
    SETTING_ALIASES,
    SURVEY_ALIASES,
    SURVEY_COLUMNS,
    TEXT_COLUMNS,
    expression,
    snake,
)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[FormError] = []
        self.usage = Usage()
        self.languages: dict[str, str] = {}  # code -> name, in order of appearance
        self.plain_text = False  # a text column without a language ("label")
        self.unknown_languages: dict[str, list[Place]] = {}
        self.unknown_columns: dict[str, Place] = {}
        self.default_code = "en"
        self.refused_names: set[str] = set()  # items left out by a refusal

    def error(self, message: str, place: Place) -> None:
        self.problems.append(FormError(message, place))

    def warn(self, message: str, place: Place) -> None:
        self.problems.append(FormError(message, place, WARNING))

    # -- headers -----------------------------------------------------------------------

    def language(self, text: str, place: Place) -> str:
        if text.strip().lower() == "default":
            self.plain_text = True
            return "\0default"
        code, name, known = language_of(text)
        if not known:
            self.unknown_languages.setdefault(text.strip(), []).append(place)
        self.languages.setdefault(code, name)
        return code

    def header(self, raw: str, kind: str, place: Place) -> str | None:
        """The key a header is read under, e.g. ``label::ar``; None to leave the column out."""
        header = " ".join(raw.split())
        if header.startswith("#"):
            return None  # a comment column
        parts = [p.strip() for p in header.split("::")] if "::" in header else [header]
        if len(parts) == 1 and ":" in header:
            parts = _split_single_colon(header)
        base = snake(parts[0]) if kind != "choices" else parts[0].lower()
        rest = parts[1:]
        if kind == "survey":
            if base == "bind" and rest:
                sub = rest[0].lower()
                if sub in BIND:
                    base, rest = BIND[sub], rest[1:]
                else:
                    return FEATURE + "bind::*"
            elif base == "control" and rest:
                sub = rest[0].lower()
                if sub in CONTROL:
                    base, rest = CONTROL[sub], rest[1:]
                else:
                    return FEATURE + "body::*"
            elif base in ("body", "instance"):
                return FEATURE + f"{base}::*"
            base = SURVEY_ALIASES.get(base, base)
            if base not in SURVEY_COLUMNS:
                self.unknown_columns.setdefault(header, place)
                return None
        elif kind == "choices":
            base = snake(parts[0])
            base = {"caption": "label", "value": "name"}.get(base, base)
            if base in ("image", "big-image", "audio", "video", "media"):
                return FEATURE + "media"
            if base not in ("list_name", "name", "label", "face"):
                # A filter column: kept as written, since choice_filter names it that way.
                return header
        elif kind == "settings":
            base = SETTING_ALIASES.get(base, base)
        if base == "media":
            return FEATURE + "media"
        if rest:
            if base in (*TEXT_COLUMNS, "prompts", "rhi_title"):
                return f"{base}::{self.language(rest[-1], place)}"
            if kind == "survey":
                self.unknown_columns.setdefault(header, place)
                return None
            return header
        if base in TEXT_COLUMNS or base == "prompts":
            self.plain_text = True
        return base

    def sheet(self, table: Table, kind: str) -> Sheet:
        sheet = Sheet(self.file, table.name)
        columns: list[tuple[int, str]] = []
        feature_columns: list[tuple[int, str]] = []  # columns of features we do not read
        for idx, value in enumerate(table.header):
            if value is None:
                continue
            letter = column_letter(idx)
            place = sheet.place(1, letter)
            key = self.header(str(value), kind, place)
            if key is None:
                continue
            if key.startswith(FEATURE):
                feature_columns.append((idx, key[len(FEATURE) :]))
                continue
            if key in sheet.columns:
                first = sheet.originals[key]
                self.error(
                    f"column '{value}' says the same as column '{first}' "
                    f"(column {sheet.columns[key]}); keep one of them",
                    place,
                )
                continue
            sheet.columns[key] = letter
            sheet.originals[key] = str(value)
            columns.append((idx, key))
        for number, values in table.rows:
            for idx, name in feature_columns:
                if idx < len(values) and values[idx] is not None:
                    # The rows that use the feature are reported, not the header.
                    self.usage.add("column", name, sheet.place(number, column_letter(idx)))
                    sheet.feature_rows.setdefault(number, set()).add(name)
            row: dict[str, Cell] = {}
            for idx, key in columns:
                value = values[idx] if idx < len(values) else None
                if value is None:
                    continue
                row[key] = Cell(value, column_letter(idx))
            if row:
                sheet.rows.append((number, row))
        return sheet

    def resolve_languages(self, settings_row: dict[str, Cell]) -> None:
        """Which language plain ``label`` columns are in, and the form's default."""
        given = settings_row.get("default_language")
        if given is not None:
            code, name, known = language_of(str(given.value))
            self.languages.setdefault(code, name)
            self.default_code = code
        elif self.plain_text:
            self.default_code = "en" if "en" not in self.languages else "x-default"
            self.languages.setdefault(
                self.default_code, "English" if self.default_code == "en" else "Default"
            )
        elif self.languages:
            self.default_code = next(iter(self.languages))
        else:
            self.languages.setdefault("en", "English")


def _split_single_colon(header: str) -> list[str]:
    """``label:English`` and ``bind:jr:constraintMsg`` (the older single-colon headers)."""
    tokens = [t.strip() for t in header.split(":")]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].lower() == "jr" and i + 1 < len(tokens):
            out.append(f"jr:{tokens[i + 1]}")
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    if out and out[0].lower() == "jr" or (out and out[0].lower().startswith("jr:")):
        return [":".join(out)]
    return out


# -- the workbook -------------------------------------------------------------------------------


def import_xlsform(path: str | Path) -> FormDefinition:
    """Read an XLSForm workbook (.xlsx or .xls); raises FormLoadError listing every problem."""
    file = str(path)
    tables = read_tables(path)
    reader = _Reader(file)
    raw = _assemble(reader, tables, Path(path))
    if raw is None:
        raise FormLoadError(tidy(reader.problems))
    form, errors = build_form(raw, file, reader.refused_names)
    if any(not p.is_warning for p in reader.problems):
        # A refused feature took the rows with it; "no sections" would only repeat that.
        errors = [e for e in errors if "non-empty list of 'sections'" not in e.message]
    problems = tidy(reader.problems + errors + list(form.warnings if form else ()))
    if form is None or any(not p.is_warning for p in problems):
        raise FormLoadError(problems)
    warnings = tuple(p for p in problems if p.is_warning)
    object.__setattr__(form, "warnings", warnings)
    return form


def _assemble(reader: _Reader, tables: list[Table], path: Path) -> Located | None:
    file = reader.file
    by_name = {t.name.strip().lower(): t for t in tables}
    survey_table = by_name.get("survey")
    if (
        survey_table is None
        and len(tables) == 1
        and any(str(h).strip().lower() == "type" for h in tables[0].header if h is not None)
    ):
        survey_table = tables[0]  # a one-sheet workbook is the survey, as pyxform reads it
    if survey_table is None:
        names = ", ".join(f"'{t.name}'" for t in tables)
        reader.error(
            f"the workbook has no 'survey' sheet (its sheets: {names}); name the questions' "
            "sheet 'survey'",
            Place(file),
        )
        return None
    survey = reader.sheet(survey_table, "survey")
    choices = reader.sheet(by_name["choices"], "choices") if "choices" in by_name else None
    settings = reader.sheet(by_name["settings"], "settings") if "settings" in by_name else None
    flags = reader.sheet(by_name["risk_flags"], "risk_flags") if "risk_flags" in by_name else None
    external = (
        reader.sheet(by_name["external_choices"], "choices")
        if "external_choices" in by_name
        else None
    )
    for sheet_name in ("entities", "osm"):
        if sheet_name in by_name:
            reader.usage.add("sheet", sheet_name, Place(file, sheet=by_name[sheet_name].name))
    setting_row = settings.rows[0][1] if settings and settings.rows else {}
    setting_r = settings.rows[0][0] if settings and settings.rows else 1
    reader.resolve_languages(setting_row)
    lang = reader.default_code

    form = Located(Place(file, sheet=settings.name if settings else survey.name, row=1))

    def setting_place(key: str) -> Place:
        assert settings is not None
        return settings.place(setting_r, setting_row[key].column)

    # Languages: rhi_languages gives names and directions; otherwise the column headers do.
    form["default_language"] = lang
    if "default_language" in setting_row:
        form.key_places["default_language"] = setting_place("default_language")
    languages: list[Located] = []
    lang_place = setting_place("rhi_languages") if "rhi_languages" in setting_row else form.place
    if "rhi_languages" in setting_row:
        for part in str(setting_row["rhi_languages"].value).split(";"):
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
        codes = [lang] + [c for c in reader.languages if c != lang]
        for code in codes:
            languages.append(Located(lang_place, code=code, name=reader.languages.get(code, code)))
    form["languages"] = languages
    form.key_places["languages"] = lang_place
    for text, places in reader.unknown_languages.items():
        code, _, _ = language_of(text)
        reader.warn(
            f"the language '{text}' ({rows_text(places)} of the headers) has no language code; "
            f"it is kept as '{code}'. Write it like 'label::{text} (xx)' with its code",
            places[0],
        )

    # Identity: XLSForm derives what the settings sheet leaves out.
    form_id = str(setting_row["form_id"].value).strip() if "form_id" in setting_row else None
    if form_id is not None:
        safe = _safe_id(form_id)
        if safe != form_id:
            reader.warn(
                f"the form id '{form_id}' is read as '{safe}' (ids hold letters, digits, '_', "
                "'-' and '.'); change form_id to choose it",
                setting_place("form_id"),
            )
        form["id"] = safe
        form.key_places["id"] = setting_place("form_id")
    else:
        form["id"] = _safe_id(path.stem)
    if "version" in setting_row:
        form["version"] = str(setting_row["version"].value)
        form.key_places["version"] = setting_place("version")
    else:
        form["version"] = "auto-" + _content_hash(tables)[:10]
    title: dict[str, str] = {}
    if "form_title" in setting_row:
        title[lang] = str(setting_row["form_title"].value)
        form.key_places["title"] = setting_place("form_title")
    for key, cell in setting_row.items():
        if key.startswith("rhi_title::"):
            title[code_of(key.split("::", 1)[1], lang)] = str(cell.value)
    if not title:
        title[lang] = str(form["id"])
    form["title"] = title
    if "instance_name" in setting_row:
        form["instance_name"] = expression(setting_row["instance_name"].value)
        form.key_places["instance_name"] = setting_place("instance_name")
    _note_settings(reader, settings, setting_r, setting_row)

    form["choices"] = _assemble_choices(reader, choices, lang) if choices else Located(form.place)
    survey_reader = Survey(reader, survey, lang, title, form["choices"])
    if external is not None:
        survey_reader.external = _assemble_choices(reader, external, lang)
    form["sections"] = survey_reader.assemble()
    form.key_places["sections"] = survey.place(1)
    if flags is not None:
        form["risk_flags"] = _assemble_flags(flags, lang)
    _report_usage(reader)
    return form


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", text).strip("_.-") or "form"


def _content_hash(tables: list[Table]) -> str:
    digest = hashlib.sha256()
    for table in tables:
        digest.update(repr((table.name, table.header, table.rows)).encode("utf-8"))
    return digest.hexdigest()


def _note_settings(
    reader: _Reader, settings: Sheet | None, row: int, setting_row: dict[str, Any]
) -> None:
    if settings is None:
        return
    ours = ("rhi_languages", "form_id", "form_title", "version", "default_language")
    left_out: list[str] = []
    for key, cell in setting_row.items():
        if key in ours or key.startswith("rhi_title::") or key == "instance_name":
            continue
        if key in features.QUIET_SETTINGS:
            continue
        if ("setting", key) in features.BY_KEY:
            reader.usage.add("setting", key, settings.place(row, cell.column))
        else:
            left_out.append(key)
    if left_out:
        names = ", ".join(repr(k) for k in left_out)
        noun = "setting" if len(left_out) == 1 else "settings"
        verb = "is" if len(left_out) == 1 else "are"
        reader.warn(
            f"{noun} {names} {verb} for ODK servers and phones; left out", settings.place(row)
        )


def _report_usage(reader: _Reader) -> None:
    """One message per feature used, naming its rows."""
    for (kind, name), places in reader.usage.places.items():
        feature = features.BY_KEY.get((kind, name))
        if feature is None and kind == "appearance":
            feature = features.appearance_feature(name)
        if feature is None or feature.status in (features.SUPPORTED, features.NO_EFFECT):
            continue
        message = feature.message(rows_text(places))
        place = Place(reader.file) if len(places) > 1 else places[0]
        if feature.status == features.REFUSED:
            reader.error(message, place)
        else:
            reader.warn(message, place)
    if reader.unknown_columns:
        names = ", ".join(f"'{h}'" for h in reader.unknown_columns)
        first = next(iter(reader.unknown_columns.values()))
        noun = "column" if len(reader.unknown_columns) == 1 else "columns"
        verb = "is not a column" if noun == "column" else "are not columns"
        reader.warn(
            f"survey {noun} {names} {verb} this app reads; left out (check the spelling if "
            "one should count)",
            first,
        )


# -- choices and risk flags ---------------------------------------------------------------------


def _assemble_choices(reader: _Reader, sheet: Sheet, lang: str) -> Located:
    lists = Located(sheet.place(1))
    skipped: list[Place] = []
    for r, row in sheet.rows:
        if "list_name" not in row:
            if "name" in row:
                reader.error("choice row has no list_name", sheet.place(r))
            else:
                skipped.append(sheet.place(r))
            continue
        cell = row["list_name"]
        list_name = str(cell.value).strip()
        entry = Located(sheet.place(r))
        if "name" in row:
            entry["value"] = str(row["name"].value)
            entry.key_places["value"] = sheet.place(r, row["name"].column)
        label, label_col = texts_of(row, "label", lang)
        if label:
            entry["label"] = label
            entry.key_places["label"] = sheet.place(r, label_col)
        if "face" in row:
            entry["face"] = str(row["face"].value)
        extra = {
            k: str(c.value)
            for k, c in row.items()
            if k not in ("list_name", "name", "face") and not k.startswith("label")
        }
        if extra:
            entry["columns"] = extra
        if list_name not in lists:
            lists[list_name] = []
            lists.key_places[list_name] = sheet.place(r, cell.column)
        lists[list_name].append(entry)
    if skipped:
        reader.warn(
            f"choices rows without a list_name or name were skipped ({rows_text(skipped)})",
            skipped[0],
        )
    return lists


def _assemble_flags(sheet: Sheet, lang: str) -> list[Located]:
    out: list[Located] = []
    for r, row in sheet.rows:
        entry = Located(sheet.place(r))
        for key in ("code", "when"):
            if key in row:
                entry[key] = str(row[key].value)
                entry.key_places[key] = sheet.place(r, row[key].column)
        label, col = texts_of(row, "label", lang)
        if label:
            entry["label"] = label
            entry.key_places["label"] = sheet.place(r, col)
        by_lang, col = texts_of(row, "prompts", lang)
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
