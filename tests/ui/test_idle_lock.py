"""The idle lock hides every child's data, saves the draft first, and needs the passphrase."""

from __future__ import annotations

import pytest
from conftest import NOW
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select

from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import AuditEvent
from rhi_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, demo_profile: Profile) -> MainWindow:
    w = MainWindow(demo_profile, clock=lambda: NOW, idle_minutes=0.005)  # 300 ms
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.caseload.loaded, timeout=10_000):
        w.start()
    return w


def _visible_text(root: QWidget) -> str:
    texts = [lbl.text() for lbl in root.findChildren(QLabel) if lbl.isVisible()]
    return "\n".join(texts) + "\n" + root.windowTitle()


def test_locks_when_idle_and_hides_child_data(qtbot, window: MainWindow) -> None:
    names = [r.name for r in window.caseload.model.rows()]
    window.caseload.table.selectRow(0)
    qtbot.waitUntil(lambda: window.caseload.detail.name.isVisible(), timeout=5000)
    assert window.caseload.detail.name.text() in names
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert not window.caseload.isVisible()
    shown = _visible_text(window)
    assert not any(name in shown for name in names)
    # Wrong passphrase: stays locked, one sentence.
    qtbot.keyClicks(window.lock_screen.passphrase, "nope")
    qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_screen.error.isVisible(), timeout=10_000)
    assert window.locked
    window.idle.stop()  # keep it from relocking while the test types
    window.lock_screen.passphrase.clear()
    qtbot.keyClicks(window.lock_screen.passphrase, "demo")
    qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert window.caseload.isVisible()


def test_lock_saves_the_open_draft_first(qtbot, window: MainWindow, demo_profile: Profile) -> None:
    window.idle.stop()
    draft = next(r for r in window.caseload.model.rows() if r.rhi_status == "draft")
    window.open_interview(draft.child_id)
    qtbot.waitUntil(lambda: window.interview is not None, timeout=10_000)
    view = window.interview
    view.go_to("own_words")
    qtbot.keyClicks(view.pages["own_words"].rows["own_words_text"].input.focus_target(), "typed")
    window.lock()  # at once, inside the autosave's 200 ms
    assert window.locked
    from rhi_desktop.services.answers import load_answers

    with demo_profile.sessions() as s:
        saved = load_answers(s, view.data.interview_id, view.data.revision)
    assert saved["own_words_text"].endswith("typed")
    qtbot.waitUntil(lambda: "app.lock" in _actions(demo_profile), timeout=5000)


def _actions(profile: Profile) -> list[str]:
    with profile.sessions() as s:
        return list(s.scalars(select(AuditEvent.action)))
