"""One comparable summary of a questionnaire, made from pyxform's XForm or from our import.

The conformance tests hold our import against the reference converter by turning both into the
same plain data: every question and group by name, with its kind, parent, labels and hints by
language, relevance, constraint, calculation, requirement, choice list, choice filter, repeat
count, parameters and the appearances we render; the choice lists with their values, labels and
filter columns; the form's id, title and languages; the record title (instance_name).

Expressions are compared after turning XPath paths (`` /data/g/x ``, ``../x``) back into
``${x}`` and removing white space, so ``${age} > 10`` equals pyxform's `` /data/age  > 10``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from rhi_core.forms.schema import FormDefinition, Group, Question

NS = {
    "x": "http://www.w3.org/2002/xforms",
    "h": "http://www.w3.org/1999/xhtml",
    "jr": "http://openrosa.org/javarosa",
    "odk": "http://www.opendatakit.org/xforms",
}
JR = "{http://openrosa.org/javarosa}"
ODK = "{http://www.opendatakit.org/xforms}"
X = "{http://www.w3.org/2002/xforms}"

# Our question types, as the XForm shows them.
KIND = {
    "text": "text",
    "long_text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "range": "range",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "yes_no": "select_one",
    "scale": "select_one",
    "select_one": "select_one",
    "select_multiple": "select_multiple",
    "rank": "rank",
    "note": "note",
    "acknowledge": "acknowledge",
    "calculate": "calculate",
    "image": "image",
    "file": "file",
    "start": "start",
    "end": "end",
    "today": "today",
    "deviceid": "deviceid",
    "username": "username",
}
# Appearances our types stand for (long_text is XLSForm's multiline text).
TYPE_APPEARANCE = {"long_text": "multiline", "scale": "likert"}
_PATH = re.compile(r"(?:current\(\)\s*)?(?:\.{1,2})?(?:/(?:\.\.|[A-Za-z_][\w.\-]*))+")


def expr(text: str | None) -> str | None:
    """An expression with paths read as ${name} and no white space."""
    if text is None or text == "":
        return None

    def name(m: re.Match[str]) -> str:
        last = m[0].rstrip().rsplit("/", 1)[-1]
        return m[0] if last == ".." else f"${{{last}}}"

    text = _PATH.sub(name, text)
    return re.sub(r"\s+", "", text)


def _code(lang: str, default: str) -> str:
    m = re.search(r"\(([^)]+)\)\s*$", lang)
    if m:
        return m[1]
    return default if lang == "default" else lang


class _XForm:
    def __init__(self, xml: str, default_language: str) -> None:
        self.root = ET.fromstring(xml)
        self.default = default_language
        self.model = self.root.find("h:head/x:model", NS)
        assert self.model is not None
        self.itext: dict[str, dict[str, str]] = {}  # text id -> lang -> text
        for translation in self.model.findall("x:itext/x:translation", NS):
            lang = _code(translation.get("lang", "default"), default_language)
            for text in translation.findall("x:text", NS):
                value = text.find("x:value[@form]", NS)
                value = text.find("x:value", NS) if value is None else value
                if value is None:
                    continue
                shown = self.inner(value)
                if shown and shown != "-":
                    self.itext.setdefault(text.get("id", ""), {})[lang] = shown
        self.binds = {b.get("nodeset", ""): b for b in self.model.findall("x:bind", NS)}

    def inner(self, element: ET.Element) -> str:
        """Text with <output value="path"/> as ${name}."""
        parts = [element.text or ""]
        for child in element:
            if child.tag == f"{X}output":
                parts.append(f"${{{expr(child.get('value', ''))[2:-1]}}}")  # type: ignore[index]
            parts.append(child.tail or "")
        return " ".join("".join(parts).split())

    def text(self, control: ET.Element, tag: str) -> dict[str, str]:
        node = control.find(f"x:{tag}", NS)
        if node is None:
            return {}
        ref = node.get("ref", "")
        m = re.match(r"jr:itext\('([^']+)'\)", ref)
        if m:
            return dict(self.itext.get(m[1], {}))
        shown = self.inner(node)
        return {self.default: shown} if shown else {}


def from_xform(xml: str, default_language: str = "en") -> dict[str, Any]:
    """The summary of pyxform's XForm."""
    xf = _XForm(xml, default_language)
    head_title = xf.root.find("h:head/h:title", NS)
    instance = xf.model.find("x:instance", NS)  # type: ignore[union-attr]
    assert instance is not None
    data = instance[0]
    items: dict[str, dict[str, Any]] = {}
    lists: dict[str, list[dict[str, Any]]] = {}
    for inst in xf.model.findall("x:instance[@id]", NS):  # type: ignore[union-attr]
        entries = []
        for item in inst.findall("x:root/x:item", NS):
            entry: dict[str, Any] = {"extra": {}}
            for child in item:
                tag = child.tag.replace(X, "")
                if tag == "name":
                    entry["value"] = child.text or ""
                elif tag == "itextId":
                    entry["label"] = xf.itext.get(child.text or "", {})
                elif tag == "label":
                    entry["label"] = {default_language: child.text or ""}
                else:
                    entry["extra"][tag] = child.text or ""
            entry.setdefault("label", {})
            entries.append(entry)
        lists[inst.get("id", "")] = entries

    body = xf.root.find("h:body", NS)
    assert body is not None

    def bind_of(path: str) -> ET.Element | None:
        return xf.binds.get(path)

    def visit(node: ET.Element, parent: str | None) -> None:
        for control in node:
            tag = control.tag.replace(X, "").replace(ODK, "odk:")
            if tag in ("label", "hint", "itemset", "item", "value"):
                continue
            if tag == "group":
                path = control.get("ref")
                repeat = control.find("x:repeat", NS)
                if path is None and repeat is not None:
                    path = repeat.get("nodeset")
                if path is None:  # a group without a ref: only layout
                    visit(control, parent)
                    continue
                name = path.rsplit("/", 1)[-1]
                kind = "repeat" if repeat is not None else "group"
                entry = _item(xf, kind, parent, bind_of(path))
                entry["label"] = xf.text(control, "label")
                entry["appearance"] = _appearances(control)
                if repeat is not None:
                    entry["repeat_count"] = expr(repeat.get(f"{JR}count"))
                items[name] = entry
                visit(repeat if repeat is not None else control, name)
                continue
            ref = control.get("ref") or control.get("nodeset") or ""
            name = ref.rsplit("/", 1)[-1]
            bind = bind_of(ref)
            kind = _control_kind(tag, control, bind)
            entry = _item(xf, kind, parent, bind)
            entry["label"] = xf.text(control, "label")
            entry["hint"] = xf.text(control, "hint")
            entry["appearance"] = _appearances(control)
            itemset = control.find("x:itemset", NS)
            if itemset is not None:
                m = re.match(
                    r"instance\('([^']+)'\)/root/item(?:\[(.*)\])?$",
                    itemset.get("nodeset", ""),
                    re.S,
                )
                assert m, itemset.get("nodeset")
                entry["choices"] = m[1]
                entry["choice_filter"] = expr(m[2]) if m[2] else None
            if tag == "range":
                entry["parameters"] = {k: control.get(k) for k in ("start", "end", "step")}
            items[name] = entry
        return

    visit(body, None)
    # Values with no control: calculations and metadata.
    for path, bind in xf.binds.items():
        name = path.rsplit("/", 1)[-1]
        if name in items or "/meta/" in path:
            continue
        preload = bind.get(f"{JR}preloadParams")
        kind = {
            "start": "start",
            "end": "end",
            "today": "today",
            "deviceid": "deviceid",
            "username": "username",
        }.get(preload or "", "calculate")
        entry = _item(xf, kind, _parent_of(path, items), bind)
        items[name] = entry
    title_bind = xf.binds.get(f"/{data.tag.replace(X, '')}/meta/instanceName")
    return {
        "id": data.get("id"),
        "version": data.get("version"),
        "title": head_title.text if head_title is not None else None,
        "instance_name": expr(title_bind.get("calculate")) if title_bind is not None else None,
        "items": items,
        "choices": {
            name: lists[name]
            for name in sorted({i["choices"] for i in items.values() if i.get("choices")})
        },
    }


