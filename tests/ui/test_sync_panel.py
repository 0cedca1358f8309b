"""The sync panel against a real local central: "Sync now" runs off the GUI thread, the list
shows each item's state, and the automatic timer pings first and syncs when reachable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from integration.harness import WORKER, CentralStore, completed_interview, served_central
from PySide6.QtCore import Qt

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
    assert panel.model.data(panel.model.index(0, 2)) == "Received by central"
    assert panel.status.text().startswith("Last sync")
    assert panel.button.isEnabled() and panel.bar.value() == panel.bar.maximum()

    # Automatic: a ping first, then a pass (nothing left to send, the pull still runs).
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as auto:
        controller.start_auto(interval_minutes=0.001)
    controller.stop_auto()
    assert auto.args[0].pushed == 0
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
