"""The words of XLSForm: column names and their aliases, question types and their old names.

Gathered from the XLSForm specification and what pyxform accepts, so a form written for ODK,
Kobo, Ona or CHT reads here as it does there. ``xlsform_features`` says what each feature does on
a laptop; this module only says how spreadsheets spell them.
"""

from __future__ import annotations

import re
from typing import Any

from rhi_core.forms import xlsform_features as features

# Text columns that take a language: "label::Arabic (ar)".
TEXT_COLUMNS = ("label", "hint", "guidance", "label_yp", "constraint_message", "required_message")
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count")
YES = {"yes", "true", "true()", "1"}
NO = {"no", "false", "false()", "0"}

SURVEY_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "readonly": "read_only",
    "constraining_message": "constraint_message",
    "constraint message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "calculate": "calculation",
    "command": "type",
    "tag": "name",
    "value": "name",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "guidance_hint": "guidance",
    "image": "media",
    "big-image": "media",
    "audio": "media",
    "video": "media",
}
BIND = {
    "relevant": "relevant",
    "constraint": "constraint",
    "calculate": "calculation",
    "required": "required",
    "readonly": "read_only",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
}
CONTROL = {"appearance": "appearance", "jr:count": "repeat_count", "rows": "rows"}
SURVEY_COLUMNS = {
    "type",
    "name",
    *TEXT_COLUMNS,
    "relevant",
    "constraint",
    "calculation",
    "required",
    "default",
    "read_only",
    "appearance",
    "choice_filter",
    "repeat_count",
    "parameters",
    "disabled",
    "worker_only",
    "rhi_type",
    "media",
    "autoplay",
    "trigger",
    "rows",
    "save_to",
    "sms_field",
}
CHOICE_ALIASES = {"caption": "label", "value": "name", "list name": "list_name"}
SETTING_ALIASES = {
    "title": "form_title",
    "set_form_title": "form_title",
    "id_string": "form_id",
    "set_form_id": "form_id",
}

