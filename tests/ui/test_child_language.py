"""A worker adding a child picks the language by its name; the child record keeps the code."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from rhi_desktop.ui.record_dialogs import ChildDialog


def _by_name(dialog: ChildDialog, kind: type, name: str) -> Any:
    [widget] = [w for w in dialog.findChildren(kind) if w.accessibleName() == name]
    return widget


def test_preferred_language_is_chosen_by_name(qtbot) -> None:
    saved: list[Any] = []
    dialog = ChildDialog(lambda child: saved.append(child) or "child-1", today=date(2026, 12, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    language = _by_name(dialog, QComboBox, "Preferred language")
    assert language.currentText() == "English"  # a name, never "en"

    qtbot.keyClicks(_by_name(dialog, QLineEdit, "First name"), "Amira")
    qtbot.keyClicks(_by_name(dialog, QLineEdit, "Last name"), "Haddad")
    qtbot.keyClicks(_by_name(dialog, QLineEdit, "Case number"), "C900123")
    dialog.dob.edit.setFocus()
    qtbot.keyClicks(dialog.dob.edit, "14/05/2013")
    language.setFocus()
    qtbot.keyClicks(language, "Arabic")
    assert language.currentText() == "Arabic"
    with qtbot.waitSignal(dialog.accepted, timeout=5000):  # the save runs off the GUI thread
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    [child] = saved
    assert child.preferred_language == "ar"
    assert child.dob == date(2013, 5, 14)
