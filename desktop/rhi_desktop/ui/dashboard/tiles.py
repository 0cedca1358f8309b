"""A figure tile: the value large, the counts behind it small, the definition on hover."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from rhi_desktop.services.dashboard import FigureValue


class FigureTile(QFrame):
    """One figure. The tooltip and the accessible description carry its definition."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("figureTile")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keyboard users can reach the definition
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.title.setWordWrap(True)
        self.value = QLabel("–")
        self.value.setObjectName("tileValue")
        self.detail = QLabel(" ")
        self.detail.setObjectName("tileDetail")
        for label in (self.title, self.value, self.detail):
            # The tile, not each label, is what a mouse or a screen reader reaches.
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        layout.addStretch(1)
        self.setAccessibleName(title)

    def show_value(self, figure: FigureValue) -> None:
        self.title.setText(figure.title)
        self.value.setText(figure.display)
        self.detail.setText(figure.detail or " ")
        tip = figure.definition
        if figure.detail:
            tip = f"{figure.display} ({figure.detail}). {tip}"
        self.setToolTip(f"<p style='max-width: 320px'><b>{figure.title}</b><br>{tip}</p>")
        spoken = f"{figure.title}: {figure.display}"
        if figure.detail:
            spoken += f", {figure.detail}"
        self.setAccessibleName(spoken)
        self.setAccessibleDescription(figure.definition)
