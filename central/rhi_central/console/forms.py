"""Reading the console's form fields into values, with GOV.UK-style messages per field.

Dates come as day, month and year boxes (and a 24-hour time): the values are UK local time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from starlette.datastructures import FormData

from rhi_central.console.formdata import text
from rhi_central.episodes.fields import UK_ZONE

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


class FieldErrors(dict[str, str]):
    """field -> message, in the order the fields appear on the page."""


def date_field(
    form: FormData, name: str, label: str, errors: FieldErrors, *, required: bool
) -> date | None:
    day, month, year = (text(form, f"{name}-{p}", 4) for p in ("day", "month", "year"))
    if not (day or month or year):
        if required:
            errors[name] = f"Enter {label}"
        return None
    if not (day and month and year):
        missing = [p for p, v in (("day", day), ("month", month), ("year", year)) if not v]
        errors[name] = f"{label[0].upper()}{label[1:]} must include a {' and '.join(missing)}"
        return None
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        errors[name] = f"{label[0].upper()}{label[1:]} must be a real date, for example 27 3 2026"
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        errors[name] = f"{label[0].upper()}{label[1:]} must be a real date"
        return None


def datetime_field(
    form: FormData, name: str, label: str, errors: FieldErrors, *, required: bool
) -> datetime | None:
    """An aware UTC instant from the date boxes and the time box (UK time)."""
    raw_time = text(form, f"{name}-time", 8)
    day = date_field(form, name, label, errors, required=required)
    if name in errors:
        return None
    if day is None:
        if raw_time:
            errors[name] = f"Enter the date as well as the time for {label}"
        return None
    match = _TIME.match(raw_time.replace(" ", ""))
    if not match:
        errors[name] = f"Enter the time of {label} in 24-hour time, for example 21:30"
        return None
    local = datetime(day.year, day.month, day.day, int(match.group(1)), int(match.group(2)))
    return local.replace(tzinfo=UK_ZONE).astimezone(UTC)


def parts(name: str, value: date | datetime | None) -> dict[str, str]:
    """The boxes of a date (and time) field filled from a value, for an edit form."""
    if value is None:
        return {}
    if isinstance(value, datetime):
        local = value.astimezone(UK_ZONE)
        return {
            f"{name}-day": str(local.day),
            f"{name}-month": str(local.month),
            f"{name}-year": str(local.year),
            f"{name}-time": local.strftime("%H:%M"),
        }
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


def echo(form: FormData, names: list[str]) -> dict[str, str]:
    """What was typed, to show again with the errors."""
    return {n: text(form, n, 4000) for n in names}
