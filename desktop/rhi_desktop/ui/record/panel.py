"""The frame every RHI screen shares: a page title, an intro line and cards, and the save model.

One save model for the whole record: what can be saved as it is typed is saved as it is typed
(``AutoWrite``, like the questionnaire's autosave); what is an entry the worker adds on purpose
(an offer attempt, a session, a plan row, a signature) is *unsaved* while half typed, and the
interview asks before leaving a screen that holds one (``unsaved()``). The header says "All
changes saved" only when no screen has anything unsaved, pending or refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rhi_desktop.services.record_open import RecordSnapshot

from ..widgets import Card, muted
from .ops import RecordOps, Write

AUTOSAVE_MS = 500  # a pause in typing this long saves; a tick or a date saves at once


class AutoWrite(QObject):
    """Saves one part of a screen as it is edited: ``schedule()`` after each edit, the write
    (built by ``build()`` at the moment it runs) goes through the record's serial queue.

    ``build`` returns None when there is nothing valid to write yet (the screen then shows why).
    A refused write keeps what was typed and is retried at the next edit.
    """

    state_changed = Signal()

    def __init__(
        self,
        ops: RecordOps,
        build: Callable[[], Write | None],
        on_error: Callable[[Exception], None],
        on_saved: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._build = build
        self._on_error = on_error
        self._on_saved = on_saved
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self.in_flight = 0
        self.error: str | None = None
        self._dirty = False

    @property
    def pending(self) -> bool:
        return self._dirty or self.in_flight > 0

    def schedule(self, delay_ms: int = AUTOSAVE_MS) -> None:
        self._dirty = True
        self._timer.start(delay_ms)
        self.state_changed.emit()

    def flush(self) -> None:
        """Write now (leaving the screen, completing): the write joins the serial queue."""
        self._timer.stop()
        if not self._dirty:
            return
        write = self._build()
        self._dirty = False
        if write is None:
            self.state_changed.emit()
            return
        self.in_flight += 1
        self.state_changed.emit()
        self._ops.write(write, self._done, self._failed)

    def _done(self, _result: Any) -> None:
        self.in_flight -= 1
        self.error = None
        if self._on_saved is not None:
            self._on_saved()
        self.state_changed.emit()

    def _failed(self, exc: Exception) -> None:
        self.in_flight -= 1
        self.error = str(exc) or "This could not be saved."
        self._on_error(exc)
        self.state_changed.emit()


class RecordPanel(QWidget):
    """Base of the RHI screens. ``apply`` shows a fresh snapshot; ``set_locked`` makes the
    screen read-only; ``focus_target`` takes the worker to a field named by the review list.

    The save model (see the module docstring): ``unsaved()`` names what is typed but not
    saved, ``save_unsaved(then)`` saves it and calls ``then`` if that worked,
    ``discard_unsaved()`` puts the entry back as it was; ``status_changed`` fires whenever the
    answer to any of these may have changed."""

    title_text = ""
    intro_text = ""
    status_changed = Signal()

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ops = ops
        self.young_person = young_person
        self.locked = False
        self.snapshot: RecordSnapshot | None = None
        self.autowrites: list[AutoWrite] = []
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

    def autowrite(
        self,
        build: Callable[[], Write | None],
        on_error: Callable[[Exception], None],
        on_saved: Callable[[], None] | None = None,
    ) -> AutoWrite:
        auto = AutoWrite(self.ops, build, on_error, on_saved, self)
        auto.state_changed.connect(self.status_changed)
        self.autowrites.append(auto)
        return auto

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

    # --- the save model ---------------------------------------------------------------------
    def flush(self) -> None:
        """Start every pending automatic save now."""
        for auto in self.autowrites:
            auto.flush()

    def saving(self) -> bool:
        return any(a.pending for a in self.autowrites)

    def save_error(self) -> str | None:
        return next((a.error for a in self.autowrites if a.error), None)

    def unsaved(self) -> str | None:
        """What is typed here but not saved, as the end of "You have …" (None: nothing)."""
        if self.locked:
            return None
        error = self.save_error()
        if error:
            return f"changes that could not be saved ({error})"
        return None

    def save_unsaved(self, then: Callable[[], None]) -> None:
        """Save what ``unsaved()`` names; call ``then`` once it is stored."""
        self.flush()
        if self.save_error() is None:
            then()

    def discard_unsaved(self) -> None:
        """Put the screen back to what is stored."""
        if self.snapshot is not None:
            self.reset_to(self.snapshot)
        for auto in self.autowrites:
            auto.error = None
        self.status_changed.emit()

    def reset_to(self, snapshot: RecordSnapshot) -> None:
        """Show ``snapshot`` again, dropping what was typed (``discard_unsaved``)."""
        self.apply(snapshot)
