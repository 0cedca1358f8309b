"""The conformance forms are written as Markdown tables (easy to read and review); these helpers
turn one into a real .xlsx (openpyxl) or old-Excel .xls (xlwt) workbook.

Format, as pyxform's own tests write forms::

    | survey |
    |        | type | name | label::English (en) |
    |        | text | who  | Who?                |

A row whose first cell is filled starts a sheet; the next row is its header. A cell holding
TRUE or FALSE is written as an Excel boolean, as a spreadsheet app would store it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import xlwt

Sheets = dict[str, list[list[Any]]]


def parse(markdown: str) -> Sheets:
    sheets: Sheets = {}
    current: list[list[Any]] | None = None
    for line in markdown.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if set("".join(cells)) <= set("-: "):
            continue  # a Markdown separator row
        if cells[0]:
            current = sheets.setdefault(cells[0], [])
            continue
        assert current is not None, "a table row before any sheet name"
        current.append([_value(c) for c in cells[1:]])
    return sheets


def _value(text: str) -> Any:
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    return text.replace("\\n", "\n").replace("\\|", "|")


def write_xlsx(sheets: Sheets, path: Path) -> Path:
    wb = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet(name)
        assert ws is not None
        ws.title = name
        first = False
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"
    wb.save(path)
    return path


def write_xls(sheets: Sheets, path: Path) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path
