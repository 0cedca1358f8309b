"""The audit screen lists what happened and says whether the chain is intact."""

from __future__ import annotations

from conftest import NOW
from sqlalchemy import text

from rhi_desktop.services.profiles import Profile
from rhi_desktop.ui.main_window import MainWindow
from rhi_desktop.ui.operations import wait_for_background


def test_audit_screen_shows_views_and_detects_tampering(qtbot, demo_profile: Profile) -> None:
    w = MainWindow(demo_profile, clock=lambda: NOW)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.caseload.loaded, timeout=10_000):
        w.start()
    w.caseload.table.selectRow(0)
    qtbot.waitUntil(lambda: w.caseload.detail.episodes.rowCount() > 0, timeout=5000)
    w.show_page("audit")  # loads in the background
    view = w.audit_view
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    wait_for_background()
    qtbot.wait(50)  # deliver any queued result before the next load starts
    actions = [view.model.index(r, 2).data() for r in range(view.model.rowCount())]
    assert "child.view" in actions
    assert view.verdict.text().startswith("✓ Intact")
    with demo_profile.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE seq = 1"))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.reload()
    assert view.verdict.text().startswith("✗ Tampered")
    altered = [view.model.index(r, 2).data() for r in range(view.model.rowCount())]
    assert any(a.endswith("(altered!)") for a in altered)
