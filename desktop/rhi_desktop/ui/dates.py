"""Reading and writing dates the way people in England type them: DD/MM/YYYY [HH:MM].

Pure Python (no Qt), so the rules are tested directly. One reader for every date on every
screen: a worker who types ``03122026`` means 3 December 2026, whatever the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime

DATE_HINT = "DD/MM/YYYY"
DATETIME_HINT = "DD/MM/YYYY HH:MM"
# XLSForm's month-year and year appearances: the value is the first day of the month / year.
MONTH_HINT = "MM/YYYY"
YEAR_HINT = "YYYY"
_MONTH = re.compile(r"^(?P<m>\d{1,2})[/.\- ]?(?P<y>\d{4})$")

_SEP = r"[/.\- ]"
# Day, month, year with separators (3/12/2026, 03-12-26) or run together (03122026, 031226).
_DATE = re.compile(
    rf"^(?:(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}}|\d{{2}})"
    r"|(?P<d2>\d{2})(?P<m2>\d{2})(?P<y2>\d{4}|\d{2}))"
)
_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.h]?(?P<min>\d{2}))?$")


class DateTextError(ValueError):
    """The text is not a date; ``str()`` is the sentence to show under the field."""


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def parse_date_text(text: str, *, with_time: bool = False) -> date | datetime | None:
    """The date (or naive local date and time) ``text`` means, None for an empty field.

    Raises DateTextError with one sentence when the text cannot be a date.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    example = "03/12/2026 14:30" if with_time else "03/12/2026"
    hint = DATETIME_HINT if with_time else DATE_HINT
    bad = DateTextError(f"Type the date as {hint}, for example {example}.")
    if raw.isdigit() and len(raw) == 12 and with_time:
        raw = f"{raw[:8]} {raw[8:]}"  # 031220261430: date and time run together
    match = _DATE.match(raw)
    if match is None:
        raise bad
    if match.group("d") is not None:
        day, month, year = int(match["d"]), int(match["m"]), _year(match["y"])
    else:
        day, month, year = int(match["d2"]), int(match["m2"]), _year(match["y2"])
    rest = raw[match.end() :].strip().lstrip("T").strip()
    try:
        when = date(year, month, day)
    except ValueError:
        raise DateTextError(
            f"There is no date {day:02d}/{month:02d}/{year}: check the day and the month."
        ) from None
    if year < 1900:
        raise bad
    if not with_time:
        if rest:
            raise bad
        return when
    if not rest:
        raise DateTextError(f"Add the time as HH:MM after the date, for example {example}.")
    t = _TIME.match(rest.replace(" ", ""))
    if t is None:
        raise bad
    hour, minute = int(t["h"]), int(t["min"] or 0)
    if hour > 23 or minute > 59:
        raise DateTextError("Type the time as HH:MM on the 24-hour clock, for example 14:30.")
    return datetime(when.year, when.month, when.day, hour, minute)


def parse_month_text(text: str, *, year_only: bool = False) -> date | None:
    """A month (MM/YYYY) or a year (YYYY) as its first day; None when empty."""
    raw = "".join(text.split())
    if not raw:
        return None
    if year_only:
        if len(raw) == 4 and raw.isdigit() and int(raw) >= 1900:
            return date(int(raw), 1, 1)
        raise DateTextError("Type the year as YYYY, for example 2026.")
    match = _MONTH.match(raw)
    if match is None or not 1 <= int(match["m"]) <= 12 or int(match["y"]) < 1900:
        raise DateTextError("Type the month as MM/YYYY, for example 12/2026.")
    return date(int(match["y"]), int(match["m"]), 1)


def format_date_text(
    value: date | datetime | None, *, with_time: bool = False, precision: str = "day"
) -> str:
    """How a stored value is shown in a field (the same format it is typed in)."""
    if value is None:
        return ""
    if with_time and isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if precision == "month":
        return f"{value:%m/%Y}"
    if precision == "year":
        return f"{value:%Y}"
    return f"{value:%d/%m/%Y}"
