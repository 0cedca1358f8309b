"""Review and complete: everything still missing, each a link to where it is fixed; completing
locks the revision; an amendment (with a reason) starts the next one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QWidget

from rhi_core.domain.codes import InterviewState
from rhi_core.domain.completion import CompletionProblem
from rhi_desktop.services.record_open import RecordSnapshot

from ..widgets import error_label, muted, show_error
from . import text
from .ops import RecordOps
from .panel import RecordPanel

_Index = QModelIndex | QPersistentModelIndex
TARGET_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemListModel(QAbstractListModel):
    def __init__(self, place_of: Callable[[CompletionProblem], str], parent: Any = None) -> None:
        super().__init__(parent)
        self._place_of = place_of
        self._problems: list[CompletionProblem] = []

    def set_problems(self, problems: list[CompletionProblem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def problems(self) -> list[CompletionProblem]:
        return list(self._problems)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        p = self._problems[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{self._place_of(p)}\n{p.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Go there (Enter or click)"
        if role == TARGET_ROLE:
            return p.target
        return None


class ReviewPanel(RecordPanel):
    title_text = "Review and complete"
    jump_requested = Signal(object)  # a CompletionProblem.target dict
    complete_requested = Signal()
    amend_requested = Signal()
    export_requested = Signal()

    def __init__(
        self,
        ops: RecordOps,
        place_of: Callable[[CompletionProblem], str],
        export_available: bool,
        young_person: bool = False,
    ) -> None:
        super().__init__(ops, young_person)
        self._export_available = export_available
        status = self.card()
        self.headline = QLabel()
        self.headline.setObjectName("reviewHeadline")
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Completion status")
        self.detail = muted("")
        status.body.addWidget(self.headline)
        status.body.addWidget(self.detail)

        self.todo = self.card("Still to do", "Select an item to go to the place that fixes it.")
        self.model = ProblemListModel(place_of, self)
        self.list = QListView()
        self.list.setObjectName("problems")
        self.list.setAccessibleName("Still to do")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setCursor(Qt.CursorShape.PointingHandCursor)
        self.list.clicked.connect(self._activated)
        self.list.activated.connect(self._activated)
        self.todo.body.addWidget(self.list)

        actions = self.card()
        self.error = error_label()
        self.error.setAccessibleName("Completion problem")
        actions.body.addWidget(self.error)
        self.complete_button = QPushButton("Complete interview")
        self.complete_button.setObjectName("primary")
        self.complete_button.setAccessibleName("Complete interview")
        self.complete_button.clicked.connect(self.complete_requested)
        self.amend_button = QPushButton("Amend…")
        self.amend_button.setAccessibleName("Amend the completed record")
        self.amend_button.clicked.connect(self.amend_requested)
        self.export_button = QPushButton("Export signed PDF…")
        self.export_button.setAccessibleName("Export signed PDF")
        self.export_button.clicked.connect(self.export_requested)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.amend_button)
        row.addWidget(self.complete_button)
        actions.body.addLayout(row)
        self.finish()

    def _activated(self, index: QModelIndex) -> None:
        target = index.data(TARGET_ROLE)
        if target is not None:
            self.jump_requested.emit(target)

    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        self._show()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self._show()

    def show_error(self, message: str | None) -> None:
        show_error(self.error, message)

    def _show(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        r = snap.record
        locked = self.locked or snap.locked
        problems = [] if locked else list(snap.problems)
        self.model.set_problems(problems)
        self.todo.setVisible(bool(problems))
        state = "locked" if locked else ("ready" if not problems else "todo")
        if locked and r.state == InterviewState.HAS_ISSUES:
            state = "returned"
            self.headline.setText("Returned by the reviewer: changes needed")
            self.detail.setText(
                f"{snap.review_note or 'The reviewer sent it back with issues.'}\n"
                f"Revision {r.revision} stays as it was reviewed; reopen it to make the "
                "changes in a new revision."
            )
        elif locked:
            label = InterviewState(r.state).label if r.state else "Completed"
            self.headline.setText(f"{label} — locked")
            self.detail.setText(
                f"Revision {r.revision}, completed {text.when(r.completed_at)}. It is kept "
                "exactly as completed; to change it, make an amendment with a reason."
            )
        elif problems:
            n = len(problems)
            self.headline.setText(f"{n} thing{'s' if n != 1 else ''} to finish before completing")
            self.detail.setText("The interview can be completed once the list below is empty.")
        else:
            self.headline.setText("Ready to complete")
            self.detail.setText(
                "Completing locks this revision. Changes after that are amendments, kept "
                "alongside the original."
            )
        if r.amendment_reason and not locked:
            self.detail.setText(
                f"{self.detail.text()}\nRevision {r.revision} — amendment: {r.amendment_reason}"
            )
        self.headline.setProperty("state", state)
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        self.complete_button.setVisible(not locked)
        self.complete_button.setEnabled(not locked and not problems)
        self.amend_button.setVisible(locked)
        self.amend_button.setText(
            "Reopen for changes…" if r.state == InterviewState.HAS_ISSUES else "Amend…"
        )
        if not self._export_available:
            self.export_button.setEnabled(False)
            self.export_button.setToolTip("Signed PDF export is not installed in this version yet.")
        else:
            self.export_button.setEnabled(locked)
            self.export_button.setToolTip(
                "" if locked else "A signed PDF can be made once the interview is completed."
            )

    def editors(self) -> list[QWidget]:
        return []
