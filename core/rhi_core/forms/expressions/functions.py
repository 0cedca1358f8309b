"""The functions an expression may call: arity (checked at parse time) and implementation.

Implementations receive already-evaluated arguments. The compiler handles the rest itself:
``if``/``coalesce``/``once`` (lazy), ``today``/``now``/``position`` (read the context), the node-set
functions (``count``, ``sum``, ``min``, ``max``, ``join``, ``count-non-empty``,
``indexed-repeat``: their ``${name}`` may be a question inside a repeat) and
``jr:choice-name`` (needs the question's choice list).
"""

from __future__ import annotations

import math
import random
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from rhi_core.forms.expressions.values import (
    EPOCH,
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
    "selected-at": (2, 2),
    "count-selected": (1, 1),
    "count": (1, 1),
    "count-non-empty": (1, 1),
    "sum": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "join": (2, None),
    "indexed-repeat": (3, 7),
    "position": (0, 1),
    "once": (1, 1),
    "jr:choice-name": (2, 2),
    "string-length": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "today": (0, 0),
    "now": (0, 0),
    "regex": (2, 2),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "boolean-from-string": (1, 1),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "substring-before": (2, 2),
    "substring-after": (2, 2),
    "translate": (3, 3),
    "normalize-space": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "round": (1, 2),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "abs": (1, 1),
    "pow": (2, 2),
    "sqrt": (1, 1),
    "exp": (1, 1),
    "exp10": (1, 1),
    "log": (1, 1),
    "log10": (1, 1),
    "pi": (0, 0),
    "sin": (1, 1),
    "cos": (1, 1),
    "tan": (1, 1),
    "asin": (1, 1),
    "acos": (1, 1),
    "atan": (1, 1),
    "atan2": (2, 2),
    "date": (1, 1),
    "date-time": (1, 1),
    "decimal-date-time": (1, 1),
    "decimal-time": (1, 1),
    "format-date": (2, 2),
    "format-date-time": (2, 2),
    "uuid": (0, 1),
    "random": (0, 0),
    "checklist": (3, None),
    "weighted-checklist": (4, None),
}

# Functions that take a node set (a question inside a repeat, from outside it).
NODESET_FUNCTIONS = frozenset(
    {"count", "count-non-empty", "sum", "max", "min", "join", "indexed-repeat"}
)

# ODK functions we know but cannot offer on a laptop, with the reason given to the designer.
UNSUPPORTED: dict[str, str] = {
    "pulldata": "it reads an external CSV file, which the spreadsheet does not carry",
    "instance": "it reads a secondary instance (external choices or files)",
    "current": "write ${name} instead of current()/..",
    "area": "it needs a geoshape, which a laptop cannot capture",
    "distance": "it needs a geotrace, which a laptop cannot capture",
    "digest": "cryptographic digests are not supported",
    "base64-decode": "base64 decoding is not supported",
    "extract-signed": "signed data extraction is not supported",
    "last": "write indexed-repeat(${name}, ${repeat}, count(${repeat})) instead",
    "randomize": "choice randomisation is not supported (the parameters column can't do it either)",
}


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