# XLSForm type words -> our type (after lower-casing and collapsing spaces).
TYPES = {
    "text": "text",
    "string": "text",
    "q string": "text",
    "add text prompt": "text",
    "phone number": "phone number",  # text, with pyxform's digits-only check
    "integer": "integer",
    "int": "integer",
    "q int": "integer",
    "add integer prompt": "integer",
    "percentage": "integer",
    "number of days in last month": "integer",
    "number of days in last six months": "integer",
    "number of days in last year": "integer",
    "decimal": "decimal",
    "q decimal": "decimal",
    "add decimal prompt": "decimal",
    "range": "range",
    "date": "date",
    "q date": "date",
    "add date prompt": "date",
    "time": "time",
    "datetime": "datetime",
    "date time": "datetime",
    "q date time": "datetime",
    "q datetime": "datetime",
    "add date time prompt": "datetime",
    "add datetime prompt": "datetime",
    "note": "note",
    "q note": "note",
    "add note prompt": "note",
    "acknowledge": "acknowledge",
    "q acknowledge": "acknowledge",
    "add acknowledge prompt": "acknowledge",
    "trigger": "acknowledge",
    "calculate": "calculate",
    "q calculate": "calculate",
    "add calculate prompt": "calculate",
    "hidden": "hidden",
    "image": "image",
    "photo": "image",
    "q picture": "image",
    "q image": "image",
    "add image prompt": "image",
    "add photo prompt": "image",
    "file": "file",
    "add file prompt": "file",
    "start": "start",
    "start time": "start",
    "get start time": "start",
    "end": "end",
    "end time": "end",
    "get end time": "end",
    "today": "today",
    "get today": "today",
    "deviceid": "deviceid",
    "device id": "deviceid",
    "get device id": "deviceid",
    "imei": "deviceid",
    "uri:deviceid": "deviceid",
    "username": "username",
    "uri:username": "username",
}
# Types a laptop reads in its own way, or leaves out, or refuses: -> feature name.
TYPE_FEATURES = {
    "geopoint": "geopoint",
    "gps": "geopoint",
    "location": "geopoint",
    "q geopoint": "geopoint",
    "q location": "geopoint",
    "add location prompt": "geopoint",
    "geotrace": "geotrace",
    "q geotrace": "geotrace",
    "geoshape": "geoshape",
    "q geoshape": "geoshape",
    "barcode": "barcode",
    "q barcode": "barcode",
    "add barcode prompt": "barcode",
    "audio": "audio",
    "q audio": "audio",
    "add audio prompt": "audio",
    "video": "video",
    "q video": "video",
    "add video prompt": "video",
    "background-audio": "background-audio",
    "osm": "osm",
    "csv-external": "csv-external",
    "xml-external": "xml-external",
    "phonenumber": "phonenumber",
    "get phone number": "phonenumber",
    "uri:phonenumber": "phonenumber",
    "simserial": "simserial",
    "sim id": "simserial",
    "get sim id": "simserial",
    "uri:simserial": "simserial",
    "subscriberid": "subscriberid",
    "subscriber id": "subscriberid",
    "get subscriber id": "subscriberid",
    "uri:subscriberid": "subscriberid",
    "email": "email",
    "uri:email": "email",
    "audit": "audit",
    "start-geopoint": "start-geopoint",
    "background-geopoint": "background-geopoint",
}
SELECTS = {
    "select_one": "select_one",
    "select1": "select_one",
    "q select1": "select_one",
    "select one": "select_one",
    "select one from": "select_one",
    "select one using": "select_one",
    "add select one prompt using": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "q select": "select_multiple",
    "select all that apply": "select_multiple",
    "select all that apply from": "select_multiple",
    "select multiple from": "select_multiple",
    "select multiple using": "select_multiple",
    "add select multiple prompt using": "select_multiple",
    "rank": "rank",
    "select_one_external": "select_one",
    "select one external": "select_one",
    "select_one_from_file": "!select_one_from_file",
    "select one from file": "!select_one_from_file",
    "select_multiple_from_file": "!select_multiple_from_file",
    "select multiple from file": "!select_multiple_from_file",
}
SELECT_RE = re.compile(
    r"^(?P<cmd>" + "|".join(sorted(map(re.escape, SELECTS), key=len, reverse=True)) + r")"
    r"\s+(?P<list>\S+)(?:\s+(?P<other>or_other|or specify other|or other))?$",
    re.IGNORECASE,
)
CONTROL_RE = re.compile(
    r"^(?P<edge>begin|end)[\s_]+(?P<kind>group|repeat|loop|lgroup|looped group)"
    r"(?:\s+(?:over\s+)?(?P<list>\S+))?$",
    re.IGNORECASE,
)
LEFT_OUT = frozenset(
    f.name for f in features.FEATURES if f.kind == "type" and f.status == features.IGNORED
)
# Device types asked in a laptop's own way.
LAPTOP_TYPES = {
    "geopoint": "text",
    "geotrace": "text",
    "geoshape": "text",
    "barcode": "text",
    "audio": "file",
    "video": "file",
}
OSM_RE = re.compile(r"^osm(\s+\S+)?$", re.IGNORECASE)


FEATURE = "\0feature:"  # a header key naming the feature a column belongs to


def snake(text: str) -> str:
    return "_".join(text.split()).lower()


_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def expression(value: Any) -> Any:
    """An expression cell: Excel's TRUE/FALSE and yes/no mean true()/false(); the curly quotes a
    spreadsheet app types are straight ones (as pyxform reads them)."""
    if isinstance(value, bool):
        return "true()" if value else "false()"
    text = str(value).strip().translate(_SMART_QUOTES)
    if text.lower() in YES - {"1"}:
        return "true()"
    if text.lower() in NO - {"0"}:
        return "false()"
    return text


def flag(value: Any) -> Any:
    """A yes/no cell (required, read_only): Excel booleans and words; expressions kept."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


SIMPLE = {
    "name": "name",
    "relevant": "relevant",
    "constraint": "constraint",
    "calculation": "calculate",
    "choice_filter": "choice_filter",
    "repeat_count": "repeat_count",
    "required": "required",
    "read_only": "read_only",
    "default": "default",
    "worker_only": "worker_only",
    "parameters": "parameters",
}
# What makes a default an expression (as pyxform tells): a reference, a call, arithmetic.
DYNAMIC_DEFAULT = re.compile(r"\$\{|[A-Za-z][\w:-]*\s*\(|[+*]|\s(?:div|mod)\s")
