"""Answer type checks: an answer of the wrong type is shown like a failed constraint.

Each question type gets one checker, ``value -> problem sentence or None``; the evaluator runs it
before the question's own constraint, so a constraint never sees text where it expects a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rhi_core.forms.schema import ACKNOWLEDGED, FormDefinition, Question

Checker = Callable[[Any], str | None]

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$")


def is_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    if isinstance(v, float):
        return v.is_integer()
    return isinstance(v, str) and re.fullmatch(r"\s*[-+]?\d+\s*", v) is not None


def is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return v == v
    if isinstance(v, str):
        try:
            return float(v) == float(v)
        except ValueError:
            return False
    return False


def is_date(v: Any) -> bool:
    if not isinstance(v, str) or len(v) != 10:
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def is_datetime(v: Any) -> bool:
    if not isinstance(v, str) or len(v) < 16:
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


def range_bounds(question: Question) -> tuple[float, float, float]:
    """start, end and step of a range question (ODK's defaults: 1, 10, 1)."""
    p = question.parameters
    return float(p.get("start", 1)), float(p.get("end", 10)), float(p.get("step", 1))


def _range_checker(question: Question) -> Checker:
    start, end, step = range_bounds(question)
    low, high = min(start, end), max(start, end)

    def check(v: Any) -> str | None:
        if not is_number(v):
            return "Please choose a number on the scale."
        x = float(v)
        steps = (x - start) / step
        if not low - 1e-9 <= x <= high + 1e-9 or not math.isclose(
            steps, round(steps), abs_tol=1e-6
        ):
            return f"Please choose a number from {_num(start)} to {_num(end)}."
        return None

    return check


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() else str(x)


def checker(question: Question, form: FormDefinition) -> Checker | None:
    """The type check for ``question``'s answers (None for questions nobody answers)."""
    kind = question.type
    if kind in ("text", "long_text"):
        return lambda v: None if isinstance(v, str) else "Please enter text."
    if kind == "integer":
        return lambda v: None if is_int(v) else "Please enter a whole number."
    if kind == "decimal":
        return lambda v: None if is_number(v) else "Please enter a number."
    if kind == "range":
        return _range_checker(question)
    if kind == "date":
        return lambda v: None if is_date(v) else "Please enter a date (YYYY-MM-DD)."
    if kind == "time":
        return lambda v: (
            None if isinstance(v, str) and _TIME.match(v) else "Please enter a time (HH:MM)."
        )
    if kind == "datetime":
        return lambda v: None if is_datetime(v) else "Please enter a date and time."
    if kind == "acknowledge":
        return lambda v: None if v == ACKNOWLEDGED else "Please tick to acknowledge."
    if kind in ("image", "file"):
        return lambda v: None if isinstance(v, str) and v.strip() else "Please attach a file."
    values = frozenset(c.value for c in form.choices_of(question))
    if kind in ("select_multiple", "rank"):
        noun = (
            "Please put the options in order." if kind == "rank" else "Please choose from the list."
        )

        def check_many(v: Any) -> str | None:
            if not isinstance(v, list) or any(not isinstance(x, str) or x not in values for x in v):
                return noun
            if kind == "rank" and len(set(v)) != len(v):
                return noun
            return None

        return check_many
    if kind in ("select_one", "yes_no", "scale"):
        # scale answers may be stored as numbers
        return lambda v: (
            None
            if not isinstance(v, bool | list | dict) and str(v) in values
            else "Please choose one of the options."
        )
    return None
