"""The main window: a header that says whose profile this is (and DEMO), and the caseload."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.security import keys
from rhi_desktop.security.throttle import UnlockThrottle
from rhi_desktop.services import children
from rhi_desktop.services.profiles import Profile

from . import window_geometry
from .caseload_view import CaseloadView
from .idle_lock import DEFAULT_IDLE_MINUTES, IdleWatcher, LockScreen
from .operations import run_in_background
from .record_dialogs import ChildDialog, EpisodeDialog
from .unlock_dialogs import ChangePassphraseDialog
from .widgets import ElidedLabel

if TYPE_CHECKING:  # the interview stack loads on first use, not on the way to the caseload
    from rhi_desktop.services.interview_flow import WizardData

    from .interview.wizard import InterviewView

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _signed_pdf_exporter() -> Callable[..., Any] | None:
    """``export_pdf.export_signed_pdf`` when that module is installed (it is optional: the
    review screen shows a disabled button with a reason otherwise)."""
    try:
        module = importlib.import_module("rhi_desktop.ui.export_pdf")
    except ImportError:
        return None
    return getattr(module, "export_signed_pdf", None)


SYNC_START_DELAY_MS = 2000


class MainWindow(QMainWindow):
    def __init__(
        self,
        profile: Profile,
        clock: Clock = _utcnow,
        parent: QWidget | None = None,
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
        geometry: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self._clock = clock
        # Where the window was on each screen (QSettings holds window geometry only: never
        # child data). None (tests, screenshots): nothing is remembered.
        self._geometry = geometry
        self._closing_checked = False
        title = "RHI Desktop"
        if profile.demo:
            title += " — DEMO (synthetic data)"
        self.setWindowTitle(title)

        header = QFrame()
        header.setObjectName("header")
        bar = QHBoxLayout(header)
        bar.setContentsMargins(18, 10, 18, 10)
        name = ElidedLabel("Return Home Interviews")
        name.setObjectName("title")
        bar.addWidget(name)
        if profile.demo:
            demo = QLabel("DEMO — synthetic data")
            demo.setObjectName("demoBadge")
            demo.setAccessibleName("Demo profile: synthetic data only")
            bar.addWidget(demo)
        bar.addSpacing(24)
        # Navigation between the worker's screens; heavy ones are built on first visit.
        self.nav = QButtonGroup(self)
        self.nav_buttons: dict[str, QPushButton] = {}
        for key, label in (
            ("caseload", "Caseload"),
            ("dashboard", "Dashboard"),
            ("sync", "Sync"),
            ("audit", "Audit"),
        ):
            button = QPushButton(label)
            button.setObjectName("filter")
            button.setCheckable(True)
            button.setAccessibleName(f"Show the {label.lower()}")
            button.clicked.connect(partial(self.show_page, key))
            self.nav.addButton(button)
            self.nav_buttons[key] = button
            bar.addWidget(button)
        self.nav_buttons["caseload"].setChecked(True)
        bar.addStretch(1)
        who = ElidedLabel(f"{profile.worker_name} · encrypted profile")
        who.setObjectName("muted")
        who.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(who)

        self.caseload = CaseloadView(profile, clock)
        self.caseload.add_child_requested.connect(self.add_child)
        self.caseload.record_episode_requested.connect(self.record_episode)
        self.caseload.error_occurred.connect(self.show_error)
        self.caseload.loaded.connect(self._on_loaded)
        self.caseload.interview_requested.connect(self.open_interview)
        self.interview: InterviewView | None = None
        self.dashboard: QWidget | None = None
        self.audit_view: QWidget | None = None
        self.sync_page: QWidget | None = None

        self.header = header
        self.pages = QStackedWidget()
        self.pages.addWidget(self.caseload)
        work = QWidget()
        layout = QVBoxLayout(work)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.pages, 1)
        # The lock screen replaces everything, header included, while locked.
        self.lock_screen = LockScreen(profile.worker_name, self._verify_worker)
        self.lock_screen.unlocked.connect(self.unlock)
        self.root = QStackedWidget()
        self.root.addWidget(work)
        self.root.addWidget(self.lock_screen)
        self.setCentralWidget(self.root)
        self._work = work
        self._hidden_windows: list[QWidget] = []
        self.idle = IdleWatcher(idle_minutes * 60_000, self)
        self.idle.idle.connect(self.lock)

        menu = self.menuBar().addMenu("&Profile")
        change = QAction("Change passphrase…", self)
        change.triggered.connect(self.change_passphrase)
        menu.addAction(change)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self.statusBar().showMessage("Loading caseload…")
        window_geometry.fit_to_screen(self)

    def show_sized(self) -> None:
        """Show the window as it was last time on this screen, else filling the screen's
        working area (a council laptop is often 1366x768: nothing may open off screen)."""
        if self._geometry is None or not window_geometry.restore(self, self._geometry):
            self.showMaximized()
        else:
            self.show()

    def start(self) -> None:
        self.caseload.reload()
        # Automatic sync starts with the app when the laptop is enrolled, but only once the
        # caseload is on screen: loading the sync and signing stack (~0.5 s) must not delay it.
        self.caseload.loaded.connect(self._start_sync_once)

    @Slot(int)
    def _start_sync_once(self, _rows: int) -> None:
        self.caseload.loaded.disconnect(self._start_sync_once)
        # A moment later still, so the first paint of the caseload is not held up either.
        QTimer.singleShot(SYNC_START_DELAY_MS, self, self._ensure_sync_page)

    def _ensure_sync_page(self) -> None:
        if self.sync_page is None:
            from .sync_page import SyncPage

            self.sync_page = SyncPage(self.profile)
            self.sync_page.wiped.connect(self._wiped)
            self.pages.addWidget(self.sync_page)
        self.sync_page.refresh()

    @Slot(str)
    def _wiped(self, sentence: str) -> None:
        """The council revoked this laptop: its data is gone; nothing more can be done here."""
        self.root.setEnabled(False)
        box = QMessageBox(QMessageBox.Icon.Critical, "RHI Desktop", sentence, parent=self)
        box.finished.connect(lambda _r: self.close())
        box.open()

    # --- navigation -------------------------------------------------------------------
    def show_page(self, key: str, _checked: bool = False) -> None:
        if key == "dashboard":
            if self.dashboard is None:
                # QtCharts costs ~0.2 s to load: only when the worker first asks for it.
                from .dashboard import DashboardView

                self.dashboard = DashboardView(self.profile, self._clock)
                self.dashboard.error_occurred.connect(self.show_error)
                self.pages.addWidget(self.dashboard)
            self.pages.setCurrentWidget(self.dashboard)
        elif key == "sync":
            self._ensure_sync_page()
            self.pages.setCurrentWidget(self.sync_page)
        elif key == "audit":
            if self.audit_view is None:
                from .audit_view import AuditView

                self.audit_view = AuditView(self.profile)
                self.audit_view.error_occurred.connect(self.show_error)
                self.pages.addWidget(self.audit_view)
            self.audit_view.reload()
            self.pages.setCurrentWidget(self.audit_view)
        elif self.interview is not None:
            # "Caseload" means the list: the open interview is closed the way its own Close
            # button does it (every answer on disk first), and reopens on the same section.
            self.interview.close_view()
        else:
            self.pages.setCurrentWidget(self.caseload)
        self.nav_buttons[key].setChecked(True)

    @Slot(int)
    def _on_loaded(self, n: int) -> None:
        focused = self.focusWidget()
        if self.pages.currentWidget() is self.caseload and (
            focused is None or focused in self.nav_buttons.values()
        ):
            self.caseload.table.setFocus(Qt.FocusReason.OtherFocusReason)  # arrows move at once
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
        dialog = ChildDialog(self._save_child, parent=self, today=self._clock().date())
        dialog.accepted.connect(lambda: self._show_new_child(dialog.result_value))
        dialog.open()
        return dialog

    def _show_new_child(self, child_id: object) -> None:
        """The child just added: on the list, selected, scrolled to, filters cleared."""
        if isinstance(child_id, str):
            self.caseload.reload(select=child_id)
        else:
            self.caseload.reload()

    @Slot(str)
    def record_episode(self, child_id: str) -> EpisodeDialog | None:
        row = self.caseload.selected_row()
        name = row.name if row is not None and row.child_id == child_id else "child"
        dialog = EpisodeDialog(child_id, name, self._save_episode, now=self._clock(), parent=self)
        dialog.accepted.connect(lambda: self.caseload.reload(select=child_id))
        dialog.open()
        return dialog

    # --- interviews -------------------------------------------------------------------
    @Slot(str)
    def open_interview(self, child_id: str) -> None:
        profile, now, actor = self.profile, self._clock(), self.profile.worker_name
        from rhi_desktop.services import interview_flow, record_open
        from rhi_desktop.services.forms_registry import current_form

        def work() -> WizardData:
            # A completed record opens read-only; otherwise start or resume the interview.
            with profile.transaction() as s:
                interview_id = record_open.open_for_child(
                    s, child_id, current_form(), actor=actor, now=now
                )
            with profile.sessions() as s:
                return interview_flow.load_wizard(s, interview_id, now=now)

        self.statusBar().showMessage("Opening the interview…")
        run_in_background(self, work, self.show_interview, lambda e: self.show_error(str(e)))

    @Slot(str)
    def reopen_interview(self, interview_id: str) -> None:
        """Open the interview again from the store (after an amendment made a new revision)."""
        profile, clock = self.profile, self._clock
        from rhi_desktop.services import interview_flow

        def work() -> WizardData:
            with profile.sessions() as s:
                return interview_flow.load_wizard(s, interview_id, now=clock())

        run_in_background(self, work, self._replace_interview, lambda e: self.show_error(str(e)))

    def _replace_interview(self, data: WizardData) -> InterviewView:
        old = self.interview
        view = self.show_interview(data)
        if old is not None:
            view.go_to(
                old.current_section if old.current_section in view.steps() else view.steps()[0]
            )
            self.pages.removeWidget(old)
            old.deleteLater()
        return view

    def show_interview(self, data: WizardData) -> InterviewView:
        from rhi_desktop.services.answers import AnswerWriter
        from rhi_desktop.services.finish import finish_interview

        from .interview.wizard import InterviewView
        from .record.ops import RecordStore

        profile, clock = self.profile, self._clock
        save = AnswerWriter(
            profile.transaction,
            data.interview_id,
            data.revision,
            actor=profile.worker_name,
            clock=clock,
        )
        store = RecordStore(
            transaction=profile.transaction,
            sessions=profile.sessions,
            actor=profile.worker_name,
            clock=clock,
            # Completing and sealing are one use case, run as one job.
            finish=lambda iid, now: finish_interview(profile, iid, now=now),
        )
        exporter = _signed_pdf_exporter()
        on_export = None
        if exporter is not None:

            def on_export(interview_id: str) -> None:
                exporter(self, profile, interview_id)

        def attach(question: str, path: str, picture: bool) -> tuple[str, str]:
            # Runs off the GUI thread (the input starts it in the background).
            from rhi_desktop.services import attachments

            name, raw = attachments.read_upload(path)
            with profile.transaction() as s:
                info = attachments.add_attachment(
                    s,
                    data.interview_id,
                    data.revision,
                    question,
                    name,
                    raw,
                    picture=picture,
                    actor=profile.worker_name,
                    now=clock(),
                )
            return info.id, attachments.describe_attachment(info)

        view = InterviewView(
            data, save, self._verify_worker, clock, store=store, on_export=on_export, attach=attach
        )
        view.closed.connect(self.close_interview)
        view.mode_changed.connect(self._on_young_person_mode)
        view.reload_requested.connect(self.reopen_interview)
        view.status_message.connect(self.statusBar().showMessage)
        self.pages.addWidget(view)
        self.pages.setCurrentWidget(view)
        # Keyboard focus in the section list (arrows move between steps), not on a button.
        view.section_list.setFocus(Qt.FocusReason.OtherFocusReason)
        self.interview = view
        self.statusBar().showMessage(
            f"Completed record (revision {data.revision}) · read-only"
            if view.locked
            else "Interview open · every answer is saved as you go"
        )
        return view

    @Slot()
    def close_interview(self) -> None:
        if self.interview is None:
            return
        self.pages.setCurrentWidget(self.caseload)
        self.pages.removeWidget(self.interview)
        self.interview.deleteLater()
        self.interview = None
        self.caseload.reload()

    @Slot(bool)
    def _on_young_person_mode(self, on: bool) -> None:
        # The child sees their own questions, not the worker's caseload or name.
        self.header.setVisible(not on)
        if self.interview is not None:
            self.interview.demo_badge.setVisible(on and self.profile.demo)
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)

    def _verify_worker(self, passphrase: str) -> bool:
        keys.attempt_unlock(
            self.profile.paths.key_file,
            passphrase,
            self._secret_store(),
            UnlockThrottle(self.profile.paths.root),
        )
        return True

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        if self.interview is not None:
            if self.interview.mode.young_person:
                event.ignore()  # the worker must leave young-person mode first
                return
            if not self._closing_checked and self.interview.unsaved_panels():
                # Something typed and not saved: ask on its screen, then close if the worker
                # saves or discards it.
                event.ignore()
                self.interview.when_saved(None, self._close_after_check)
                return
            self.interview.autosaver.flush_now()
        if self._geometry is not None:
            window_geometry.remember(self, self._geometry)
        super().closeEvent(event)

    def _close_after_check(self) -> None:
        self._closing_checked = True
        self.close()

    # --- idle lock ----------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.root.currentWidget() is self.lock_screen

    @Slot()
    def lock(self) -> None:
        """Save the draft, then hide every child's data (dialogs too) behind the passphrase."""
        if self.locked:
            return
        if self.interview is not None:
            self.interview.autosaver.flush_now()
        self._hidden_windows = [
            w
            for w in self.findChildren(QWidget)
            if w.isWindow() and w.isVisible() and w is not self
        ]
        for w in self._hidden_windows:
            w.hide()
        self.root.setCurrentWidget(self.lock_screen)
        self.menuBar().setVisible(False)
        self.statusBar().setVisible(False)
        self.lock_screen.reset()
        self._audit(locked=True)

    @Slot()
    def unlock(self) -> None:
        self.root.setCurrentWidget(self._work)
        young_person = self.interview is not None and self.interview.mode.young_person
        self.menuBar().setVisible(not young_person)
        self.statusBar().setVisible(not young_person)
        for w in self._hidden_windows:
            w.show()
        self._hidden_windows = []
        self.idle.restart()
        self._audit(locked=False)

    def _audit(self, *, locked: bool) -> None:
        from rhi_desktop.services.app_events import record_lock

        profile = self.profile
        run_in_background(
            self,
            lambda: record_lock(profile, locked),
            None,
            lambda exc: self.statusBar().showMessage(str(exc)),
        )

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
