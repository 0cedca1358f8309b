"""Load any supported form file by its extension, and check one without raising."""

from __future__ import annotations

from pathlib import Path

from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.schema import FormDefinition

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx",)


def load_form(path: str | Path) -> FormDefinition:
    """Load a .yaml/.yml or .xlsx (XLSForm) file; raises FormLoadError with every problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        from rhi_core.forms.loader_yaml import load_yaml

        return load_yaml(path)
    if suffix in XLSX_SUFFIXES:
        from rhi_core.forms.xlsform import import_xlsform

        return import_xlsform(path)
    raise FormLoadError(
        [FormError("the file must be a .yaml, .yml or .xlsx form definition", Place(str(path)))]
    )


def check_file(path: str | Path) -> list[FormError]:
    """Every problem in a form file, each with its place; an empty list means the form is fine."""
    try:
        load_form(path)
    except FormLoadError as exc:
        return list(exc.errors)
    return []