def _parent_of(path: str, items: dict[str, dict[str, Any]]) -> str | None:
    parts = path.strip("/").split("/")[1:-1]
    return parts[-1] if parts else None


def _appearances(control: ET.Element) -> list[str]:
    return sorted(set((control.get("appearance") or "").split()))


def _control_kind(tag: str, control: ET.Element, bind: ET.Element | None) -> str:
    btype = bind.get("type") if bind is not None else None
    if tag == "select1":
        return "select_one"
    if tag == "select":
        return "select_multiple"
    if tag == "odk:rank":
        return "rank"
    if tag == "range":
        return "range"
    if tag == "trigger":
        return "acknowledge"
    if tag == "upload":
        return "image" if control.get("mediatype", "").startswith("image") else "file"
    if (
        bind is not None
        and bind.get("readonly") == "true()"
        and btype == "string"
        and not bind.get("calculate")
    ):
        return "note"
    return {
        "int": "integer",
        "decimal": "decimal",
        "date": "date",
        "time": "time",
        "dateTime": "datetime",
        "string": "text",
        "geopoint": "geopoint",
        "geotrace": "geotrace",
        "geoshape": "geoshape",
        "barcode": "barcode",
    }.get(btype or "string", btype or "text")


def _item(xf: _XForm, kind: str, parent: str | None, bind: ET.Element | None) -> dict[str, Any]:
    b = bind if bind is not None else ET.Element("bind")
    required = b.get("required")
    return {
        "kind": kind,
        "parent": parent,
        "relevant": expr(b.get("relevant")),
        "constraint": expr(b.get("constraint")),
        "calculate": expr(b.get("calculate")),
        "required": None if required in (None, "false()") else expr(required),
        "read_only": b.get("readonly") == "true()" and kind not in ("note",),
    }


