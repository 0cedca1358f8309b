"""The questionnaires shipped with the app, loaded from package data."""

from __future__ import annotations

from functools import cache
from importlib import resources

from rhi_core.forms.loader_yaml import load_yaml_text
from rhi_core.forms.schema import FormDefinition

BUILTIN_FORMS = ("rhi-v1",)


def builtin_path(form_id: str) -> str:
    """Filesystem path of a built-in form's YAML (for ``forms check`` and exports)."""
    if form_id not in BUILTIN_FORMS:
        raise KeyError(f"there is no built-in form called '{form_id}'")
    return str(resources.files("rhi_core.forms.builtin").joinpath(f"{form_id}.yaml"))


@cache
def load_builtin(form_id: str = "rhi-v1") -> FormDefinition:
    """A built-in form, parsed and checked once per process (forms are immutable)."""
    if form_id not in BUILTIN_FORMS:
        raise KeyError(f"there is no built-in form called '{form_id}'")
    resource = resources.files("rhi_core.forms.builtin").joinpath(f"{form_id}.yaml")
    return load_yaml_text(resource.read_text(encoding="utf-8"), f"{form_id}.yaml")
