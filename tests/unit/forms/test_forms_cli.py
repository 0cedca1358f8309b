"""The ``forms`` click group: check, import, export; exit codes and messages."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from rhi_core.forms import builtin_path, load_builtin, load_yaml
from rhi_desktop.cli_forms import forms


def test_check_builtin_ok() -> None:
    result = CliRunner().invoke(forms, ["check", builtin_path("rhi-v1")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    assert (
        "form 'rhi-v1' version 1.1.0: 9 sections, 89 questions, 11 risk flags, languages en, ar"
        in result.output
    )


def test_check_reports_every_error_one_per_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'id: x\nversion: "1"\ntitle: X\nsections:\n  - name: s\n    label: S\n    items:\n'
        "      - {name: a, type: blob, label: A}\n"
        '      - {name: b, type: text, label: B, relevant: "${c} = 1"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(forms, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:8: question 'a' has an unknown type 'blob'")
    assert (
        lines[1]
        == f"{path}:9: question 'b': relevant: ${{c}} at column 1 is not a question in this form"
    )
    assert "Traceback" not in result.output


def test_check_missing_file_and_malformed_yaml(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(forms, ["check", str(tmp_path / "nope.yaml")])
    assert (result.exit_code, result.stderr) == (
        1,
        f"{tmp_path / 'nope.yaml'}: the file does not exist\n",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    result = runner.invoke(forms, ["check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:2: this is not valid YAML:")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_rejects_other_file_kinds(tmp_path: Path) -> None:
    path = tmp_path / "form.csv"
    path.write_text("a,b\n", encoding="utf-8")
    result = CliRunner().invoke(forms, ["check", str(path)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"{path}: expected a .yaml or .yml or .xlsx or .xls file\n",
    )


def test_export_then_import_then_check(tmp_path: Path) -> None:
    runner = CliRunner()
    xlsx = tmp_path / "rhi.xlsx"
    yaml_out = tmp_path / "rhi.yaml"
    result = runner.invoke(forms, ["export", builtin_path("rhi-v1"), "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(forms, ["check", str(xlsx)]).exit_code == 0
    result = runner.invoke(forms, ["import", str(xlsx), "--out", str(yaml_out)])
    assert result.exit_code == 0, result.output
    assert load_yaml(yaml_out) == load_builtin()


def test_import_needs_a_spreadsheet(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        forms, ["import", builtin_path("rhi-v1"), "--out", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 1
    assert result.stderr.endswith("expected a .xlsx or .xls file\n")


def test_export_to_an_unwritable_place(tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "x.xlsx"
    result = CliRunner().invoke(forms, ["export", builtin_path("rhi-v1"), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{out}: cannot write the file")
