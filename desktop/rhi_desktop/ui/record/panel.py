"""The frame every RHI screen shares: a page title, an intro line and cards."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rhi_desktop.services.record_open import RecordSnapshot

from ..widgets import Card, muted
from .ops import RecordOps


class RecordPanel(QWidget):
    """Base of the RHI screens. ``apply`` shows a fresh snapshot; ``set_locked`` makes the
    screen read-only; ``focus_target`` takes the worker to a field named by the review list."""

    title_text = ""
    intro_text = ""

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ops = ops
        self.young_person = young_person
        self.locked = False
        self.snapshot: RecordSnapshot | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 16, 24, 16)
        self.layout_.setSpacing(12)
        self.title = QLabel(self.heading())
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        self.layout_.addWidget(self.title)
        intro = self.intro()
        if intro:
            self.layout_.addWidget(muted(intro))

    def heading(self) -> str:
        return self.title_text

    def intro(self) -> str:
        return self.intro_text

    def card(self, title: str | None = None, intro: str | None = None) -> Card:
        card = Card(title)
        if intro:
            card.body.addWidget(muted(intro))
        self.layout_.addWidget(card)
        return card

    def finish(self) -> None:
        self.layout_.addStretch(1)

    def apply(self, snapshot: RecordSnapshot) -> None:
        self.snapshot = snapshot

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        for w in self.editors():
            w.setEnabled(not locked)

    def editors(self) -> list[QWidget]:
        """The widgets that change the record (disabled when it is locked)."""
        return []

    def focus_target(self, target: dict[str, Any]) -> bool:
        return False
