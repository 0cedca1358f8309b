"""One visual language: calm neutrals, one accent, colour only where it carries meaning."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#1f5fae"
INK = "#1d2430"
MUTED = "#5b6574"
SURFACE = "#ffffff"
CANVAS = "#f3f5f8"
LINE = "#dfe3ea"
RED = "#b3261e"
RED_BG = "#fde7e6"
AMBER = "#8a5300"
AMBER_BG = "#fff1d6"
GREEN = "#1e6b3a"
GREEN_BG = "#e3f4e8"
BLUE_BG = "#e6eefb"
PURPLE = "#5b3a9b"
PURPLE_BG = "#efe8fb"
GREY_BG = "#eceff3"
DEMO = "#a4262c"
# Keyboard focus, as GOV.UK shows it: a yellow fill with a near-black edge, visible on any
# background (a thin blue ring on a blue "checked" chip could not be seen).
FOCUS = "#ffdd00"
FOCUS_EDGE = "#0b0c0c"

BADGE_COLOURS: dict[str, tuple[str, str]] = {
    "In care": (ACCENT, BLUE_BG),
    "UASC": (PURPLE, PURPLE_BG),
    "Out of area": (AMBER, AMBER_BG),
    "3+ in 30d": (RED, RED_BG),
}

STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "not_offered": (RED, RED_BG),
    "offered": (ACCENT, BLUE_BG),
    "declined": (MUTED, GREY_BG),
    "draft": (AMBER, AMBER_BG),
    "returned": (RED, RED_BG),  # back from the reviewer: needs the worker
    "completed": (GREEN, GREEN_BG),
    "synced": (GREEN, GREEN_BG),
}

STYLESHEET = f"""
QMainWindow, QDialog {{ background: {CANVAS}; }}
QWidget {{ color: {INK}; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px; }}
QFrame#header {{ background: {SURFACE}; border-bottom: 1px solid {LINE}; }}
QLabel#title {{ font-size: 15pt; font-weight: 600; }}
QLabel#subtitle, QLabel#muted {{ color: {MUTED}; }}
QLabel#sectionTitle {{ font-size: 11pt; font-weight: 600; }}
QLabel#demoBadge {{ background: {DEMO}; color: white; font-weight: 700;
    border-radius: 6px; padding: 3px 10px; }}
QLabel#error {{ color: {RED}; }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 600; padding: 4px 0 8px 0; }}
QLabel#questionLabel {{ font-weight: 600; }}
QLabel#guidance {{ background: {BLUE_BG}; color: #22426b; border-radius: 6px; padding: 6px 10px; }}
QLabel#saveState {{ color: {MUTED}; }}
QLabel#saveState[state="saved"] {{ color: {GREEN}; }}
QLabel#saveState[state="error"] {{ color: {RED}; font-weight: 600; }}
QFrame#riskBanner {{ background: {RED_BG}; border: 1px solid #f1b8b4; border-radius: 10px; }}
QFrame#ypBanner {{ background: {PURPLE_BG}; border-radius: 10px; }}
QToolButton#face {{ border: 1px solid {LINE}; border-radius: 10px; padding: 6px; background: {SURFACE}; }}
QToolButton#face:checked {{ border: 2px solid {ACCENT}; background: {BLUE_BG}; }}
QListView#sections {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px; padding: 6px; }}
QListView#sections::item {{ padding: 5px 6px; border-radius: 6px; }}
QListView#sections::item:selected {{ background: {BLUE_BG}; color: {INK}; }}
QScrollArea {{ border: none; background: transparent; }}
QWidget#page {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 10px; }}
QPushButton#link {{ border: none; background: transparent; color: {ACCENT}; padding: 0 2px;
    text-decoration: underline; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 6px;
    padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {FOCUS_EDGE}; background: {FOCUS}; color: {FOCUS_EDGE}; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
    font-weight: 600; }}
QPushButton#primary:disabled {{ background: #9db4d6; border-color: #9db4d6; }}
QPushButton#filter {{ border-radius: 14px; padding: 5px 14px; }}
QPushButton#filter:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton#filter:focus, QPushButton#filter:checked:focus, QPushButton#primary:focus {{
    background: {FOCUS}; color: {FOCUS_EDGE}; border: 3px solid {FOCUS_EDGE}; }}
