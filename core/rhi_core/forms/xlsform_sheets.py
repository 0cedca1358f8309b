"""Read the sheets of an XLSForm workbook (.xlsx with openpyxl, old .xls with xlrd) as tables.

Only cell values are read, never formulas' text or styles. Values come back as Python values
(text stripped, whole numbers as int, Excel TRUE/FALSE as bool, dates as ISO text), each with
its row number and column letter so every message can point at its cell. Reading stops after a
long run of empty rows or columns, as pyxform does, so a sheet formatted down to row 1,048,576
is not read a million times over.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from rhi_core.forms.errors import FormError, FormLoadError, Place

MAX_EMPTY_ROWS = 60
MAX_EMPTY_COLUMNS = 20
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls",)


@dataclass
class Table:
    """One sheet's cells: the header row and the data rows (1-based row numbers)."""

    name: str
    header: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index``."""
    return get_column_letter(index + 1)


def clean(value: Any) -> Any:
    """A cell value as the forms engine reads it; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\xa0", " ").strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    return value


def _trimmed(rows: list[list[Any]]) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    if not rows:
        return [], []
    header = [clean(v) for v in rows[0]]
    # Columns end after a run of empty headers.
    width, empty = 0, 0
    for i, value in enumerate(header):
        if value is None:
            empty += 1
            if empty > MAX_EMPTY_COLUMNS:
                break
        else:
            empty = 0
            width = i + 1
    header = header[:width]
    out: list[tuple[int, list[Any]]] = []
    empty = 0
    for number, raw in enumerate(rows[1:], start=2):
        values = [clean(v) for v in raw[:width]]
        if all(v is None for v in values):
            empty += 1
            if empty > MAX_EMPTY_ROWS:
                break
            continue
        empty = 0
        out.append((number, values))
    return header, out


def _read_xlsx(path: Path) -> list[Table]:
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it skips; they never matter to a form.
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        tables: list[Table] = []
        for ws in wb.worksheets:
            rows: list[list[Any]] = []
            empty = 0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for raw in ws.iter_rows(values_only=True):
                    row = list(raw)
                    if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                        empty += 1
                        if empty > MAX_EMPTY_ROWS and rows:
                            break
                    else:
                        empty = 0
                    rows.append(row)
            header, data = _trimmed(rows)
            tables.append(Table(ws.title, header, data))
        return tables
    finally:
        wb.close()


def _read_xls(path: Path) -> list[Table]:
    import xlrd  # old Excel; imported only when such a file is opened

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        tables: list[Table] = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows: list[list[Any]] = []
            for r in range(sheet.nrows):
                row: list[Any] = []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    row.append(_xls_value(cell, book.datemode, xlrd))
                rows.append(row)
            header, data = _trimmed(rows)
            tables.append(Table(sheet.name, header, data))
            book.unload_sheet(index)
        return tables
    finally:
        book.release_resources()


def _xls_value(cell: Any, datemode: int, xlrd: Any) -> Any:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_DATE:
        parts = xlrd.xldate_as_tuple(cell.value, datemode)
        if parts[:3] == (0, 0, 0):
            return time(*parts[3:])
        return datetime(*parts)
    return cell.value


def read_tables(path: str | Path) -> list[Table]:
    """Every sheet of the workbook at ``path``; FormLoadError (one sentence) when it cannot
    be read."""
    file = str(path)
    path = Path(path)
    if not path.exists():
        raise FormLoadError([FormError("the file does not exist", Place(file))])
    suffix = path.suffix.lower()
    try:
        if suffix in XLS_SUFFIXES:
            return _read_xls(path)
        return _read_xlsx(path)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError) as exc:
        kind = "an .xls spreadsheet" if suffix in XLS_SUFFIXES else "an .xlsx spreadsheet"
        hint = (
            "; if it is an .xls file, rename it to .xls"
            if suffix not in XLS_SUFFIXES and _looks_like_xls(path)
            else ""
        )
        del exc
        raise FormLoadError(
            [FormError(f"cannot open the workbook: it is not {kind}{hint}", Place(file))]
        ) from None
    except OSError as exc:
        raise FormLoadError(
            [FormError(f"cannot open the workbook: {exc.strerror or exc}", Place(file))]
        ) from None
    except Exception as exc:  # noqa: BLE001 - xlrd raises its own XLRDError for bad files
        if exc.__class__.__name__ != "XLRDError":
            raise
        raise FormLoadError(
            [FormError("cannot open the workbook: it is not an .xls spreadsheet", Place(file))]
        ) from None


def _looks_like_xls(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


@dataclass
class Cell:
    value: Any
    column: str  # letter


@dataclass
class Sheet:
    """One sheet with normalised headers: ``rows`` hold ``key -> Cell``."""

    file: str
    name: str  # as in the workbook (for places)
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key -> letter
    originals: dict[str, str] = field(default_factory=dict)  # key -> header as written
    feature_rows: dict[int, set[str]] = field(default_factory=dict)  # row -> unread features

    def place(self, row: int, column: str | None = None) -> Place:
        return Place(self.file, sheet=self.name, row=row, column=column)


def code_of(key: str, default: str) -> str:
    """A header's language code; the plain (``label::default``) column is the default."""
    return default if key == "\0default" else key


def texts_of(row: dict[str, Cell], key: str, lang: str) -> tuple[dict[str, str], str | None]:
    """The texts of ``key`` by language (``label``, ``label::ar``...) and the first letter."""
    out: dict[str, str] = {}
    letter: str | None = None
    for header, cell in row.items():
        if header == key:
            out[lang] = str(cell.value)
        elif header.startswith(key + "::"):
            out[code_of(header.split("::", 1)[1], lang)] = str(cell.value)
        else:
            continue
        letter = letter or cell.column
    return out, letter
