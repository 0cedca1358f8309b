"""The Sync screen: enrol this laptop with a one-time code, then the sync panel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services import sync_service
from rhi_desktop.services.profiles import Profile

from .operations import run_in_background
from .sync_panel import SyncController, SyncPanel
from .widgets import Card, error_label, muted, show_error


class EnrolCard(Card):
    enrolled = Signal(object)  # EnrolResult

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__("Connect this laptop to your council", parent)
        self._profile = profile
        self.body.addWidget(
            muted(
                "Ask your administrator for a one-time code (it works once, for 24 hours). "
                "Interviews stay on this laptop, encrypted, until the council's store confirms "
                "it has them."
            )
        )
        form = QFormLayout()
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://rhi.example-council.gov.uk")
        self.server.setAccessibleName("Server address")
        self.code = QLineEdit()
        self.code.setAccessibleName("One-time code")
        form.addRow("Server address:", self.server)
        form.addRow("One-time code:", self.code)
        self.body.addLayout(form)
        self.error = error_label()
        self.body.addWidget(self.error)
        self.button = QPushButton("Enrol this laptop")
        self.button.setObjectName("primary")
        self.button.setAccessibleName("Enrol this laptop")
        self.button.clicked.connect(self._submit)
        self.body.addWidget(self.button)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("m") * 46)

    def _submit(self) -> None:
        server, code = self.server.text().strip(), self.code.text().strip()
        if not server or not code:
            show_error(self.error, "Enter the server address and the one-time code.")
            return
        show_error(self.error, None)
        self.button.setEnabled(False)
        profile = self._profile
        run_in_background(
            self,
            lambda: sync_service.enrol(profile, server, code),
            self._done,
            self._failed,
        )

    def _done(self, result: object) -> None:
        self.button.setEnabled(True)
        self.code.clear()
        self.enrolled.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.button.setEnabled(True)
        show_error(self.error, str(exc))


class SyncPage(QWidget):
    """Enrolment until enrolled; then who we sync with and the panel."""

    wiped = Signal(str)

    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile = profile
        self.controller: SyncController | None = None
        self.stack = QStackedWidget()
        self.enrol_card = EnrolCard(profile)
        self.enrol_card.enrolled.connect(lambda _r: self.refresh())
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.addWidget(self.enrol_card)
        hl.addStretch(1)
        self.stack.addWidget(holder)
        self.panel_card = Card("Sync with the council's store")
        self.about = muted("")
        self.panel_card.body.addWidget(self.about)
        self.stack.addWidget(self.panel_card)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.stack)

    def refresh(self) -> None:
        profile = self._profile
        run_in_background(self, lambda: sync_service.sync_status(profile), self._show)

    def _show(self, status: sync_service.SyncStatus) -> None:
        if not status.enrolled:
            self.stack.setCurrentIndex(0)
            return
        self.about.setText(
            f"Enrolled with {status.council_name} at {status.server_url} "
            f"(device {str(status.device_id)[:8]}). Completed interviews are sent "
            "automatically when the server can be reached; use Sync now to send at once."
        )
        if self.controller is None:
            self.controller = SyncController(self._profile, self)
            self.controller.profile_wiped.connect(self.wiped)
            self.panel_card.body.addWidget(SyncPanel(self.controller), 1)
            self.controller.start_auto()
        self.stack.setCurrentIndex(1)
