"""The section list beside the interview: title, progress and a tick when complete."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from rhi_core.forms.evaluate import SectionProgress

_Index = QModelIndex | QPersistentModelIndex
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class SectionListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._titles: list[tuple[str, str]] = []  # (name, title) of the sections shown
        self._progress: dict[str, SectionProgress] = {}
        # RHI-level steps (offer, sessions, …) say their own state: (text, done).
        self._notes: dict[str, tuple[str, bool]] = {}

    def set_sections(self, sections: list[tuple[str, str]]) -> None:
        self.beginResetModel()
        self._titles = list(sections)
        self.endResetModel()

    def set_titles(self, titles: dict[str, str]) -> None:
        """New titles for some sections, in place (a title naming answers follows them)."""
        changed = False
        for n, (name, old) in enumerate(self._titles):
            if name in titles and titles[name] != old:
                self._titles[n] = (name, titles[name])
                changed = True
        if changed:
            self.dataChanged.emit(self.index(0), self.index(len(self._titles) - 1))

    def set_progress(self, progress: list[SectionProgress]) -> None:
        self._progress = {p.name: p for p in progress}
        if self._titles:
            self.dataChanged.emit(self.index(0), self.index(len(self._titles) - 1))

    def set_notes(self, notes: dict[str, tuple[str, bool]]) -> None:
        self._notes = dict(notes)
        if self._titles:
            self.dataChanged.emit(self.index(0), self.index(len(self._titles) - 1))

    def names(self) -> list[str]:
        return [name for name, _ in self._titles]

    def name_at(self, row: int) -> str:
        return self._titles[row][0]

    def row_of(self, name: str) -> int:
        return next((n for n, (s, _) in enumerate(self._titles) if s == name), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._titles):
            return None
        name, title = self._titles[index.row()]
        progress = self._progress.get(name)
        if role == NAME_ROLE:
            return name
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if name in self._notes:
                note, done = self._notes[name]
                return f"{'✓ ' if done else ''}{title}\n{note}"
            if progress is None or not progress.relevant:
                return f"{title}\nNot needed"
            if progress.total == 0:
                return f"{title}\nNothing recorded yet"
            done = progress.answered >= progress.total
            tick = "✓ " if done else ""
            return f"{tick}{title}\n{progress.answered} of {progress.total} answered"
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and progress is not None
            and not progress.relevant
        ):
            from PySide6.QtGui import QColor

            return QColor("#8a94a3")
        return None