def _math(fn: Callable[..., float]) -> Callable[..., float]:
    def wrapped(*args: Any) -> float:
        try:
            return float(fn(*(to_number(a) for a in args)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return NAN

    return wrapped


def _substr(s: Any, start: Any, end: Any = None) -> str:
    """ODK's substr: 0-based ``start``, exclusive ``end`` (negative counts from the end)."""
    text = to_string(s)
    a = to_number(start)
    if not math.isfinite(a):
        return ""
    if end is None:
        return text[int(a) :]
    b = to_number(end)
    if not math.isfinite(b):
        return ""
    return text[int(a) : int(b)]


def _before(a: Any, b: Any) -> str:
    text, sep = to_string(a), to_string(b)
    i = text.find(sep)
    return text[:i] if i >= 0 and sep else ""


def _after(a: Any, b: Any) -> str:
    text, sep = to_string(a), to_string(b)
    if not sep:
        return text
    i = text.find(sep)
    return text[i + len(sep) :] if i >= 0 else ""


def _translate(s: Any, src: Any, dst: Any) -> str:
    text, frm, to = to_string(s), to_string(src), to_string(dst)
    table: dict[int, int | None] = {}
    for i, ch in enumerate(frm):
        if ord(ch) not in table:
            table[ord(ch)] = ord(to[i]) if i < len(to) else None
    return text.translate(table)


def to_date(value: Any) -> date | None:
    """A date from an ISO text (date or date-time) or a number of days since 1970-01-01."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    x = to_number(value)
    if not math.isfinite(x):
        return None
    try:
        return EPOCH + timedelta(days=math.floor(x))
    except OverflowError:
        return None


def to_datetime(value: Any) -> datetime | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment.replace(tzinfo=None) if moment.tzinfo else moment
    x = to_number(value)
    if not math.isfinite(x):
        return None
    try:
        return datetime(1970, 1, 1) + timedelta(days=x)
    except OverflowError:
        return None


def _date(v: Any) -> str:
    d = to_date(v)
    return d.isoformat() if d else ""


def _date_time(v: Any) -> str:
    d = to_datetime(v)
    return d.isoformat(timespec="seconds") if d else ""


def _decimal_date_time(v: Any) -> float:
    if isinstance(v, str) and len(v) >= 10:
        d = to_datetime(v)
        if d is None:
            return NAN
        return (d - datetime(1970, 1, 1)).total_seconds() / 86400.0
    return to_number(v)


def _decimal_time(v: Any) -> float:
    text = to_string(v)
    m = re.match(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?", text)
    if not m:
        return NAN
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    return (h * 3600 + mi * 60 + s) / 86400.0


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format(v: Any, pattern: Any, with_time: bool) -> str:
    """ODK's format-date / format-date-time: %Y %y %m %n %b %d %e %a %H %h %M %S %3."""
    moment = to_datetime(v) if with_time else to_datetime(_date(v) or v)
    if moment is None:
        return ""
    fmt = to_string(pattern)
    codes = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": _DAYS[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
    }
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(codes.get(fmt[i + 1], fmt[i + 1]))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


def _selected_at(v: Any, n: Any) -> str:
    items = as_items(v)
    i = to_number(n)
    if not math.isfinite(i) or not 0 <= int(i) < len(items):
        return ""
    return items[int(i)]


def _boolean_from_string(v: Any) -> bool:
    return to_string(v).strip().lower() in ("true", "1")


def _uuid(length: Any = None) -> str:
    if length is None:
        return str(uuid.uuid4())
    n = to_number(length)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    rng = random.SystemRandom()
    return "".join(rng.choice(alphabet) for _ in range(max(0, int(n)) if math.isfinite(n) else 0))


def _yes(v: Any) -> bool:
    return to_string(v).strip().lower() in ("yes", "true", "1")


def _checklist(low: Any, high: Any, *answers: Any) -> bool:
    count = sum(1 for a in answers if _yes(a))
    lo, hi = to_number(low), to_number(high)
    return (lo < 0 or count >= lo) and (hi < 0 or count <= hi)


def _weighted(low: Any, high: Any, *pairs: Any) -> bool:
    total = 0.0
    for i in range(0, len(pairs) - 1, 2):
        if _yes(pairs[i]):
            total += to_number(pairs[i + 1])
    lo, hi = to_number(low), to_number(high)
    return (lo < 0 or total >= lo) and (hi < 0 or total <= hi)


EAGER: dict[str, Callable[..., Any]] = {
    "not": lambda v: not to_bool(v),
    "selected": lambda v, code: to_string(code) in as_items(v),
    "selected-at": _selected_at,
    "count-selected": lambda v: float(len(as_items(v))),
    "string-length": lambda v: float(len(to_string(v))),
    "regex": lambda v, p: _compiled(to_string(p)).search(to_string(v)) is not None,
    "int": _int,
    "number": to_number,
    "string": to_string,
    "boolean-from-string": _boolean_from_string,
    "concat": lambda *vs: "".join(to_string(v) for v in vs),
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "ends-with": lambda a, b: to_string(a).endswith(to_string(b)),
    "substr": _substr,
    "substring-before": _before,
    "substring-after": _after,
    "translate": _translate,
    "normalize-space": lambda v: " ".join(to_string(v).split()),
    "true": lambda: True,
    "false": lambda: False,
    "boolean": to_bool,
    "round": _round,
    "floor": _math(math.floor),
    "ceiling": _math(math.ceil),
    "abs": _math(abs),
    "pow": _math(lambda x, y: x**y),
    "sqrt": _math(math.sqrt),
    "exp": _math(math.exp),
    "exp10": _math(lambda x: 10.0**x),
    "log": _math(math.log),
    "log10": _math(math.log10),
    "pi": lambda: math.pi,
    "sin": _math(math.sin),
    "cos": _math(math.cos),
    "tan": _math(math.tan),
    "asin": _math(math.asin),
    "acos": _math(math.acos),
    "atan": _math(math.atan),
    "atan2": _math(math.atan2),
    "date": _date,
    "date-time": _date_time,
    "decimal-date-time": _decimal_date_time,
    "decimal-time": _decimal_time,
    "format-date": lambda v, p: _format(v, p, False),
    "format-date-time": lambda v, p: _format(v, p, True),
    "uuid": _uuid,
    "random": lambda: random.random(),  # noqa: S311 - ODK's random() is not for secrets
    "checklist": _checklist,
    "weighted-checklist": _weighted,
}

__all__ = [
    "ARITY",
    "EAGER",
    "NODESET_FUNCTIONS",
    "UNSUPPORTED",
    "check_regex",
    "is_empty",
    "to_date",
    "to_datetime",
]