def from_form(form: FormDefinition) -> dict[str, Any]:
    """The summary of our import, in the same shape."""
    items: dict[str, dict[str, Any]] = {}

    def visit(children: tuple[Any, ...], parent: str | None) -> None:
        for item in children:
            if isinstance(item, Group):
                if item.implicit:
                    visit(item.items, parent)
                    continue
                items[item.name] = {
                    "kind": "repeat" if item.kind == "repeat" else "group",
                    "parent": parent,
                    "relevant": expr(item.relevant),
                    "constraint": None,
                    "calculate": None,
                    "required": None,
                    "read_only": False,
                    "label": dict(item.label),
                    "appearance": sorted(item.appearance),
                }
                if item.kind == "repeat":
                    items[item.name]["repeat_count"] = expr(item.repeat_count)
                visit(item.items, item.name)
                continue
            q: Question = item
            entry: dict[str, Any] = {
                "kind": KIND[q.type],
                "parent": parent,
                "relevant": expr(q.relevant),
                "constraint": expr(q.constraint),
                "calculate": expr(q.calculate),
                "required": "true()" if q.required else expr(q.required_when),
                "read_only": q.read_only,
            }
            if entry["kind"] == "text" and q.read_only and not q.calculate:
                # An XForm cannot tell a read-only text from a note: both are read-only inputs.
                entry["kind"], entry["read_only"] = "note", False
            if q.type not in ("calculate", "start", "end", "today", "deviceid", "username"):
                extra = [TYPE_APPEARANCE[q.type]] if q.type in TYPE_APPEARANCE else []
                entry["label"] = dict(q.label)
                entry["hint"] = dict(q.hint)
                entry["appearance"] = sorted({*q.appearance, *extra})
            if q.choices:
                entry["choices"] = q.choices
                entry["choice_filter"] = expr(q.choice_filter)
            if q.type == "range":
                entry["parameters"] = dict(q.parameters)
            items[q.name] = entry
            if q.other:
                items[q.other_name] = {
                    "kind": "text",
                    "parent": parent,
                    "relevant": expr(f"selected(${{{q.name}}}, 'other')"),
                    "constraint": None,
                    "calculate": None,
                    "required": None,
                    "read_only": False,
                    "label": dict(q.other_label),
                    "hint": {},
                    "appearance": [],
                }

    visit(form.sections, None)
    return {
        "id": form.id,
        "version": form.version,
        "title": form.title.get(form.default_language),
        "instance_name": expr(form.instance_name),
        "items": items,
        "choices": {
            name: [
                {"value": c.value, "label": dict(c.label), "extra": dict(c.extra)}
                for c in form.choices.get(name, ())
            ]
            for name in sorted({i["choices"] for i in items.values() if i.get("choices")})
        },
    }
