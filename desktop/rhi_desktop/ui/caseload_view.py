"""The caseload screen: filters, search, the table and the child panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services import caseload
from rhi_desktop.services.caseload import CaseloadRow
from rhi_desktop.services.profiles import Profile

from .caseload_model import (
    FILTER_LABELS,
    ROW_ROLE,
    CaseloadModel,
    CaseloadProxy,
    Column,
    Filter,
    filter_counts,
)
from .child_detail import ChildDetail
from .delegates import CaseloadDelegate
from .operations import run_in_background
from .widgets import Card

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CaseloadView(QWidget):
    loaded = Signal(int)  # rows
    error_occurred = Signal(str)
    add_child_requested = Signal()
    record_episode_requested = Signal(str)
    interview_requested = Signal(str)

    def __init__(
        self, profile: Profile, clock: Clock = _utcnow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._profile = profile
        self._clock = clock
        self.model = CaseloadModel(self)
        self.proxy = CaseloadProxy(self)
        self.proxy.setSourceModel(self.model)

        # --- toolbar: filters and search --------------------------------------
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[Filter, QPushButton] = {}
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for mode, label in FILTER_LABELS.items():
            button = QPushButton(label)
            button.setObjectName("filter")
            button.setCheckable(True)
            button.setAccessibleName(f"Show {label.lower()}")
            self.filter_group.addButton(button, int(mode))
            self.filter_buttons[mode] = button
            filters.addWidget(button)
        self.filter_buttons[Filter.ALL].setChecked(True)
        self.filter_group.idClicked.connect(self._on_filter)
        filters.addStretch(1)
        # Search and "Add child…" on their own row: beside seven filter chips they were pushed
        # off a 1366-pixel screen.
        tools = QHBoxLayout()
        tools.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by name or case number"))
        self.search.setAccessibleName("Search by name or case number")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 24)
        self.search.setMaximumWidth(self.fontMetrics().horizontalAdvance("x") * 48)
        self.search.textChanged.connect(self._on_search)
        tools.addWidget(self.search, 1)
        tools.addStretch(0)
        self.add_child = QPushButton(self.tr("Add child…"))
        self.add_child.setObjectName("primary")
        self.add_child.setAccessibleName("Add a child")
        self.add_child.clicked.connect(self.add_child_requested)
        tools.addWidget(self.add_child)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

        # --- the table ----------------------------------------------------------
        self.table = QTableView()
        self.table.setAccessibleName("Caseload")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(CaseloadDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        row_height = self.fontMetrics().height() * 2 + 16
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        em = self.fontMetrics().horizontalAdvance("m")
        widths = {
            Column.CHILD: 14,
            Column.AGE: 4,
            Column.BADGES: 15,
            Column.RETURNED: 10,
            Column.TIME_LEFT: 12,
            Column.STATUS: 8,
            Column.LAST_30: 4,
            Column.LAST_12M: 4,
        }
        self._widths = widths
        for col, w in widths.items():
            self.table.setColumnWidth(col, w * em)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header.setSectionResizeMode(Column.CHILD, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(Column.TIME_LEFT, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.detail = ChildDetail()
        self.detail.record_episode_requested.connect(self.record_episode_requested)
        self.detail.interview_requested.connect(self.interview_requested)
        self.table.doubleClicked.connect(
            lambda index: self.interview_requested.emit(index.data(ROW_ROLE).child_id)
        )

        table_card = Card()
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        table_card.body.addWidget(self.summary)
        table_card.body.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(table_card)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(8)
        layout.addLayout(tools)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self.table.viewport().installEventFilter(self)
        self._em = em

        # The countdown is live: refresh the deadline column every 30 s.
        self._ticker = QTimer(self)
        self._ticker.setInterval(30_000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    # --- fitting the screen ------------------------------------------------------------
    # Columns given up first when the table is narrow (large text, a small laptop): what they
    # show is also in the child's panel, and nothing is ever cut off or scrolled sideways.
    DROP_FIRST = (Column.LAST_12M, Column.AGE, Column.LAST_30, Column.RETURNED)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        available = self.table.viewport().width()
        em = self._em
        hidden: set[int] = set()
        needed = sum(w * em for w in self._widths.values())
        for col in self.DROP_FIRST:
            if needed <= available:
                break
            hidden.add(col)
            needed -= self._widths[col] * em
        for col in Column:
            self.table.setColumnHidden(col, col in hidden)
        # Still tight: the flags give up room (their pills wrap to what fits), the name never.
        flags = self._widths[Column.BADGES] * em
        spare = available - (needed - flags)
        self.table.setColumnWidth(Column.BADGES, max(7 * em, min(flags, spare)))

    # --- loading -------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Read the caseload again; ``select``: the child to show selected afterwards (a child
        just added, or whose episode was just recorded)."""
        profile, now = self._profile, self._clock()

        def work() -> tuple[list[CaseloadRow], datetime]:
            with profile.sessions() as s:
                return caseload.load_caseload(s, now), now

        run_in_background(
            self, work, lambda result: self._on_loaded(result, select), self._on_error
        )

    def _on_loaded(
        self, result: tuple[list[CaseloadRow], datetime], select: str | None = None
    ) -> None:
        rows, now = result
        selected = self.selected_row()
        self.model.set_rows(rows, now)
        header = self.table.horizontalHeader()
        self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_counts()
        wanted = select or (selected.child_id if selected is not None else None)
        if wanted is not None and not self.select_child(wanted) and select is not None:
            # Hidden by a filter or the search: show everyone, then the child.
            self.search.clear()
            self.filter_buttons[Filter.ALL].click()
            self.select_child(select)
        if select is not None:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.loaded.emit(len(rows))

    def _on_error(self, exc: Exception) -> None:
        self.error_occurred.emit(str(exc))

    # --- interaction ----------------------------------------------------------------
    @Slot(int)
    def _on_filter(self, mode: int) -> None:
        self.proxy.set_filter(Filter(mode))
        self._update_summary()

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_summary()

    @Slot()
    def _tick(self) -> None:
        self.model.tick(self._clock())
        self.proxy.refresh()
        self._update_counts()

    def _update_counts(self) -> None:
        counts = filter_counts(self.model.rows(), self.model.now)
        for mode, button in self.filter_buttons.items():
            label = FILTER_LABELS[mode]
            if mode != Filter.ALL:
                label = f"{label}  {counts[mode]}"
            button.setText(label)
        self._update_summary()

    def _update_summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.summary.setText(f"Showing {shown} of {total} children")

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected_row()
        if row is None:
            self.detail.show_row(None, [], None)
            return
        profile, now = self._profile, self.model.now

        def work() -> list[caseload.EpisodeRow]:
            with profile.transaction() as s:
                return caseload.view_child(s, row.child_id, actor=profile.worker_name)

        run_in_background(
            self, work, lambda eps: self.detail.show_row(row, eps, now), self._on_error
        )

    def selected_row(self) -> CaseloadRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return indexes[0].data(ROW_ROLE)

    def select_child(self, child_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data(ROW_ROLE).child_id == child_id:
                self.table.selectRow(r)
                self.table.scrollTo(index)
                return True
        return False
