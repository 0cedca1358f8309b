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

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from rhi_desktop.services.profiles import (
    Profile,
    ProfilePaths,
    create_profile,
    open_profile,
    read_info,
    verify_integrity,
)
from rhi_desktop.store.errors import DatabaseCorrupt
from rhi_desktop.ui.main_window import MainWindow
from rhi_desktop.ui.operations import run_in_background, wait_for_background
from rhi_desktop.ui.screenshot_views import VIEWS
from rhi_desktop.ui.theme import apply_theme
from rhi_desktop.ui.unlock_dialogs import CreateProfileDialog, KeychainDialog, UnlockDialog

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
    from rhi_desktop.services.settings import IDLE_MINUTES, get_setting

    with profile.sessions() as s:
        idle_minutes = float(get_setting(s, IDLE_MINUTES))
    window = MainWindow(profile, idle_minutes=idle_minutes, geometry=QSettings())
    window.show_sized()
    window.start()
    _check_integrity_in_background(window, profile)
    try:
        return app.exec()
    finally:
        wait_for_background()
        profile.close()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


INTEGRITY_MARK = "integrity-check-failed"


def _check_integrity_in_background(window: MainWindow, profile: Profile) -> None:
    """The full page check runs after the caseload is up, then the daily automatic backup
    (only of a database that passed). Damage stops all work and is remembered, so the next
    unlock checks fully and offers the latest good backup."""

    def work() -> None:
        verify_integrity(profile)
        from rhi_desktop.services.backups import automatic_backup

        automatic_backup(profile)

    def failed(exc: Exception) -> None:
        if isinstance(exc, DatabaseCorrupt):
            (profile.paths.root / INTEGRITY_MARK).write_text("1")
            window.setEnabled(False)
            QMessageBox.critical(
                window,
                "RHI Desktop",
                f"{exc} Close and reopen RHI Desktop to restore the latest good backup.",
            )
            window.close()
        else:  # a backup that could not be written is worth saying, not stopping for
            window.statusBar().showMessage(f"Automatic backup not taken: {exc}")

    # After the caseload is on screen: the page scan must not compete with the first paint.
    started = False

    def start(*_: object) -> None:
        nonlocal started
        if not started:
            started = True
            run_in_background(window, work, None, failed)

    window.caseload.loaded.connect(start)


def keychain_ready() -> bool:
    """A real profile needs the system keychain: check it before asking the worker anything,
    and say in plain words what to install or unlock (then "Try again")."""
    from rhi_desktop.services.keychain import check_keychain

    first = check_keychain()
    if first.ready:
        return True
    dialog = KeychainDialog(lambda: check_keychain().problem, first.problem or "")
    return dialog.exec() == QDialog.DialogCode.Accepted


def _unlock_or_create(root: Path) -> Profile | None:
    exists = ProfilePaths(root).exists()
    if (not exists or not read_info(root).demo) and not keychain_ready():
        return None
    if not exists:
        dialog = CreateProfileDialog(
            lambda name, pw: create_profile(root, worker_name=name, passphrase=pw)
        )
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None
    info = read_info(root)
    mark = root / INTEGRITY_MARK

    def unlock(passphrase: str) -> Profile | tuple[DatabaseCorrupt, str]:
        try:
            # Decrypt check now; the full page scan follows in the background (fast start),
            # unless the last scan found damage.
            return open_profile(root, passphrase, verify_integrity=mark.exists())
        except DatabaseCorrupt as exc:
            return exc, passphrase

    dialog = UnlockDialog(info.worker_name, unlock, demo=bool(info.demo))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    result = dialog.result_value
    if isinstance(result, Profile):
        mark.unlink(missing_ok=True)  # a full check just passed, if one was due
        return result
    exc, passphrase = result
    return _offer_restore(root, exc, passphrase)


def _offer_restore(root: Path, exc: DatabaseCorrupt, passphrase: str) -> Profile | None:
    """Never a silent reset: say what is wrong and let the worker choose the backup."""
    from rhi_desktop.services.backups import NoGoodBackup, restore_backup

    answer = QMessageBox.question(
        None,
        "RHI Desktop",
        f"{exc}\n\nRestore the latest undamaged backup now? The damaged database is kept "
        "beside it, renamed, so nothing is deleted.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    try:
        chosen = restore_backup(root, passphrase)
    except NoGoodBackup as err:
        QMessageBox.critical(None, "RHI Desktop", str(err))
        return None
    (root / INTEGRITY_MARK).unlink(missing_ok=True)
    profile = open_profile(root, passphrase, verify_integrity=True)
    QMessageBox.information(
        None,
        "RHI Desktop",
        f"Restored the backup taken {chosen.taken_at:%d/%m/%Y %H:%M} UTC. Work saved after it "
        "is in the kept database; ask support to recover it.",
    )
    return profile


# --- screenshots --------------------------------------------------------------------------
def screenshot(
    profile: Profile,
    view: str,
    out: Path,
    *,
    width: int = 1440,
    height: int = 900,
    text_scale: float = 1.0,
) -> Path:
    if view not in VIEWS:
        raise ValueError(f"Unknown view {view!r}; choose one of: {', '.join(sorted(VIEWS))}.")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    if text_scale != 1.0:
        # As the system's larger-text setting does: every size follows the font.
        apply_theme(app, text_scale)
    window = MainWindow(profile)
    window.resize(width, height)
    loop = QEventLoop()
    window.caseload.loaded.connect(lambda _n: loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    window.show()
    window.start()
    loop.exec()
    shown = VIEWS[view](window)
    for _ in range(3):
        wait_for_background()
        app.processEvents()
    # Back to the size asked for: the picture is of that screen (a window whose content
    # cannot fit stays larger, which the picture then shows).
    window.resize(width, height)
    for _ in range(2):
        app.processEvents()
    pixmap = (shown or window).grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(out), "PNG"):
        raise OSError(f"The screenshot could not be written to {out}.")
    window.close()
    window.deleteLater()
    app.processEvents()
    return out
