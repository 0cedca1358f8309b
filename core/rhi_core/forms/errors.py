"""Where a problem in a form definition is, and what it is.

Every load-time problem carries its place so a form designer can go straight to it: a line in a
YAML file, or a sheet/row/column in an XLSForm spreadsheet. Checking collects all problems rather
than stopping at the first, because designers fix a whole batch between runs.

A problem is an ``error`` (the form is refused) or a ``warning`` (the form loads; something in
it is read differently or left out, and the message says what and how to change the sheet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Place:
    """A position in a source file: YAML ``line``, or XLSForm ``sheet``/``row``/``column``."""

    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # spreadsheet column letter, e.g. "F"

    def __str__(self) -> str:
        if self.sheet is not None:
            where = f"{self.file}:{self.sheet}!{self.row or 1}"
            return f"{where}:{self.column}" if self.column else where
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True, slots=True)
class FormError:
    """One problem found while loading or checking a form."""

    message: str
    place: Place
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.place}: {prefix}{self.message}"

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING


class FormLoadError(Exception):
    """Raised by the loaders when a form has problems; ``errors`` lists every one of them
    (errors first; any warnings found on the way follow in ``warnings``)."""

    def __init__(self, errors: Sequence[FormError], warnings: Sequence[FormError] = ()) -> None:
        problems = [*errors, *warnings]
        self.errors: tuple[FormError, ...] = tuple(p for p in problems if not p.is_warning)
        self.warnings: tuple[FormError, ...] = tuple(p for p in problems if p.is_warning)
        first = str(self.errors[0]) if self.errors else "invalid form"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(first + more)
