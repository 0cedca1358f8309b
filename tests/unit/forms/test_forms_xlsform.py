"""XLSForm export/import: lossless round trip, pyxform conversion, errors with their cells."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pyxform.xls2xform import convert

from rhi_core.forms import FormLoadError, check_file, load_builtin, load_yaml_text
from rhi_core.forms.loader_xlsform import import_xlsform
from rhi_core.forms.writer_xlsform import export_xlsform
from rhi_core.forms.writer_yaml import dump_yaml
from rhi_desktop.cli_forms import forms


def test_yaml_to_xlsx_to_yaml_round_trip(tmp_path: Path) -> None:
    form = load_builtin()
    xlsx = tmp_path / "rhi.xlsx"
    export_xlsform(form, xlsx)
    imported = import_xlsform(xlsx)
    assert imported == form
    again = load_yaml_text(dump_yaml(imported), "again.yaml")
    assert again == form


def test_export_uses_xlsform_types_and_our_columns(tmp_path: Path) -> None:
    xlsx = tmp_path / "rhi.xlsx"
    export_xlsform(load_builtin(), xlsx)
    ws = openpyxl.load_workbook(xlsx)["survey"]
    headers = [c.value for c in ws[1]]
    rows = {
        r[1]: dict(zip(headers, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert rows["what_was_going_on"]["type"] == "text"
    assert rows["what_was_going_on"]["appearance"] == "multiline"
    assert rows["what_was_going_on"]["rhi_type"] == "long_text"
    assert rows["hurt"]["type"] == "select_one yes_no_pns"
    assert rows["feeling_now"]["type"] == "select_one faces_5"
    assert rows["feeling_now"]["appearance"] == "likert"
    assert rows["travel_other"]["rhi_type"] == "other_text"
    assert rows["travel_other"]["relevant"] == "selected(${travel}, 'other')"
    assert rows["where_went"]["label::Arabic (ar)"] == "إلى أين ذهبت؟"
    assert "guidance::English (en)" in headers


def test_exported_rhi_v1_converts_with_pyxform(tmp_path: Path) -> None:
    xlsx = tmp_path / "rhi.xlsx"
    export_xlsform(load_builtin(), xlsx)
    result = convert(xlsform=str(xlsx))
    assert 'id="rhi-v1"' in result.xform
    assert '<translation lang="Arabic (ar)">' in result.xform
    assert result.warnings == []


def _workbook(
    path: Path, survey: list[list[object]], choices: list[list[object]] | None = None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    if choices is not None:
        cs = wb.create_sheet("choices")
        for row in choices:
            cs.append(row)
    st = wb.create_sheet("settings")
    st.append(["form_id", "version", "form_title", "default_language"])
    st.append(["x", "1", "X", "English (en)"])
    wb.save(path)
    return path


def test_foreign_xlsform_imports(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "kobo.xlsx",
        [
            ["type", "name", "label::English (en)", "label::Arabic (ar)", "relevant", "appearance"],
            ["begin group", "g", "Page", "صفحة", None, None],
            ["select_one yn", "ok", "OK?", None, None, None],
            ["text", "why", "Why", None, "${ok} = 'no'", "multiline"],
            ["end group", None, None, None, None, None],
        ],
        [["list_name", "name", "label::English (en)"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    )
    form = import_xlsform(path)
    assert [lang.code for lang in form.languages] == ["en", "ar"]
    assert form.direction("ar") == "rtl"
    why = form.item("why")
    assert why is not None and why.type == "long_text"
    assert form.sections[0].label == {"en": "Page", "ar": "صفحة"}


def test_xlsform_errors_have_sheet_row_and_column(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "bad.xlsx",
        [
            ["type", "name", "label::English (en)", "relevant"],
            ["begin_group", "g", "Page", None],
            ["select_one nolist", "a", "A", None],
            ["widget", "w", "W", None],
            ["integer", "n", "N", "${ghost} = 1"],
            ["end_repeat", None, None, None],
        ],
    )
    # Row 6 closes nothing: the group from row 2 is still open when the sheet ends. Problems
    # come in the order of the rows.
    assert [str(e) for e in check_file(path)] == [
        f"{path}:survey!2: begin_group is never closed with end_group",
        f"{path}:survey!3:A: question 'a' uses choice list 'nolist', which is not defined",
        f"{path}:survey!4:A: question 'w' has an unknown type 'widget' (known: note, text, "
        "long_text, integer, decimal, range, date, time, datetime, yes_no, select_one, "
        "select_multiple, rank, scale, acknowledge, image, file, calculate, start, end, today, "
        "deviceid, username, group, repeat)",
        f"{path}:survey!5:D: question 'n': relevant: ${{ghost}} at column 1 is not a question "
        "in this form",
        f"{path}:survey!6:A: end_repeat closes begin_group from row 2",
    ]


def test_names_repeated_in_other_groups_are_renamed_with_one_warning(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "twice.xlsx",
        [
            ["type", "name", "label::English (en)"],
            ["begin_group", "mum", "Mother"],
            ["text", "name", "Name"],
            ["end_group", None, None],
            ["begin_group", "dad", "Father"],
            ["text", "name", "Name"],
            ["end_group", None, None],
        ],
    )
    form = import_xlsform(path)
    assert [q.name for q in form.questions()] == ["name", "dad_name"]
    assert [str(w) for w in form.warnings] == [
        f"{path}:survey!6:B: warning: names used more than once were renamed (row 6): 'name' → "
        "'dad_name'; answers are kept by name, so each must be unique. Rename them in the sheet "
        "to choose the names"
    ]


def test_top_level_questions_and_language_names_without_codes(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "flat.xlsx",
        [["type", "name", "label::Klingon", "label::French"], ["text", "a", "A", "Un"]],
    )
    form = import_xlsform(path)
    (section,) = form.sections
    assert section.implicit and section.label == {"en": "X"}  # the form title
    assert [lang.code for lang in form.languages] == ["en", "x-klingon", "fr"]
    assert [str(w) for w in form.warnings] == [
        f"{path}:survey!1:C: warning: the language 'Klingon' (row 1 of the headers) has no "
        "language code; it is kept as 'x-klingon'. Write it like 'label::Klingon (xx)' with its "
        "code",
        f"{path}:survey!2: warning: question 'a' has no label in the default language 'en'; "
        "another language's label is shown",
    ]


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(FormLoadError) as info:
        import_xlsform(path)
    assert [str(e) for e in info.value.errors] == [
        f"{path}: cannot open the workbook: it is not an .xlsx spreadsheet"
    ]


def test_workbook_without_survey(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert [e.message for e in check_file(path)] == [
        "the workbook has no 'survey' sheet (its sheets: 'Sheet'); name the questions' sheet "
        "'survey'"
    ]


def test_unsupported_features_are_refused_once_each_with_their_rows(tmp_path: Path) -> None:
    header = ["type", "name", "label::English (en)", "calculation", "appearance", "media::image"]
    survey = [
        header,
        ["begin_group", "g", "Page", None, None, None],
        ["calculate", "a", None, "pulldata('f', 'x', 'k', ${b})", None, None],
        ["text", "b", "B", None, None, None],
        ["calculate", "c", None, "pulldata('f', 'y', 'k', ${b})", None, None],
        ["select_one_from_file towns.csv", "town", "Town", None, None, None],
        ["select_one_from_file towns.csv", "town2", "Town again", None, None, None],
        ["select_one yn", "s", "S", None, "search('towns')", None],
        ["calculate", "d", None, "pulldata('f', 'z', 'k', ${b})", None, None],
        ["phonenumber", "phone", None, None, None, None],
        ["note", "n", "Look", None, None, "map.png"],
        ["integer", "e", "E", "${ghost} + 1", None, None],
        ["end_group", None, None, None, None, None],
    ]
    choices = [["list_name", "name", "label::English (en)"], ["yn", "y", "Yes"]]
    path = _workbook(tmp_path / "odd.xlsx", survey, choices)
    result = CliRunner().invoke(forms, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: type 'select_one_from_file' (rows 6, 7): it reads data files that are not in "
        "the spreadsheet; copy the choices into the choices sheet and use select_one",
        f"{path}: function pulldata() (rows 3, 5, 9) is not supported: it reads an external CSV "
        "file, which the spreadsheet does not carry",
        f"{path}:survey!8:E: appearance 'search()' (row 8): search('file') reads choices from a "
        "CSV file that is not in the spreadsheet; copy the choices into the choices sheet and "
        "use the search appearance alone",
        f"{path}:survey!12:D: question 'e': calculate: ${{ghost}} at column 1 is not a question "
        "in this form",
        f"{path}:survey!10:A: warning: type 'phonenumber' (row 10): left out: a laptop has no "
        "phone number",
        f"{path}:survey!11:F: warning: column 'media' (row 11): pictures, audio and video in "
        "labels are left out: the files are not in the spreadsheet; put what matters in the "
        "label text",
    ]


def test_old_excel_files_are_read(tmp_path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("survey")
    for r, row in enumerate([["type", "name", "label"], ["text", "who", "Who?"]]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    path = tmp_path / "old.xls"
    wb.save(str(path))
    result = CliRunner().invoke(forms, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {path}: form 'old' version auto-")
    form = import_xlsform(path)
    assert [q.name for q in form.questions()] == ["who"]


def test_a_file_that_is_not_the_spreadsheet_its_name_says(tmp_path: Path) -> None:
    path = tmp_path / "fake.xls"
    path.write_text("hello", encoding="utf-8")
    assert [e.message for e in check_file(path)] == [
        "cannot open the workbook: it is not an .xls spreadsheet"
    ]


def test_docs_list_every_xlsform_feature_with_what_happens() -> None:
    from rhi_core.forms.expressions.functions import ARITY, UNSUPPORTED
    from rhi_core.forms.xlsform_features import FEATURES

    docs = (Path(__file__).parents[3] / "docs" / "forms.md").read_text(encoding="utf-8")
    rows = {line for line in docs.splitlines() if line.startswith("| `")}
    for feature in FEATURES:
        effect = feature.effect + (f"; {feature.fix}" if feature.fix else "")
        assert f"| `{feature.name}` | {feature.status} | {effect} |" in rows, feature.name
    supported = next(r for r in rows if "`concat()`" in r)
    assert all(f"`{name}()`" in supported for name in ARITY)
    for name in UNSUPPORTED:
        assert any(r.startswith(f"| `{name}()` | refused |") for r in rows), name