QPushButton#link:focus {{ background: {FOCUS}; color: {FOCUS_EDGE}; border: none; }}
QToolButton:focus, QCheckBox:focus, QRadioButton:focus {{ background: {FOCUS}; color: {FOCUS_EDGE}; }}
QLineEdit, QComboBox, QDateTimeEdit, QDateEdit, QPlainTextEdit, QTextEdit, QSpinBox {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 6px; padding: 5px 8px; }}
QLineEdit:focus, QComboBox:focus, QDateTimeEdit:focus, QDateEdit:focus,
QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {ACCENT}; }}
QTableView {{ background: {SURFACE}; border: none; gridline-color: transparent;
    selection-background-color: {BLUE_BG}; selection-color: {INK};
    alternate-background-color: #fafbfc; }}
QHeaderView::section {{ background: {SURFACE}; color: {MUTED}; border: none;
    border-bottom: 1px solid {LINE}; padding: 6px 8px; font-weight: 600; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {LINE}; color: {MUTED}; }}
QPushButton:disabled {{ color: #9aa3af; background: {GREY_BG}; }}
QFrame#lockBanner {{ background: {GREEN_BG}; border: 1px solid #b7dcc3; border-radius: 10px; }}
QFrame#lockBanner QLabel {{ color: {GREEN}; }}
QFrame#lockBanner[state="returned"] {{ background: {RED_BG}; border: 1px solid #f1b8b4; }}
QFrame#lockBanner[state="returned"] QLabel {{ color: {RED}; }}
QFrame#flagStrip {{ background: {GREY_BG}; border-radius: 8px; }}
QFrame#flagStrip QLabel {{ color: {MUTED}; }}
QFrame#flagStrip[raised="true"] {{ background: {RED_BG}; border: 1px solid #f1b8b4; }}
QFrame#flagStrip[raised="true"] QLabel {{ color: {RED}; font-weight: 600; }}
QLabel#deadline {{ color: {MUTED}; }}
QLabel#deadline[state="due"] {{ color: {INK}; font-weight: 600; }}
QLabel#deadline[state="late"] {{ color: {RED}; font-weight: 600; }}
QLabel#deadline[state="ok"] {{ color: {GREEN}; }}
QLabel#saveState[state="unsaved"] {{ color: {AMBER}; font-weight: 600; }}
QLabel#flagTitle {{ font-weight: 600; color: {RED}; }}
QLabel#flagStatus[state="todo"] {{ color: {AMBER}; font-weight: 600; }}
QLabel#flagStatus[state="done"] {{ color: {GREEN}; }}
QToolButton#calendarButton {{ border: 1px solid {LINE}; border-radius: 6px; padding: 4px 8px;
    background: {SURFACE}; }}
QWidget#signaturePad {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 8px; }}
QWidget#signaturePad:focus {{ border: 2px solid {ACCENT}; }}
QTableView#recordTable {{ border: 1px solid {LINE}; border-radius: 6px; }}
QListView#problems {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 8px;
    padding: 4px; color: {ACCENT}; }}
QListView#problems::item {{ padding: 6px 8px; border-bottom: 1px solid {GREY_BG}; }}
QListView#problems::item:hover {{ background: {BLUE_BG}; }}
QListView#problems::item:selected {{ background: {BLUE_BG}; color: {INK}; }}
QLabel#reviewHeadline {{ font-size: 13pt; font-weight: 600; }}
QLabel#reviewHeadline[state="todo"] {{ color: {AMBER}; }}
QLabel#reviewHeadline[state="ready"] {{ color: {ACCENT}; }}
QLabel#reviewHeadline[state="locked"] {{ color: {GREEN}; }}
QLabel#reviewHeadline[state="returned"] {{ color: {RED}; }}
QLabel#signedState[state="signed"] {{ color: {GREEN}; font-weight: 600; }}
QLabel#signedState[state="missing"] {{ color: {MUTED}; }}
QLabel#signedState[state="declined"] {{ color: {AMBER}; }}
"""


_base_point_size: float | None = None


def _scaled(sheet: str, scale: float) -> str:
    """The style sheet with its point sizes scaled (larger text makes headings larger too)."""
    return re.sub(
        r"font-size: ([0-9.]+)pt", lambda m: f"font-size: {float(m[1]) * scale:.1f}pt", sheet
    )


def apply_theme(app: QApplication, text_scale: float = 1.0) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(CANVAS))
    palette.setColor(QPalette.ColorRole.Base, QColor(SURFACE))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    app.setPalette(palette)
    global _base_point_size
    font = QFont(app.font())
    if _base_point_size is None:  # the first time only: a second call must not compound
        _base_point_size = max(font.pointSizeF(), 10.0)
    font.setPointSizeF(_base_point_size * text_scale)
    app.setFont(font)
    app.setStyleSheet(_scaled(STYLESHEET, text_scale) if text_scale != 1.0 else STYLESHEET)
