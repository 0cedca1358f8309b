"""Group and rank a form's problems, so a designer reads one line per kind of problem.

A foreign form can use one unsupported feature on hundreds of rows; listing each row would bury
the one real problem. Problems of the same kind become one message naming the rows
("rows 4, 9, 12–15"); errors come before warnings, and within each, problems about the whole
file or a whole feature before problems of single rows (in sheet order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rhi_core.forms.errors import ERROR, WARNING, FormError, Place


def rows_text(places: Iterable[Place]) -> str:
    """``row 4``, ``rows 4, 9, 12–15``, ``choices rows 3, 4`` or ``lines 3, 8`` for places."""
    by_sheet: dict[str | None, list[int]] = {}
    lines: list[int] = []
    for place in places:
        if place.sheet is not None and place.row is not None:
            by_sheet.setdefault(place.sheet, []).append(place.row)
        elif place.line is not None:
            lines.append(place.line)
    parts: list[str] = []
    for sheet, rows in by_sheet.items():
        numbers = _ranges(sorted(set(rows)))
        noun = "row" if len(set(rows)) == 1 else "rows"
        prefix = "" if (sheet or "").strip().lower() == "survey" else f"{sheet} "
        parts.append(f"{prefix}{noun} {numbers}")
    if lines:
        noun = "line" if len(set(lines)) == 1 else "lines"
        parts.append(f"{noun} {_ranges(sorted(set(lines)))}")
    return "; ".join(parts) or "the whole form"


def _ranges(numbers: Sequence[int], limit: int = 12) -> str:
    spans: list[tuple[int, int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    words = [str(a) if a == b else (f"{a}, {b}" if b == a + 1 else f"{a}–{b}") for a, b in spans]
    if len(words) > limit:
        return ", ".join(words[:limit]) + f" and {len(words) - limit} more"
    return ", ".join(words)


@dataclass
class Usage:
    """Where each feature is used, to report it once."""

    places: dict[tuple[str, str], list[Place]] = field(default_factory=dict)

    def add(self, kind: str, name: str, place: Place) -> None:
        self.places.setdefault((kind, name), []).append(place)


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    summary: str  # format string over the pattern's named groups, plus {where} and {n}


_TEMPLATES = (
    _Template(
        re.compile(
            r"^(?:question|section|group|repeat) '[^']*' has no label in the default language "
            r"'(?P<lang>[^']*)'; another language's label is shown$"
        ),
        "{n} questions and groups ({where}) have no label in the default language "
        "'{lang}'; another language's label is shown. Fill in the default language's label "
        "column, or set default_language",
    ),
    _Template(
        re.compile(
            r"^choice list '[^']*', value '[^']*' has no label in the default language "
            r"'(?P<lang>[^']*)'; another language's label is shown$"
        ),
        "{n} choices ({where}) have no label in the default language '{lang}'; another "
        "language's label is shown. Fill in the default language's label column",
    ),
    _Template(
        re.compile(r"^(?:section|repeat) '[^']*' has no label; its name is shown instead$"),
        "{n} groups ({where}) have no label; their names are shown instead. Give them labels",
    ),
    _Template(
        re.compile(
            r"^(?:question|group|section|repeat|risk flag) '[^']*': [a-z_]+: "
            r"(?P<fn>[A-Za-z][\w:-]*)\(\) is not supported: (?P<why>.*?) at column \d+$"
        ),
        "function {fn}() ({where}) is not supported: {why}",
    ),
    _Template(
        re.compile(r"^choice row has no list_name$"),
        "{n} rows of the choices sheet ({where}) have no list_name; fill in the list_name column",
    ),
)


def group(problems: Sequence[FormError]) -> list[FormError]:
    """Merge problems of one kind (2 or more) into one message listing their rows."""
    buckets: dict[tuple[int, str, tuple[str, ...]], list[FormError]] = {}
    keyed: list[tuple[FormError, tuple[int, str, tuple[str, ...]] | None]] = []
    for problem in problems:
        key = None
        for index, template in enumerate(_TEMPLATES):
            m = template.pattern.match(problem.message)
            if m:
                groups = tuple(f"{k}={v}" for k, v in sorted(m.groupdict().items()))
                key = (index, problem.severity, groups)
                buckets.setdefault(key, []).append(problem)
                break
        keyed.append((problem, key))
    out: list[FormError] = []
    done: set[tuple[int, str, tuple[str, ...]]] = set()
    for problem, key in keyed:
        if key is None or len(buckets[key]) < 2:
            out.append(problem)
            continue
        if key in done:
            continue
        done.add(key)
        members = buckets[key]
        template = _TEMPLATES[key[0]]
        m = template.pattern.match(members[0].message)
        assert m is not None
        where = rows_text(p.place for p in members)
        text = template.summary.format(n=len(members), where=where, **m.groupdict())
        out.append(FormError(text, Place(members[0].place.file), members[0].severity))
    return out


_SHEETS = {"survey": 0, "choices": 1, "external_choices": 2, "settings": 3, "risk_flags": 4}


def _rank(problem: FormError) -> tuple[int, int, int, int]:
    place = problem.place
    severity = 0 if problem.severity == ERROR else 1
    whole = 0 if place.row is None and place.line is None else 1
    sheet = _SHEETS.get((place.sheet or "").strip().lower(), 9)
    return severity, whole, sheet, place.row or place.line or 0


def rank(problems: Iterable[FormError]) -> list[FormError]:
    """Errors before warnings; whole-file and whole-feature problems first; then in the order
    of the sheets and rows (or lines), so a designer can fix them top to bottom."""
    items = list(problems)
    order = {id(p): i for i, p in enumerate(items)}
    return sorted(items, key=lambda p: (_rank(p), order[id(p)]))


def tidy(problems: Sequence[FormError]) -> list[FormError]:
    """Grouped, then ranked (stable within a rank, so related rows stay together)."""
    return rank(group(problems))


__all__ = ["ERROR", "WARNING", "Usage", "group", "rank", "rows_text", "tidy"]
