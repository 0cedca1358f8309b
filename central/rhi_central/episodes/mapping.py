"""The mapping file: which heading of a council's CSV export holds each field.

```yaml
columns:                      # field: heading in the file (only the fields the file has)
  case_number: Child ID
  first_name: Forename
  started_at: Missing from
  category: Type
date_format: "%d/%m/%Y %H:%M"  # how dates and times are written (strptime), or "iso"
dob_format: "%d/%m/%Y"         # optional; default: the date part of date_format
values:                        # optional, per field: as written in the file -> our code
  category: {"Missing": M, "Absent": A}
encoding: utf-8-sig            # optional (cp1252 for older Excel exports)
delimiter: ","                 # optional
```

Times without an offset are UK local time. Every problem with the mapping is one sentence.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

import yaml

from rhi_central.episodes.fields import (
    FIELDS,
    ISO,
    REQUIRED_FIELDS,
    Kind,
    Readers,
    date_part,
    default_spellings,
)

_KEYS = {"columns", "date_format", "dob_format", "values", "encoding", "delimiter"}


class MappingProblem(ValueError):
    """The mapping cannot be used; the message is one sentence."""


@dataclass(frozen=True, slots=True)
class Mapping:
    columns: dict[str, str]  # field -> heading
    readers: Readers
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.columns)


def identity_mapping() -> Mapping:
    """Every field under its own name, ISO 8601 dates: what the integration endpoint takes."""
    return Mapping({name: name for name in FIELDS}, Readers())


def parse_mapping(text: str) -> Mapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise MappingProblem(f"The mapping is not valid YAML{where}.") from None
    if not isinstance(data, dict):
        raise MappingProblem("The mapping must start with 'columns:' (a YAML mapping).")
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise MappingProblem(
            f"The mapping has unknown entries: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_KEYS))})."
        )
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise MappingProblem("The mapping needs 'columns:' naming the heading of each field.")
    result: dict[str, str] = {}
    for key, heading in columns.items():
        if key not in FIELDS:
            raise MappingProblem(
                f"'{key}' under columns: is not a field; the fields are {', '.join(FIELDS)}."
            )
        if not isinstance(heading, str | int) or not str(heading).strip():
            raise MappingProblem(f"columns: {key} needs the heading of its column in the file.")
        result[str(key)] = str(heading).strip()
    missing = [f for f in REQUIRED_FIELDS if f not in result]
    if missing:
        raise MappingProblem(f"The mapping must say which column holds {', '.join(missing)}.")
    headings = list(result.values())
    twice = sorted({h for h in headings if headings.count(h) > 1})
    if twice:
        raise MappingProblem(f"One column cannot hold two fields: {', '.join(twice)}.")
    datetime_format = _format(data.get("date_format", ISO), "date_format")
    dob_format = _format(data.get("dob_format") or date_part(datetime_format), "dob_format")
    values = _values(data.get("values") or {})
    encoding = str(data.get("encoding") or "utf-8-sig")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise MappingProblem(f"encoding: '{encoding}' is not a text encoding.") from None
    delimiter = str(data.get("delimiter") or ",")
    if len(delimiter) != 1:
        raise MappingProblem("delimiter: must be a single character such as , or ;")
    return Mapping(
        result,
        Readers(datetime_format=datetime_format, date_format=dob_format, values=values),
        encoding=encoding,
        delimiter=delimiter,
    )


def _format(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingProblem(f'{key}: must be a date format such as "%d/%m/%Y %H:%M" or iso.')
    value = value.strip()
    if value.lower() == ISO:
        return ISO
    if "%" not in value:
        raise MappingProblem(
            f"{key}: '{value}' has no %-codes: write it like \"%d/%m/%Y %H:%M\" or iso."
        )
    return value


def _values(raw: Any) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise MappingProblem("values: must map each field to {as written: code}.")
    out: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        field_ = FIELDS.get(str(name))
        if field_ is None or field_.kind not in (Kind.CODE, Kind.BOOL):
            raise MappingProblem(
                f"values: {name} is not a coded field (category, sex, risk_grade, looked_after, "
                "uasc, out_of_area)."
            )
        if not isinstance(table, dict):
            raise MappingProblem(f"values: {name} must be a map of as written: code.")
        converted: dict[str, str] = {}
        for written, code in table.items():
            code_text = _code_text(code)
            if field_.kind is Kind.CODE:
                resolved = default_spellings(field_).get(code_text.lower())
                if resolved is None:
                    known = ", ".join(m.value for m in field_.codes or ())
                    raise MappingProblem(
                        f"values: {name}: '{code_text}' is not a code (use one of {known})."
                    )
                code_text = resolved
            converted[_code_text(written).lower()] = code_text  # matched ignoring case
        out[str(name)] = converted
    return out


def _code_text(value: Any) -> str:
    # YAML reads yes/no/true/false as booleans: give them back as the words they were.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()
