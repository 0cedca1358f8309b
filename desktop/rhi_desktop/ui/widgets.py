"""Small shared widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget


class Card(QFrame):
    """A white, rounded panel that groups related content."""

    def __init__(self, title: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 14, 16, 14)
        self.body.setSpacing(8)
        self.title: QLabel | None = None
        if title:
            label = QLabel(title)
            label.setObjectName("sectionTitle")
            label.setWordWrap(True)
            self.body.addWidget(label)
            self.title = label

    def set_title(self, text: str) -> None:
        """Change the title (a title naming answers follows them)."""
        if self.title is not None and self.title.text() != text:
            self.title.setText(text)


def muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class ElidedLabel(QLabel):
    """One line that gives up room when the window is narrow, ending in "…" (the whole text in
    its tooltip and accessible name) instead of pushing the window wider than the screen."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        # Its whole text when there is room; down to a few letters and "…" when there is not.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        if text == self._full and self.text():
            return
        self._full = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self):  # noqa: ANN201, N802 - Qt override
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self._full) + 8)
        return hint

    def minimumSizeHint(self):  # noqa: ANN201, N802 - Qt override
        hint = super().minimumSizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("m") * 6)
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(
            self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        )
