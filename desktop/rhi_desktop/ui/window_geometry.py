"""The main window's size and place: never larger than the screen it opens on, remembered per
screen (a laptop used on its own and docked to a monitor keeps both layouts).

Only the geometry goes into QSettings, keyed by the screen's name and size: nothing about any
child or the profile. Everything else the app remembers is in the encrypted profile.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

GROUP = "window"


def _screen(window: QWidget) -> QScreen | None:
    return window.screen() or QGuiApplication.primaryScreen()


def screen_key(screen: QScreen) -> str:
    size = screen.size()
    name = "".join(ch if ch.isalnum() else "-" for ch in (screen.name() or "screen"))
    return f"{GROUP}/{name}-{size.width()}x{size.height()}"


def fit_to_screen(window: QWidget) -> None:
    """A first size that fits the screen's working area (taskbar excluded), whatever it is."""
    screen = _screen(window)
    if screen is None:
        return
    area = screen.availableGeometry()
    em = window.fontMetrics().horizontalAdvance("m")
    width = min(area.width(), max(em * 100, int(area.width() * 0.9)))
    height = min(area.height(), max(em * 50, int(area.height() * 0.9)))
    window.resize(width, height)
    window.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)


def restore(window: QWidget, settings: QSettings) -> bool:
    """Put the window back as it was on this screen; False if it never was."""
    screen = _screen(window)
    if screen is None:
        return False
    saved = settings.value(screen_key(screen))
    if not isinstance(saved, QByteArray | bytes) or not saved:
        return False
    if not window.restoreGeometry(QByteArray(saved)):
        return False
    # A geometry saved on a bigger desktop must still fit this one.
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    if frame.width() > area.width() or frame.height() > area.height():
        fit_to_screen(window)
    return True


def remember(window: QWidget, settings: QSettings) -> None:
    screen = _screen(window)
    if screen is not None:
        settings.setValue(screen_key(screen), window.saveGeometry())
        settings.sync()
