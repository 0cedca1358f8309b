"""The functions an expression may call: arity (checked at parse time) and implementation.

Implementations receive already-evaluated arguments, except the ones listed in LAZY which need
their arguments unevaluated (``if``, ``coalesce`` short-circuit; ``count`` counts repeat
instances) and are handled by the compiler.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rhi_core.forms.expressions.values import (
    NAN,
    EvalError,
    as_items,
    is_empty,
    to_bool,
    to_number,
    to_string,
)

# name -> (minimum arguments, maximum arguments or None for "any number")
ARITY: dict[str, tuple[int, int | None]] = {
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "count": (1, 1),
    "string-length": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "today": (0, 0),
    "now": (0, 0),
    "regex": (2, 2),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "round": (1, 2),
}

LAZY = frozenset({"if", "coalesce", "count", "today", "now"})


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise EvalError(f"invalid regular expression '{pattern}': {exc}") from None


def check_regex(pattern: str) -> str | None:
    """The problem with ``pattern``, or None; lets the loader reject literal bad patterns."""
    try:
        _compiled(pattern)
    except EvalError as exc:
        return str(exc)
    return None


def _int(v: Any) -> float:
    x = to_number(v)
    return float(math.trunc(x)) if math.isfinite(x) else NAN


def _round(v: Any, digits: Any = 0.0) -> float:
    x, d = to_number(v), to_number(digits)
    if not math.isfinite(x) or not math.isfinite(d):
        return NAN
    # XPath rounds halves up, Python rounds them to even.
    scale = 10.0 ** int(d)
    return math.floor(x * scale + 0.5) / scale


EAGER: dict[str, Callable[..., Any]] = {
    "not": lambda v: not to_bool(v),
    "selected": lambda v, code: to_string(code) in as_items(v),
    "count-selected": lambda v: float(len(as_items(v))),
    "string-length": lambda v: float(len(to_string(v))),
    "regex": lambda v, p: _compiled(to_string(p)).search(to_string(v)) is not None,
    "int": _int,
    "number": to_number,
    "string": to_string,
    "concat": lambda *vs: "".join(to_string(v) for v in vs),
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "true": lambda: True,
    "false": lambda: False,
    "boolean": to_bool,
    "round": _round,
}

__all__ = ["ARITY", "EAGER", "LAZY", "check_regex", "is_empty"]
