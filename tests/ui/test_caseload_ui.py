"""The caseload window driven as a worker would: clicks, typing, the keyboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from sqlalchemy import select
from ui_helpers import by_name

from rhi_core.domain.codes import RhiStatus
from rhi_core.domain.deadlines import Urgency
from rhi_desktop.services import caseload
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import Child, MissingEpisode
from rhi_desktop.ui.caseload_model import (
    ROW_ROLE,
    URGENCY_ROLE,
    CaseloadModel,
    CaseloadProxy,
    Column,
)
from rhi_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, demo_profile: Profile) -> MainWindow:
    w = MainWindow(demo_profile, clock=lambda: NOW)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.caseload.loaded, timeout=10_000):
        w.start()
    return w


def _visible_rows(w: MainWindow) -> list[caseload.CaseloadRow]:
    proxy = w.caseload.proxy
    return [proxy.index(r, 0).data(ROW_ROLE) for r in range(proxy.rowCount())]


def test_models_pass_qtmodeltester(qtmodeltester, demo_profile: Profile) -> None:
    with demo_profile.sessions() as s:
        rows = caseload.load_caseload(s, NOW)
    model = CaseloadModel()
    model.set_rows(rows, NOW)
    qtmodeltester.check(model, force_py=True)
    proxy = CaseloadProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.TIME_LEFT)
    qtmodeltester.check(proxy, force_py=True)


def test_sorted_by_urgency_with_overdue_first(window: MainWindow) -> None:
    rows = _visible_rows(window)
    assert len(rows) == 60
    first = window.caseload.proxy.index(0, Column.TIME_LEFT)
    assert first.data(URGENCY_ROLE) == Urgency.OVERDUE
    assert first.data().startswith("overdue by")


def test_filter_buttons(qtbot, window: MainWindow) -> None:
    overdue = window.caseload.filter_buttons
    qtbot.mouseClick(by_name(window, QPushButton, "Show overdue"), Qt.MouseButton.LeftButton)
    rows = _visible_rows(window)
    assert rows and all(r.deadline(NOW).overdue for r in rows)
    assert overdue  # the buttons carry live counts
    assert by_name(window, QPushButton, "Show overdue").text().endswith(str(len(rows)))

    qtbot.mouseClick(by_name(window, QPushButton, "Show drafts"), Qt.MouseButton.LeftButton)
    assert _visible_rows(window)
    assert all(r.rhi_status == RhiStatus.DRAFT for r in _visible_rows(window))

    qtbot.mouseClick(by_name(window, QPushButton, "Show completed"), Qt.MouseButton.LeftButton)
    assert all(
        r.rhi_status in (RhiStatus.COMPLETED, RhiStatus.SYNCED) for r in _visible_rows(window)
    )

    qtbot.mouseClick(by_name(window, QPushButton, "Show missing now"), Qt.MouseButton.LeftButton)
    assert all(r.missing_since is not None for r in _visible_rows(window))

    qtbot.mouseClick(by_name(window, QPushButton, "Show all"), Qt.MouseButton.LeftButton)
    assert len(_visible_rows(window)) == 60


def test_search_by_name_and_case_number(qtbot, window: MainWindow) -> None:
    target = _visible_rows(window)[5]
    search = by_name(window, QLineEdit, "Search by name or case number")
    qtbot.keyClicks(search, target.name.split()[1][:4].lower())
    names = [r.name for r in _visible_rows(window)]
    assert target.name in names and len(names) < 60
    search.clear()
    qtbot.keyClicks(search, target.local_id)
    assert [r.child_id for r in _visible_rows(window)] == [target.child_id]
    assert "Showing 1 of 60" in window.caseload.summary.text()


def test_selecting_a_child_shows_their_episodes(qtbot, window: MainWindow) -> None:
    window.caseload.table.selectRow(0)
    row = _visible_rows(window)[0]
    qtbot.waitUntil(lambda: window.caseload.detail.episodes.rowCount() > 0, timeout=5000)
    assert window.caseload.detail.name.text() == row.name
    assert window.caseload.detail.episodes.rowCount() >= 1


def test_countdown_is_live(window: MainWindow) -> None:
    model = window.caseload.model
    running = [
        n for n, r in enumerate(model.rows()) if r.deadline(NOW) and not r.deadline(NOW).overdue
    ]
    assert running
    n = running[0]
    before = model.index(n, Column.TIME_LEFT).data()
    model.tick(NOW + timedelta(hours=80))
    after = model.index(n, Column.TIME_LEFT).data()
    assert before.endswith("left") and after.startswith("overdue by")


def test_add_child_by_keyboard(qtbot, window: MainWindow, demo_profile: Profile) -> None:
    dialog = window.add_child()
    qtbot.keyClicks(by_name(dialog, QLineEdit, "First name"), "Yonas")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Last name"), "Tesfaye")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Case number"), "C900001")
    # Typed, not picked: "14/05/2009" means 14 May 2009, and digits alone work too.
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Date of birth"), "02042009")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    with demo_profile.sessions() as s:
        child = s.scalar(select(Child).where(Child.local_id == "C900001"))
    assert child is not None and child.first_name == "Yonas" and child.dob == date(2009, 4, 2)
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 61, timeout=5000)
    # The new child is selected and on screen, whatever filter was on.
    qtbot.waitUntil(lambda: window.caseload.detail.name.text() == "Yonas Tesfaye", timeout=5000)
    assert window.caseload.selected_row().child_id == child.id


def test_record_episode_validates_at_the_field(
    qtbot, window: MainWindow, demo_profile: Profile
) -> None:
    window.caseload.table.selectRow(0)
    row = _visible_rows(window)[0]
    with demo_profile.sessions() as s:
        before = s.query(MissingEpisode).filter_by(child_id=row.child_id).count()
    dialog = window.record_episode(row.child_id)
    started = by_name(dialog, QLineEdit, "Went missing (last seen)")
    returned = by_name(dialog, QLineEdit, "Returned or found")
    local_now = NOW.astimezone()
    day = local_now - timedelta(days=1)

    def type_over(edit: QLineEdit, text: str) -> None:
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Tab)

    type_over(started, f"{day:%d/%m/%Y} 10:00")
    type_over(returned, f"{day - timedelta(days=1):%d/%m/%Y} 10:00")  # before it started
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text("returned_at") != "", timeout=5000)
    assert dialog.error_text("returned_at") == "The return cannot be before the episode started."
    assert dialog.isVisible()
    with demo_profile.sessions() as s:
        assert s.query(MissingEpisode).filter_by(child_id=row.child_id).count() == before
    # Corrected by the worker: nothing typed was lost, and now it saves.
    assert started.text() == f"{day:%d/%m/%Y} 10:00"
    type_over(returned, f"{day:%d/%m/%Y} 15:00")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Where found"), "Bus station")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Police reference"), "MPS-2026-000123")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    with demo_profile.sessions() as s:
        episodes = s.query(MissingEpisode).filter_by(child_id=row.child_id).all()
    assert len(episodes) == before + 1
    new = next(e for e in episodes if e.police_reference == "MPS-2026-000123")
    assert new.where_found == "Bus station" and new.category == "M"
    assert new.returned_at - new.started_at == timedelta(hours=5)
