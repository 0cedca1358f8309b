"""The sync panel against a real local central: "Sync now" runs off the GUI thread, the list
shows each item's state, and the automatic timer pings first and syncs when reachable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from integration.harness import WORKER, CentralStore, completed_interview, served_central
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from ui_helpers import by_name

from rhi_desktop.services import sync_service
from rhi_desktop.services.profiles import Profile
from rhi_desktop.ui.operations import wait_for_background
from rhi_desktop.ui.sync_panel import SyncController, SyncPanel


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralStore]:
    with served_central(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "data") as store:
        yield store


def test_sync_now_and_automatic_pass(qtbot, profile: Profile, central: CentralStore) -> None:  # type: ignore[no-untyped-def]
    sync_service.enrol(profile, central.url, central.enrol_code(WORKER))
    iid = completed_interview(profile, 1, datetime.now(UTC))
    controller = SyncController(profile)
    panel = SyncPanel(controller)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert panel.queue.text() == "1 waiting"

    changed: list[tuple[str, int, str]] = []
    controller.item_changed.connect(lambda i, r, s: changed.append((i, r, s)))
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert done.args[0].accepted == 1
    assert changed == [(iid, 1, "confirmed")]
    qtbot.waitUntil(lambda: panel.queue.text() == "0 waiting", timeout=10_000)
    assert panel.model.data(panel.model.index(0, 3)) == "Received by central"
    assert panel.model.data(panel.model.index(0, 0)) == "Test Child1"
    assert not panel.retry_button.isEnabled() and panel.issues.isHidden()
    assert panel.status.text().startswith("Last sync")
    assert panel.button.isEnabled() and panel.bar.value() == panel.bar.maximum()

    # Automatic: a ping first, then a pass (nothing left to send, the pull still runs).
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as auto:
        controller.start_auto(interval_minutes=0.001)
    controller.stop_auto()
    assert auto.args[0].pushed == 0
    wait_for_background()


def test_a_refused_interview_is_named_and_retried_with_the_retry_button(  # type: ignore[no-untyped-def]
    qtbot, profile: Profile, tmp_path: Path
) -> None:
    """A fresh central has no questionnaire published: the Sync screen names the interview,
    central's reason and the Retry button; after the administrator publishes it, Retry sends it."""
    from integration.harness import builtin_form_text

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with served_central(url, tmp_path / "fresh", publish_builtin=False) as fresh:
        sync_service.enrol(profile, fresh.url, fresh.enrol_code(WORKER))
        iid = completed_interview(profile, 2, datetime.now(UTC))
        controller = SyncController(profile)
        panel = SyncPanel(controller)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
            qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
        summary = done.args[0]
        assert summary.needs_attention and summary.accepted == 0
        qtbot.waitUntil(lambda: panel.issues.isVisible(), timeout=10_000)
        told = panel.issues.text()
        assert "Test Child2 (case C00002), revision 1" in told and "not published" in told
        assert "press Retry" in told or "sent again automatically" in told
        assert "not taken by central" in panel.message.text()
        state = panel.model.data(panel.model.index(0, 3))
        assert state in ("Refused by central", "Waiting for central")
        if state == "Refused by central":
            assert panel.retry_button.isEnabled()
        fresh.publish(builtin_form_text())
        retry = by_name(panel, QPushButton, "Retry refused interviews")
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as again:
            if retry.isEnabled():
                qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
            else:  # deferred: the next pass takes it with nothing to press
                qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
        assert again.args[0].accepted == 1 and not again.args[0].needs_attention
        qtbot.waitUntil(lambda: panel.issues.isHidden(), timeout=10_000)
        assert panel.model.data(panel.model.index(0, 3)) == "Received by central"
        assert not retry.isEnabled()
        assert [r[:2] for r in fresh.interview_rows()] == [(iid, 1)]
        wait_for_background()


def test_enrol_from_the_sync_screen(qtbot, profile: Profile, central: CentralStore) -> None:  # type: ignore[no-untyped-def]
    """The worker types the server and code on the Sync screen; the panel then appears."""
    from PySide6.QtWidgets import QLineEdit
    from ui_helpers import by_name

    from rhi_desktop.ui.sync_page import SyncPage

    page = SyncPage(profile)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.enrol_card.isVisible(), timeout=10_000)
    qtbot.mouseClick(page.enrol_card.button, Qt.MouseButton.LeftButton)
    assert page.enrol_card.error.text() == "Enter the server address and the one-time code."
    qtbot.keyClicks(by_name(page, QLineEdit, "Server address"), central.url)
    qtbot.keyClicks(by_name(page, QLineEdit, "One-time code"), "not-a-real-code")
    qtbot.mouseClick(page.enrol_card.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.enrol_card.error.isVisible(), timeout=20_000)
    assert "Traceback" not in page.enrol_card.error.text()
    code = by_name(page, QLineEdit, "One-time code")
    code.clear()
    qtbot.keyClicks(code, central.enrol_code(WORKER))
    qtbot.mouseClick(page.enrol_card.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.controller is not None, timeout=20_000)
    assert page.about.text().startswith("Enrolled with")
    assert sync_service.sync_status(profile).enrolled
    page.controller.stop_auto()
    wait_for_background()
