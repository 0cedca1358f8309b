"""The fields an episode arrives with (from a CSV file, the integration endpoint or the console
form), and how each one's text becomes a value: dates in UK time, codes from the code lists,
yes/no. A value that cannot be read is one sentence naming the field and what was found."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from rhi_core.domain.codes import EpisodeCategory, RiskGrade, Sex

ISO = "iso"
UK_ZONE = ZoneInfo("Europe/London")


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    CODE = "code"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: Kind
    max_length: int = 200
    codes: type[StrEnum] | None = None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("case_number", "case number", Kind.TEXT, 64),
        Field("first_name", "first name", Kind.TEXT),
        Field("last_name", "last name", Kind.TEXT),
        Field("date_of_birth", "date of birth", Kind.DATE),
        Field("sex", "sex", Kind.CODE, codes=Sex),
        Field("ethnicity", "ethnicity", Kind.TEXT),
        Field("looked_after", "looked after", Kind.BOOL),
        Field("uasc", "UASC", Kind.BOOL),
        Field("out_of_area", "out of area", Kind.BOOL),
        Field("placing_authority", "placing authority", Kind.TEXT),
        Field("police_reference", "police reference", Kind.TEXT, 64),
        Field("category", "category", Kind.CODE, codes=EpisodeCategory),
        Field("started_at", "start", Kind.DATETIME),
        Field("returned_at", "return", Kind.DATETIME),
        Field("risk_grade", "risk grade", Kind.CODE, codes=RiskGrade),
        Field("notified_at", "notified at", Kind.DATETIME),
        Field("where_found", "where found", Kind.TEXT, 2000),
        Field("allocated_worker", "allocated worker", Kind.TEXT),
    )
}
# What every source must provide (a child new to central also needs its names and birth date).
REQUIRED_FIELDS = ("case_number", "started_at", "category")
CHILD_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "ethnicity",
    "looked_after",
    "uasc",
    "out_of_area",
    "placing_authority",
)
EPISODE_FIELDS = (
    "category",
    "started_at",
    "returned_at",
    "risk_grade",
    "notified_at",
    "where_found",
)

_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}
# Spellings understood without a values: map (compared lower-case): the codes and their labels.
_EXTRA_SPELLINGS: dict[str, dict[str, str]] = {
    "category": {"missing": "M", "away": "A", "absent": "A"},
    "sex": {"f": "female", "m": "male", "unknown": "not_known", "not known": "not_known"},
    "risk_grade": {"none": "no_apparent_risk", "no risk": "no_apparent_risk"},
}


@functools.cache
def default_spellings(field: Field) -> dict[str, str]:
    assert field.codes is not None
    spellings: dict[str, str] = {}
    for member in field.codes:
        spellings[member.value.lower()] = member.value
        spellings[str(getattr(member, "label", member.value)).lower()] = member.value
    spellings.update(_EXTRA_SPELLINGS.get(field.name, {}))
    return spellings


class ValueProblem(ValueError):
    """One sentence: the field, what was found, what was expected."""


@dataclass(frozen=True, slots=True)
class Readers:
    """How a source writes its values (from the mapping file; ISO 8601 for JSON)."""

    datetime_format: str = ISO
    date_format: str = ISO
    values: Mapping[str, Mapping[str, str]] | None = None  # field -> {as written: code}


def read_value(field: Field, raw: str, readers: Readers) -> Any:
    """The value of a non-blank cell, or ValueProblem."""
    if field.kind is Kind.TEXT:
        if len(raw) > field.max_length:
            raise ValueProblem(f"{field.label} is longer than {field.max_length} characters")
        return raw
    if field.kind is Kind.BOOL:
        mapped = (readers.values or {}).get(field.name, {})
        word = mapped.get(raw.strip().lower(), raw).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueProblem(f"{field.label} '{raw}' is not yes or no")
    if field.kind is Kind.CODE:
        mapped = (readers.values or {}).get(field.name, {})
        if raw.strip().lower() in mapped:
            return mapped[raw.strip().lower()]
        code = default_spellings(field).get(raw.strip().lower())
        if code is None:
            known = ", ".join(m.value for m in field.codes or ())
            raise ValueProblem(
                f"{field.label} '{raw}' is not one of {known} (map it under values: "
                f"{field.name}: in the mapping)"
            )
        return code
    if field.kind is Kind.DATE:
        return _read_date(field, raw, readers.date_format)
    return _read_datetime(field, raw, readers.datetime_format)


def _read_date(field: Field, raw: str, fmt: str) -> date:
    try:
        if fmt == ISO:
            return date.fromisoformat(raw.strip()[:10])
        return datetime.strptime(raw.strip(), fmt).date()
    except ValueError:
        raise ValueProblem(
            f"{field.label} '{raw}' is not a date written as {_human(fmt, date_only=True)}"
        ) from None


def _read_datetime(field: Field, raw: str, fmt: str) -> datetime:
    try:
        if fmt == ISO:
            value = datetime.fromisoformat(raw.strip())
        else:
            value = datetime.strptime(raw.strip(), fmt)
    except ValueError:
        raise ValueProblem(
            f"{field.label} '{raw}' is not a date and time written as {_human(fmt)}"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UK_ZONE)  # case systems and police write UK local time
    return value.astimezone(UTC)


def _human(fmt: str, date_only: bool = False) -> str:
    if fmt == ISO:
        return "YYYY-MM-DD" if date_only else "YYYY-MM-DDTHH:MM (ISO 8601)"
    return (
        fmt.replace("%d", "DD")
        .replace("%m", "MM")
        .replace("%Y", "YYYY")
        .replace("%y", "YY")
        .replace("%H", "HH")
        .replace("%M", "MM")
        .replace("%S", "SS")
    )


def date_part(fmt: str) -> str:
    """The date-only part of a date-and-time format ("%d/%m/%Y %H:%M" -> "%d/%m/%Y")."""
    if fmt == ISO:
        return ISO
    for marker in (" %H", "T%H", "%H", " %I"):
        if marker in fmt:
            return fmt.split(marker, 1)[0].rstrip()
    return fmt
