"""Composition root: paths -> logging -> unlock -> store -> services -> QApplication -> window.

The only module outside ui/ allowed to import Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from rhi_desktop.services.profiles import (
    Profile,
    ProfilePaths,
    create_profile,
    open_profile,
    read_info,
    verify_integrity,
)
from rhi_desktop.ui.main_window import MainWindow
from rhi_desktop.ui.operations import run_in_background, wait_for_background
from rhi_desktop.ui.screenshot_views import VIEWS
from rhi_desktop.ui.theme import apply_theme
from rhi_desktop.ui.unlock_dialogs import CreateProfileDialog, UnlockDialog

log = logging.getLogger(__name__)

NO_DISPLAY = (
    "No display was found, so the window cannot open here: run it under a virtual display "
    "with `xvfb-run make run`, or take a picture with "
    "`rhi-desktop screenshot --demo --view caseload --out caseload.png`."
)


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or ["rhi-desktop"])
        app.setApplicationName("RHI Desktop")
        app.setOrganizationName("RHI Desktop")
        apply_theme(app)
    return app


def run_gui(profile_dir: Path | None, demo: bool) -> int:
    """Start the app; returns the process exit code."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 3
    app = make_app(sys.argv)
    temp_dir: str | None = None
    if demo:
        from rhi_desktop.services.demo_profile import create_demo_profile  # demo only

        temp_dir = tempfile.mkdtemp(prefix="rhi-demo-")
        profile = create_demo_profile(Path(temp_dir) / "profile")
    else:
        assert profile_dir is not None
        opened = _unlock_or_create(profile_dir)
        if opened is None:
            return 0
        profile = opened
    window = MainWindow(profile)
    window.show()
    window.start()
    _check_integrity_in_background(window, profile)
    try:
        return app.exec()
    finally:
        wait_for_background()
        profile.close()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _check_integrity_in_background(window: MainWindow, profile: Profile) -> None:
    """The full page check runs after the caseload is up; damage still stops all work."""

    def damaged(exc: Exception) -> None:
        window.setEnabled(False)
        QMessageBox.critical(window, "RHI Desktop", str(exc))
        window.close()

    run_in_background(window, lambda: verify_integrity(profile), None, damaged)


def _unlock_or_create(root: Path) -> Profile | None:
    if not ProfilePaths(root).exists():
        dialog = CreateProfileDialog(
            lambda name, pw: create_profile(root, worker_name=name, passphrase=pw)
        )
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None
    info = read_info(root)
    dialog = UnlockDialog(info.worker_name, lambda pw: open_profile(root, pw), demo=bool(info.demo))
    return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- screenshots --------------------------------------------------------------------------
def screenshot(
    profile: Profile, view: str, out: Path, *, width: int = 1440, height: int = 860
) -> Path:
    if view not in VIEWS:
        raise ValueError(f"Unknown view {view!r}; choose one of: {', '.join(sorted(VIEWS))}.")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    window = MainWindow(profile)
    window.resize(width, height)
    loop = QEventLoop()
    window.caseload.loaded.connect(lambda _n: loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    window.show()
    window.start()
    loop.exec()
    VIEWS[view](window)
    for _ in range(3):
        wait_for_background()
        app.processEvents()
    pixmap = window.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(out), "PNG"):
        raise OSError(f"The screenshot could not be written to {out}.")
    window.close()
    window.deleteLater()
    app.processEvents()
    return out
