"""A CSV export read through its mapping into raw rows (field -> text), with row numbers as a
spreadsheet shows them (the heading row is row 1)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from rhi_central.episodes.mapping import Mapping

MAX_ROWS = 200_000


class FileProblem(ValueError):
    """The file as a whole cannot be read with this mapping (one sentence)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int
    cells: dict[str, str]  # field -> text as written (stripped); blank cells are ""


def read_csv(data: bytes, mapping: Mapping) -> list[RawRow]:
    try:
        text = data.decode(mapping.encoding)
    except UnicodeDecodeError:
        raise FileProblem(
            f"The file is not {mapping.encoding} text: save it from Excel as 'CSV UTF-8', or "
            "say its encoding in the mapping (encoding: cp1252)."
        ) from None
    if "\x00" in text:
        raise FileProblem("The file is not a CSV text file (it contains NUL characters).")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise FileProblem("The file is empty.")
        headings = [h.strip().lstrip("\ufeff") for h in header]
        index = _column_index(headings, mapping)
        rows: list[RawRow] = []
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines at the end of an Excel export
            if len(rows) >= MAX_ROWS:
                raise FileProblem(f"The file has more than {MAX_ROWS:,} rows: split it.")
            rows.append(
                RawRow(
                    number,
                    {
                        name: (record[i].strip() if i < len(record) else "")
                        for name, i in index.items()
                    },
                )
            )
    except csv.Error as exc:
        raise FileProblem(
            f"The file is not well-formed CSV near row {reader.line_num}: {exc}."
        ) from None
    if not rows:
        raise FileProblem("The file has headings but no rows.")
    return rows


def _column_index(headings: list[str], mapping: Mapping) -> dict[str, int]:
    by_heading: dict[str, int] = {}
    repeated: set[str] = set()
    for i, heading in enumerate(headings):
        if heading in by_heading:
            repeated.add(heading)
        by_heading.setdefault(heading, i)
    missing = [
        f"'{heading}' ({name})"
        for name, heading in mapping.columns.items()
        if heading not in by_heading
    ]
    if missing:
        shown = ", ".join(f"'{h}'" for h in headings[:30] if h)
        raise FileProblem(
            f"The file has no column {', '.join(missing)}: check the mapping against its "
            f"headings, which are {shown}."
        )
    clash = sorted(h for h in repeated if h in mapping.columns.values())
    if clash:
        raise FileProblem(f"The file has two columns headed {', '.join(clash)}: rename one.")
    return {name: by_heading[heading] for name, heading in mapping.columns.items()}
