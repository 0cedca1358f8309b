"""``rhi-desktop forms ...``: check, import and export questionnaire definitions.

Every failure is one clear sentence per problem on stderr and exit status 1; never a traceback.
A form that loads but had something read differently or left out says so in warning lines on
stderr (grouped: one line per kind of thing, naming its rows), and still exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rhi_core.forms.errors import FormLoadError
from rhi_core.forms.load import load_form
from rhi_core.forms.schema import FormDefinition

SPREADSHEETS = (".xlsx", ".xls")


def _fail(errors: FormLoadError | list[str]) -> None:
    if isinstance(errors, FormLoadError):
        lines = [str(e) for e in (*errors.errors, *errors.warnings)]
    else:
        lines = errors
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


def _warnings(form: FormDefinition) -> None:
    for warning in form.warnings:
        click.echo(str(warning), err=True)


def _load(path: str, expected: tuple[str, ...]) -> FormDefinition:
    if Path(path).suffix.lower() not in expected:
        kinds = " or ".join(expected)
        _fail([f"{path}: expected a {kinds} file"])
    try:
        return load_form(path)
    except FormLoadError as exc:
        _fail(exc)
    raise AssertionError("unreachable")


def _write(action: str, out: str, write: object) -> None:
    try:
        write()  # type: ignore[operator]
    except OSError as exc:
        _fail([f"{out}: cannot {action} the file ({exc.strerror or exc})"])


@click.group(name="forms")
def forms() -> None:
    """Check, import and export questionnaire definitions (YAML or XLSForm .xlsx/.xls)."""


@forms.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def check_command(file: str) -> None:
    """Check FILE (.yaml, .yml, .xlsx or .xls) and list every problem with its place."""
    form = _load(file, (".yaml", ".yml", *SPREADSHEETS))
    questions = sum(1 for _ in form.questions())
    langs = ", ".join(lang.code for lang in form.languages)
    warned = f", {len(form.warnings)} warnings" if form.warnings else ""
    click.echo(
        f"OK: {file}: form '{form.id}' version {form.version}: {len(form.sections)} sections, "
        f"{questions} questions, {len(form.risk_flags)} risk flags, languages {langs}{warned}"
    )
    _warnings(form)


@forms.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="YAML to write")
def import_command(file: str, out: str) -> None:
    """Convert an XLSForm spreadsheet FILE (.xlsx or .xls) into our YAML format."""
    from rhi_core.forms.writer_yaml import save_yaml

    form = _load(file, SPREADSHEETS)
    _write("write", out, lambda: save_yaml(form, out))
    click.echo(f"Wrote {out}")
    _warnings(form)


@forms.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="XLSX to write")
def export_command(file: str, out: str) -> None:
    """Convert a YAML form FILE into an XLSForm spreadsheet (ODK/Kobo/SurveyCTO)."""
    from rhi_core.forms.writer_xlsform import export_xlsform

    form = _load(file, (".yaml", ".yml"))
    _write("write", out, lambda: export_xlsform(form, out))
    click.echo(f"Wrote {out}")
