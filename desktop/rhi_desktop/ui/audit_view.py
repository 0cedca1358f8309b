"""The audit screen: who did what and when, and whether the hash chain is intact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services.audit_view import AuditRow, AuditTrail, load_audit_trail
from rhi_desktop.services.profiles import Profile

from . import theme
from .operations import run_in_background
from .widgets import Card, muted

_Index = QModelIndex | QPersistentModelIndex
_HEADERS = ("When", "Who", "What", "Record", "Details")


class AuditModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            col = index.column()
            if col == 0:
                return row.at.astimezone().strftime("%d/%m/%Y %H:%M:%S")
            if col == 1:
                return row.actor
            if col == 2:
                return row.action + ("  (altered!)" if row.tampered else "")
            if col == 3:
                return f"{row.entity or ''} {(row.entity_id or '')[:8]}".strip()
            if col == 4:
                return ", ".join(f"{k}={v}" for k, v in sorted((row.detail or {}).items()))
        if role == Qt.ItemDataRole.ForegroundRole and row.tampered:
            return QColor(theme.RED)
        return None


class AuditView(QWidget):
    error_occurred = Signal(str)
    loaded = Signal()

    def __init__(
        self,
        profile: Profile,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self._profile = profile
        self.model = AuditModel(self)
        self.verdict = QLabel()
        self.verdict.setObjectName("sectionTitle")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Audit chain status")
        refresh = QPushButton("Check again")
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.verdict, 1)
        top.addWidget(refresh)
        self.table = QTableView()
        self.table.setAccessibleName("Audit events")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        card = Card("Audit trail")
        card.body.addLayout(top)
        card.body.addWidget(
            muted(
                "Every view, change, export, sync and unlock on this laptop, newest first. Each "
                "event holds the hash of the one before it, so an edited, removed or reordered "
                "event is detected."
            )
        )
        card.body.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(card)

    def reload(self) -> None:
        profile = self._profile

        def work() -> AuditTrail:
            with profile.sessions() as s:
                return load_audit_trail(s)

        run_in_background(self, work, self._show, lambda e: self.error_occurred.emit(str(e)))

    def _show(self, trail: AuditTrail) -> None:
        self.model.set_rows(trail.rows)
        if trail.intact:
            self.verdict.setText(f"✓ Intact — {trail.total} events, hash chain verified")
            self.verdict.setStyleSheet(f"color: {theme.GREEN};")
        else:
            self.verdict.setText(
                f"✗ Tampered — {len(trail.problems)} problem(s): {trail.problems[0].message}"
            )
            self.verdict.setStyleSheet(f"color: {theme.RED};")
        self.loaded.emit()
