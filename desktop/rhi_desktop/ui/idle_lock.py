"""Idle lock: after a quiet spell (default 5 minutes) or when the system suspends, the window
hides every child's data behind a passphrase screen. The open draft is saved first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from rhi_desktop.security.errors import UnlockDelayed

from .operations import run_in_background
from .widgets import Card, error_label, muted, show_error

DEFAULT_IDLE_MINUTES = 5
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class IdleWatcher(QObject):
    """Emits `idle` after `timeout_ms` without keyboard, mouse, touch or pen input, and when
    the platform says the application is suspended."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        app = QGuiApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        app.applicationStateChanged.connect(self._on_state)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def _on_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.idle.emit()

    def restart(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QGuiApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockScreen(QWidget):
    """Shows nothing about any child: the worker's name, a passphrase field and Unlock."""

    unlocked = Signal()

    def __init__(
        self, worker_name: str, verify: Callable[[str], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._verify = verify
        card = Card("Locked")
        card.setMaximumWidth(self.fontMetrics().horizontalAdvance("m") * 34)
        card.body.addWidget(
            muted(
                f"RHI Desktop locked itself to keep children's information private. "
                f"{worker_name}, enter your passphrase to carry on where you left off."
            )
        )
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase to unlock")
        self.passphrase.returnPressed.connect(self._submit)
        card.body.addWidget(QLabel("Passphrase:"))
        card.body.addWidget(self.passphrase)
        self.error = error_label()
        card.body.addWidget(self.error)
        self.button = QPushButton("Unlock")
        self.button.setObjectName("primary")
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self._submit)
        card.body.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def reset(self) -> None:
        self.passphrase.clear()
        show_error(self.error, None)
        self.button.setEnabled(True)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        passphrase = self.passphrase.text()
        self.button.setEnabled(False)
        run_in_background(self, lambda: self._verify(passphrase), self._ok, self._failed)

    def _ok(self, _result: object) -> None:
        self.passphrase.clear()
        self.button.setEnabled(True)
        self.unlocked.emit()

    def _failed(self, exc: Exception) -> None:
        self.passphrase.selectAll()
        if isinstance(exc, UnlockDelayed):
            wait = max(1, round(exc.seconds_remaining))
            show_error(self.error, f"Too many wrong passphrases: wait {wait} s and try again.")
            QTimer.singleShot(wait * 1000, lambda: self.button.setEnabled(True))
            return
        self.button.setEnabled(True)
        show_error(self.error, str(exc))
