"""Helpers for the forms tests: write a small YAML form and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from rhi_core.forms import FormDefinition, FormLoadError, load_yaml

HEADER = """\
id: t
version: "1"
title: Test form
languages:
  - {code: en, name: English}
  - {code: ar, name: Arabic}
"""


def form_text(body: str) -> str:
    """A form: the standard header followed by ``body`` (dedented)."""
    return HEADER + textwrap.dedent(body)


@pytest.fixture
def write_form(tmp_path: Path) -> Callable[[str], Path]:
    def write(body: str, name: str = "form.yaml") -> Path:
        path = tmp_path / name
        path.write_text(form_text(body), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_form: Callable[[str], Path]) -> Callable[[str], FormDefinition]:
    def do(body: str) -> FormDefinition:
        return load_yaml(write_form(body))

    return do


@pytest.fixture
def errors_of(write_form: Callable[[str], Path]) -> Callable[[str], list[str]]:
    """Every error of a broken form, as 'LINE: message' (file name left out)."""

    def do(body: str) -> list[str]:
        path = write_form(body)
        with pytest.raises(FormLoadError) as info:
            load_yaml(path)
        return [f"{e.place.line}: {e.message}" for e in info.value.errors]

    return do
