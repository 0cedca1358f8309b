"""XPath-like value semantics shared by the evaluator and the functions.

Answers are JSON values: str, int, float, bool, list[str] (select_multiple). An unanswered or
irrelevant field is the empty string. Conversions follow XPath 1.0 where it is sensible:

* number: "" and non-numeric text are NaN; ISO dates (``YYYY-MM-DD``) and date-times become days
  since 1970-01-01 so ``today() - ${dob}`` works as it does in ODK.
* boolean: non-empty text, a non-zero non-NaN number, a non-empty list, or ``true``.
* comparisons with NaN are false; ``<`` and friends compare numerically when both sides are
  numbers, otherwise as text when both are non-empty text (ISO dates and times sort correctly
  as text), otherwise false.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

NAN = float("nan")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
EPOCH = date(1970, 1, 1)


class EvalError(Exception):
    """A run-time problem in an expression (e.g. an invalid regular expression in an answer)."""


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return NAN
        try:
            return float(text)
        except ValueError:
            pass
        if _ISO_DATE.match(text):
            return _iso_to_days(text)
        return NAN
    return NAN


def _iso_to_days(text: str) -> float:
    try:
        if len(text) == 10:
            return float((date.fromisoformat(text) - EPOCH).days)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return NAN
    day = float((moment.date() - EPOCH).days)
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return day + seconds / 86400.0


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return " ".join(to_string(v) for v in value)
    return str(value)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == value and value != 0  # NaN is false
    if value is None:
        return False
    return len(value) > 0


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not value)


def as_items(value: Any) -> list[str]:
    """The selected codes of a select answer (a list, or space-separated text as in ODK)."""
    if isinstance(value, list | tuple):
        return [to_string(v) for v in value]
    text = to_string(value)
    return text.split() if text else []


def _is_numeric(value: Any) -> bool:
    if isinstance(value, int | float):  # bool is an int
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def equals(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return to_string(a) == to_string(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return to_bool(a) == to_bool(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        return to_number(a) == to_number(b)
    return to_string(a) == to_string(b)


def compare(op: str, a: Any, b: Any) -> bool:
    x: Any
    y: Any
    if _is_numeric(a) and _is_numeric(b):
        x, y = to_number(a), to_number(b)
    elif is_empty(a) or is_empty(b):
        return False
    elif isinstance(a, int | float) or isinstance(b, int | float):
        x, y = to_number(a), to_number(b)  # e.g. a date against a number of days
    else:
        x, y = to_string(a), to_string(b)
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x >= y)
