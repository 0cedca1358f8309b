"""Unlock, create-profile and change-passphrase dialogs.

Key derivation (Argon2id) takes a noticeable fraction of a second, so it runs off the GUI
thread; the dialog shows the verdict as one sentence and never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.security.errors import UnlockDelayed, WrongPassphrase
from rhi_desktop.security.passphrase import check_strength

from .operations import run_in_background
from .widgets import error_label, muted, show_error


def _password_field(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


class _Dialog(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.form = QFormLayout()
        self.error = error_label()
        self.error.setAccessibleName("Error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = QLabel(title)
        heading.setObjectName("title")
        layout.addWidget(heading)
        self.intro = muted(intro)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 34)

    def add_row(self, label: str, widget: QWidget) -> None:
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, widget)

    def primary(self, text: str) -> Any:
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setObjectName("primary")
        button.setDefault(True)
        return button

    def say(self, message: str | None) -> None:
        """One sentence under the form; the dialog grows to show all of it."""
        show_error(self.error, message)
        self.adjustSize()


# A typo is the usual reason: say so calmly (the "or the key file has been altered" of a demo
# profile's key check alarmed workers who had only mistyped).
WRONG_PASSPHRASE = (
    "That passphrase is not right. Check Caps Lock and the keyboard language, then try again."
)


def unlock_message(exc: Exception) -> str:
    if isinstance(exc, WrongPassphrase):
        return WRONG_PASSPHRASE
    return str(exc) or "The profile could not be opened."


class UnlockDialog(_Dialog):
    """Asks for the passphrase; `unlock(passphrase)` returns the opened profile or raises."""

    def __init__(
        self,
        worker_name: str,
        unlock: Callable[[str], Any],
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        intro = f"Profile of {worker_name}. Enter your passphrase to open your caseload."
        if demo:
            intro += " This is a DEMO profile with synthetic data (passphrase: demo)."
        super().__init__("Unlock RHI Desktop", intro, parent)
        self._unlock = unlock
        self.result_value: Any = None
        self.passphrase = _password_field("Passphrase")
        self.add_row("Passphrase:", self.passphrase)
        self.unlock_button = self.primary("Unlock")
        self.unlock_button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        self._wait = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._count_down)
        # The worker types straight away: the passphrase box, not Cancel, has the caret.
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.passphrase.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        passphrase = self.passphrase.text()
        self.unlock_button.setEnabled(False)
        self.unlock_button.setText("Unlocking…")
        show_error(self.error, None)
        run_in_background(self, lambda: self._unlock(passphrase), self._unlocked, self._failed)

    def _unlocked(self, value: Any) -> None:
        self.result_value = value
        self.passphrase.clear()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.passphrase.selectAll()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        self.unlock_button.setText("Unlock")
        if isinstance(exc, UnlockDelayed):
            self._wait = max(1, int(round(exc.seconds_remaining)))
            self._count_down(initial=True)
            self._timer.start()
            return
        self.unlock_button.setEnabled(True)
        self.say(unlock_message(exc))

    def _count_down(self, initial: bool = False) -> None:
        if not initial:
            self._wait -= 1
        if self._wait <= 0:
            self._timer.stop()
            self.unlock_button.setEnabled(True)
            self.unlock_button.setText("Unlock")
            self.say("You can try again now.")
            return
        self.unlock_button.setEnabled(False)
        self.say(f"Too many wrong passphrases: wait {self._wait} s before trying again.")


class CreateProfileDialog(_Dialog):
    """First run: the worker's name and a passphrase that passes the strength check."""

    def __init__(self, create: Callable[[str, str], Any], parent: QWidget | None = None) -> None:
        super().__init__(
            "Set up RHI Desktop",
            "Your interviews are encrypted on this laptop. Choose a passphrase only you know: "
            "three or four unrelated words work well. It cannot be recovered if forgotten.",
            parent,
        )
        self._create = create
        self.result_value: Any = None
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.add_row("Your name:", self.name)
        self.passphrase = _password_field("Passphrase")
        self.add_row("Passphrase:", self.passphrase)
        self.confirm = _password_field("Passphrase again")
        self.add_row("Passphrase again:", self.confirm)
        self.strength = muted("")
        self.form.addRow("", self.strength)
        self.passphrase.textChanged.connect(self._on_typed)
        self.create_button = self.primary("Create profile")
        self.create_button.clicked.connect(self._submit)

    def _on_typed(self, text: str) -> None:
        verdict = check_strength(text, user_inputs=[self.name.text()])
        self.strength.setText(verdict.message if text else "")

    def _submit(self) -> None:
        name, pw = self.name.text().strip(), self.passphrase.text()
        if not name:
            self.say("Enter your name.")
            return
        verdict = check_strength(pw, user_inputs=[name])
        if not verdict.ok:
            self.say(verdict.message)
            return
        if pw != self.confirm.text():
            self.say("The two passphrases are not the same.")
            return
        self.create_button.setEnabled(False)
        run_in_background(self, lambda: self._create(name, pw), self._done, self._failed)

    def _done(self, value: Any) -> None:
        self.result_value = value
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.create_button.setEnabled(True)
        self.say(str(exc) or "The profile could not be created.")


class ChangePassphraseDialog(_Dialog):
    def __init__(
        self, change: Callable[[str, str], Any], worker_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Change passphrase",
            "Your data stays as it is; only the lock on its key changes.",
            parent,
        )
        self._change = change
        self._worker = worker_name
        self.old = _password_field("Current passphrase")
        self.add_row("Current passphrase:", self.old)
        self.new = _password_field("New passphrase")
        self.add_row("New passphrase:", self.new)
        self.confirm = _password_field("New passphrase again")
        self.add_row("New passphrase again:", self.confirm)
        self.change_button = self.primary("Change passphrase")
        self.change_button.clicked.connect(self._submit)

    def _submit(self) -> None:
        verdict = check_strength(self.new.text(), user_inputs=[self._worker])
        if not verdict.ok:
            self.say(verdict.message)
            return
        if self.new.text() != self.confirm.text():
            self.say("The two new passphrases are not the same.")
            return
        old, new = self.old.text(), self.new.text()
        self.change_button.setEnabled(False)
        run_in_background(
            self, lambda: self._change(old, new), lambda _: self.accept(), self._failed
        )

    def _failed(self, exc: Exception) -> None:
        self.change_button.setEnabled(True)
        self.say(unlock_message(exc))


class KeychainDialog(_Dialog):
    """Before anything is asked on a real profile: the keychain must be there and unlocked.

    ``check()`` returns None when it is ready, else the sentence to show; "Try again" asks
    again (after the worker installed or unlocked it), and the dialog is accepted once ready.
    """

    def __init__(
        self, check: Callable[[], str | None], problem: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("The keychain is needed first", problem, parent)
        self._check = check
        self.intro.setAccessibleName("What to do")
        self.retry = self.primary("Try again")
        self.retry.setAccessibleName("Try again")
        self.retry.clicked.connect(self.try_again)
        quit_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        quit_button.setText("Quit")
        quit_button.setAccessibleName("Quit")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 40)
        self.adjustSize()

    def try_again(self) -> None:
        problem = self._check()
        if problem is None:
            self.accept()
            return
        self.intro.setText(problem)
        self.say("It is still not ready.")
