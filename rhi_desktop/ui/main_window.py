"""The main window: a header that says whose profile this is (and DEMO), and the caseload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.security import keys
from rhi_desktop.services import children
from rhi_desktop.services.profiles import Profile

from .caseload_view import CaseloadView
from .record_dialogs import ChildDialog, EpisodeDialog
from .unlock_dialogs import ChangePassphraseDialog

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MainWindow(QMainWindow):
    def __init__(
        self, profile: Profile, clock: Clock = _utcnow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self._clock = clock
        title = "RHI Desktop"
        if profile.demo:
            title += " — DEMO (synthetic data)"
        self.setWindowTitle(title)

        header = QFrame()
        header.setObjectName("header")
        bar = QHBoxLayout(header)
        bar.setContentsMargins(18, 10, 18, 10)
        name = QLabel("Return Home Interviews")
        name.setObjectName("title")
        bar.addWidget(name)
        if profile.demo:
            demo = QLabel("DEMO — synthetic data")
            demo.setObjectName("demoBadge")
            demo.setAccessibleName("Demo profile: synthetic data only")
            bar.addWidget(demo)
        bar.addStretch(1)
        who = QLabel(f"{profile.worker_name} · encrypted profile")
        who.setObjectName("muted")
        bar.addWidget(who)

        self.caseload = CaseloadView(profile, clock)
        self.caseload.add_child_requested.connect(self.add_child)
        self.caseload.record_episode_requested.connect(self.record_episode)
        self.caseload.error_occurred.connect(self.show_error)
        self.caseload.loaded.connect(self._on_loaded)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.caseload, 1)
        self.setCentralWidget(central)

        menu = self.menuBar().addMenu("&Profile")
        change = QAction("Change passphrase…", self)
        change.triggered.connect(self.change_passphrase)
        menu.addAction(change)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self.statusBar().showMessage("Loading caseload…")
        em = self.fontMetrics().horizontalAdvance("m")
        self.resize(em * 120, em * 60)

    def start(self) -> None:
        self.caseload.reload()

    @Slot(int)
    def _on_loaded(self, n: int) -> None:
        stamp = self._clock().astimezone().strftime("%H:%M")
        self.statusBar().showMessage(f"{n} children · encrypted on this laptop · updated {stamp}")

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "RHI Desktop", message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): the event loop (and the countdown) keeps running

    # --- records --------------------------------------------------------------------
    def _save_child(self, data: children.NewChild) -> str:
        with self.profile.transaction() as s:
            child = children.add_child(
                s, data, actor=self.profile.worker_name, today=self._clock().date()
            )
            return child.id

    def _save_episode(self, data: children.NewEpisode) -> str:
        with self.profile.transaction() as s:
            episode = children.record_episode(
                s, data, actor=self.profile.worker_name, now=self._clock()
            )
            return episode.id

    @Slot()
    def add_child(self) -> ChildDialog:
        dialog = ChildDialog(self._save_child, parent=self)
        dialog.accepted.connect(self.caseload.reload)
        dialog.open()
        return dialog

    @Slot(str)
    def record_episode(self, child_id: str) -> EpisodeDialog | None:
        row = self.caseload.selected_row()
        name = row.name if row is not None and row.child_id == child_id else "child"
        dialog = EpisodeDialog(child_id, name, self._save_episode, parent=self)
        dialog.accepted.connect(self.caseload.reload)
        dialog.open()
        return dialog

    @Slot()
    def change_passphrase(self) -> None:
        def change(old: str, new: str) -> None:
            keys.change_passphrase(
                self.profile.paths.key_file, old, new, secret_store=self._secret_store()
            )

        ChangePassphraseDialog(change, self.profile.worker_name, self).open()

    def _secret_store(self):  # noqa: ANN202 - keyring only for real profiles
        if self.profile.demo:
            return None
        from rhi_desktop.services.profiles import default_secret_store

        return default_secret_store()
