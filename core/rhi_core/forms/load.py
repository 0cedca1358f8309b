"""Load any supported form file by its extension, and check one without raising."""

from __future__ import annotations

from pathlib import Path

from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.schema import FormDefinition

YAML_SUFFIXES = (".yaml", ".yml")
XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def load_form(path: str | Path) -> FormDefinition:
    """Load a .yaml/.yml or .xlsx/.xls (XLSForm) file; raises FormLoadError with every problem.

    What loaded but was read differently or left out is in the form's ``warnings``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        from rhi_core.forms.loader_yaml import load_yaml

        return load_yaml(path)
    if suffix in XLSFORM_SUFFIXES:
        from rhi_core.forms.loader_xlsform import import_xlsform

        return import_xlsform(path)
    raise FormLoadError(
        [
            FormError(
                "the file must be a .yaml, .yml, .xlsx or .xls form definition", Place(str(path))
            )
        ]
    )


def check_file(path: str | Path) -> list[FormError]:
    """Every error in a form file, each with its place; an empty list means the form loads."""
    try:
        load_form(path)
    except FormLoadError as exc:
        return list(exc.errors)
    return []


def check_file_all(path: str | Path) -> tuple[list[FormError], list[FormError]]:
    """``(errors, warnings)`` of a form file; no errors means the form loads."""
    try:
        form = load_form(path)
    except FormLoadError as exc:
        return list(exc.errors), list(exc.warnings)
    return [], list(form.warnings)
