"""XLSForm conformance: hand-written forms, one per feature, imported by us and converted by
pyxform (ODK's reference converter), compared feature by feature.

For every form in ``forms/``:

- pyxform accepts it (so it is a valid XLSForm) and we import it, from .xlsx and from old .xls;
- our import has the same questions, groups, repeats, labels and hints in the same languages,
  choices (with filter columns), relevance, constraints, calculations, requirements, choice
  filters, repeat counts, parameters and appearances as pyxform's XForm;
- our own export of it converts with pyxform to the same again (the round trip), and our YAML
  of it loads back equal;
- it loads with exactly the warnings listed for it here (none for most).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert
from unit.forms.conformance.summary import from_form, from_xform
from unit.forms.conformance.workbooks import parse, write_xls, write_xlsx

from rhi_core.forms import load_yaml_text
from rhi_core.forms.loader_xlsform import import_xlsform
from rhi_core.forms.schema import FormDefinition
from rhi_core.forms.writer_xlsform import export_xlsform
from rhi_core.forms.writer_yaml import dump_yaml

FORMS = Path(__file__).parent / "forms"
ALL = sorted(p.stem for p in FORMS.glob("*.md"))

# Item 2 of the issue, feature by feature, and the form that shows it.
COVERAGE = {
    "questions at top level (an implicit section)": "top_level_questions",
    "derived id, version and title": "top_level_questions",
    "settings aliases (title, id_string)": "settings_aliases",
    "list name header": "settings_aliases",
    "label:lang and case-insensitive column names": "header_spellings",
    "languages, right to left, default language": "languages",
    "or_other": "or_other",
    "choice_filter (cascading selects)": "cascading_selects",
    "repeat_count": "counted_repeats",
    "nested repeats": "nested_repeats",
    "${} in labels and hints": "interpolated_labels",
    "jr:choice-name": "choice_name",
    "XPath functions (concat, substr, int, round, floor, format-date, decimal-date-time, "
    "position, once, indexed-repeat, ...)": "functions",
    "appearances (field-list, minimal, no-calendar, ...)": "appearances",
    "metadata (start, end, today, deviceid, username)": "metadata",
    "instance_name": "instance_name",
    "note, acknowledge, range, rank": "note_acknowledge_range_rank",
    "image and file attachments": "attachments",
    "device-only types in a laptop form": "device_types",
    "old type names": "old_type_names",
    "Excel TRUE/FALSE cells": "excel_booleans",
    "begin loop over a list": "loops",
    "required (expression), messages, read_only, default, hidden, nested groups": "requirements",
}

# The warnings a form loads with (the laptop forms of phone-only types).
WARNINGS = {
    "device_types": [
        "warning: type 'geopoint' (row 3): asked as text: an address, postcode or what3words (a "
        "laptop has no GPS); change the type to text to say so yourself",
        "warning: type 'barcode' (row 4): asked as text: the code is typed (a laptop has no "
        "scanner); change the type to text to say so yourself",
        "warning: type 'audio' (row 5): asked as a file: a recording is attached, not recorded by "
        "the app; change the type to file to say so yourself",
    ],
}
# What a laptop asks instead of a phone-only type (xlsform_features, status "laptop").
LAPTOP_KINDS = {"geopoint": "text", "barcode": "text"}


def test_every_feature_of_the_issue_has_a_form() -> None:
    assert set(COVERAGE.values()) <= set(ALL)
    assert set(ALL) <= set(COVERAGE.values()), "a form that covers no listed feature"


def _workbook(name: str, tmp_path: Path, suffix: str = ".xlsx") -> Path:
    sheets = parse((FORMS / f"{name}.md").read_text(encoding="utf-8"))
    path = tmp_path / f"{name}{suffix}"
    return (write_xls if suffix == ".xls" else write_xlsx)(sheets, path)


def _oracle(path: Path, default_language: str) -> dict[str, Any]:
    result = convert(xlsform=str(path))
    return from_xform(result.xform, default_language)


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """What both sides must agree on: labels of the generated "other" questions differ by
    design (pyxform: "Specify other.", ours: "Other — please say"); empty filter columns and a
    version pyxform was not given do not count."""
    out = copy.deepcopy(summary)
    for name, item in out["items"].items():
        if name.endswith("_other") and name[: -len("_other")] in out["items"]:
            item["label"] = None
        item["kind"] = LAPTOP_KINDS.get(item["kind"], item["kind"])
        item.setdefault("repeat_count", None)
    for entries in out["choices"].values():
        for entry in entries:
            entry["extra"] = {k: v for k, v in entry["extra"].items() if v}
    return out


def _same(ours: dict[str, Any], oracle: dict[str, Any]) -> None:
    ours, oracle = _comparable(ours), _comparable(oracle)
    if oracle["version"] is None:  # XLSForm needs no version; ours is derived (auto-…)
        assert str(ours["version"]).startswith("auto-")
        ours["version"] = None
    assert ours["items"].keys() == oracle["items"].keys(), "questions and groups differ"
    for name in oracle["items"]:
        assert ours["items"][name] == oracle["items"][name], f"item '{name}' differs"
    assert ours["choices"] == oracle["choices"]
    for key in ("id", "version", "title", "instance_name"):
        assert ours[key] == oracle[key], key


def _import(name: str, tmp_path: Path) -> tuple[FormDefinition, Path]:
    path = _workbook(name, tmp_path)
    form = import_xlsform(path)
    shown = [str(w).split(": ", 1)[1] for w in form.warnings]
    assert shown == WARNINGS.get(name, [])
    return form, path


@pytest.mark.parametrize("name", [n for n in ALL if n != "loops"])
def test_import_matches_pyxform(name: str, tmp_path: Path) -> None:
    form, path = _import(name, tmp_path)
    _same(from_form(form), _oracle(path, form.default_language))


@pytest.mark.parametrize("name", ALL)
def test_old_excel_reads_the_same(name: str, tmp_path: Path) -> None:
    form, _ = _import(name, tmp_path)
    xls = import_xlsform(_workbook(name, tmp_path / "..", ".xls"))
    assert xls == form


@pytest.mark.parametrize("name", ALL)
def test_round_trip_through_our_export_and_yaml(name: str, tmp_path: Path) -> None:
    form, path = _import(name, tmp_path)
    exported = tmp_path / f"{name}-ours.xlsx"
    export_xlsform(form, exported)
    again = import_xlsform(exported)
    assert again == form
    assert load_yaml_text(dump_yaml(form), f"{name}.yaml") == form
    reference = from_form(form) if name == "loops" else _oracle(path, form.default_language)
    _same(from_xform(convert(xlsform=str(exported)).xform, form.default_language), reference)


def test_loops_are_one_group_per_choice(tmp_path: Path) -> None:
    form, path = _import("loops", tmp_path)
    oracle = convert(xlsform=str(path)).xform
    # pyxform: groups each/bus and each/car, each holding "times".
    assert "/data/g/each/bus/times" in oracle and "/data/g/each/car/times" in oracle
    summary = from_form(form)["items"]
    assert summary["each_bus"]["parent"] == "each" and summary["each_car"]["parent"] == "each"
    assert summary["times_bus"] == {
        **summary["times_bus"],
        "parent": "each_bus",
        "label": {"en": "How often by bus?"},
        "relevant": "selected(${used},'bus')",
    }
    assert summary["times_car"]["relevant"] == "selected(${used},'car')"
