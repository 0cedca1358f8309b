"""Write a FormDefinition back to the YAML format (used by ``forms import``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rhi_core.forms.schema import FormDefinition, Group, Item, Question, Text


def _text(text: Text, default: str) -> Any:
    # A text only in the default language is written as a plain string, as people write it.
    if set(text) == {default}:
        return text[default]
    return dict(text)


def form_to_data(form: FormDefinition) -> dict[str, Any]:
    """The form as plain YAML-ready data, in the documented layout."""
    lang = form.default_language

    def texts(item: Item, out: dict[str, Any]) -> None:
        for key in ("label", "label_yp", "hint", "guidance"):
            value = getattr(item, key)
            if value:
                out[key] = _text(value, lang)

    def appearance(item: Item, out: dict[str, Any]) -> None:
        if item.appearance:
            out["appearance"] = " ".join(item.appearance)

    def item_data(item: Item) -> dict[str, Any]:
        out: dict[str, Any] = {"name": item.name}
        if isinstance(item, Group):
            if item.kind != "section":
                out["type"] = item.kind
            if item.implicit:
                out["implicit"] = True
            texts(item, out)
            if item.relevant:
                out["relevant"] = item.relevant
            if item.repeat_count:
                out["repeat_count"] = item.repeat_count
            appearance(item, out)
            if item.worker_only:
                out["worker_only"] = True
            out["items"] = [item_data(child) for child in item.items]
            return out
        assert isinstance(item, Question)
        out["type"] = item.type
        texts(item, out)
        if item.choices and not _implied_list(item):
            out["choices"] = item.choices
        if item.choice_filter:
            out["choice_filter"] = item.choice_filter
        if item.other:
            out["other"] = True
            out["other_label"] = _text(item.other_label, lang)
        if item.required:
            out["required"] = True
        elif item.required_when:
            out["required"] = item.required_when
        if item.required_message:
            out["required_message"] = _text(item.required_message, lang)
        for key in ("relevant", "calculate", "constraint"):
            if getattr(item, key):
                out[key] = getattr(item, key)
        if item.constraint_message:
            out["constraint_message"] = _text(item.constraint_message, lang)
        if item.default is not None and item.default != "":
            out["default"] = item.default
        if item.read_only:
            out["read_only"] = True
        appearance(item, out)
        if item.parameters:
            out["parameters"] = dict(item.parameters)
        if item.worker_only:
            out["worker_only"] = True
        return out

    data: dict[str, Any] = {
        "id": form.id,
        "version": form.version,
        "title": _text(form.title, lang),
        "default_language": lang,
        "languages": [
            {"code": lg.code, "name": lg.name, "direction": lg.direction} for lg in form.languages
        ],
        "choices": {
            name: [
                {
                    "value": c.value,
                    **({"label": _text(c.label, lang)} if c.label else {}),
                    **({"face": c.face} if c.face else {}),
                    **({"columns": dict(c.extra)} if c.extra else {}),
                }
                for c in choices
            ]
            for name, choices in form.choices.items()
        },
        "sections": [item_data(s) for s in form.sections],
    }
    if form.instance_name:
        data["instance_name"] = form.instance_name
    if form.risk_flags:
        data["risk_flags"] = [
            {
                "code": f.code,
                "label": _text(f.label, lang),
                "when": f.when,
                "prompts": [_text(p, lang) for p in f.prompts],
            }
            for f in form.risk_flags
        ]
    return data


def _implied_list(q: Question) -> bool:
    return (q.type == "yes_no" and q.choices == "yes_no_pns") or (
        q.type == "scale" and q.choices == "faces_5"
    )


def dump_yaml(form: FormDefinition) -> str:
    return yaml.safe_dump(
        form_to_data(form), allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def save_yaml(form: FormDefinition, path: str | Path) -> None:
    Path(path).write_text(dump_yaml(form), encoding="utf-8")
