"""Read-only table models for the RHI lists (offers, sessions, plan entries, episodes).

One small model type: each row is an id plus the display text of its columns, so a list is a
real model/view (sortable, accessible, testable with qtmodeltester) rather than item widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

_Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Row:
    id: str
    cells: tuple[str, ...]
    value: Any = None  # the view object behind the row (for editing)
    tooltip: str | None = None


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.cells[index.column()] if index.column() < len(row.cells) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row.value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


def table_view(
    model: RowsModel, name: str, min_rows: int = 2, stretch: tuple[int, ...] | None = None
) -> QTableView:
    """A quiet table in the house style that never scrolls sideways: short columns take their
    contents' width, the ``stretch`` columns (default: the last) share the rest and wrap their
    text; the table is as tall as its rows (from font metrics), up to a dozen."""
    view = QTableView()
    view.setObjectName("recordTable")
    view.setAccessibleName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    wide = stretch if stretch is not None else (model.columnCount() - 1,)
    for column in wide:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    line = view.fontMetrics().lineSpacing()
    view.verticalHeader().setDefaultSectionSize(line + line // 2 + 6)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setMinimumHeight((line + line // 2 + 6) * (min_rows + 1) + 4)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    _fit_height(view, model)
    model.modelReset.connect(lambda: _fit_height(view, model))
    header.sectionResized.connect(lambda *_: _fit_height(view, model))
    return view


def _fit_height(view: QTableView, model: RowsModel) -> None:
    # Show every row without an inner scrollbar (the page scrolls), up to a dozen.
    shown = min(model.rowCount(), 12)
    step = view.verticalHeader().defaultSectionSize()
    rows = sum(view.rowHeight(r) or step for r in range(shown))
    rows += step * max(0, 2 - shown)  # room for at least two (an empty table stays visible)
    header = view.horizontalHeader().sizeHint().height()
    view.setFixedHeight(header + rows + 6)


def selected_row(view: QTableView) -> Row | None:
    indexes = view.selectionModel().selectedRows() if view.selectionModel() else []
    if not indexes:
        return None
    model = view.model()
    assert isinstance(model, RowsModel)
    return model.row_at(indexes[0].row())
