"""Issue 19 item 6: the unlock dialog opens with the caret in the passphrase box."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from rhi_desktop.ui.unlock_dialogs import UnlockDialog


def test_unlock_dialog_focuses_the_passphrase(qtbot) -> None:
    dialog = UnlockDialog("Jane Smith", lambda _pw: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.passphrase, timeout=2000)
    assert dialog.passphrase.hasFocus()
