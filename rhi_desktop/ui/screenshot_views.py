"""The views `rhi-desktop screenshot --view NAME` can render: each puts the window in a state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer

from .main_window import MainWindow

VIEWS: dict[str, Callable[[MainWindow], None]] = {}


def view(name: str) -> Callable[[Callable[[MainWindow], None]], Callable[[MainWindow], None]]:
    def register(fn: Callable[[MainWindow], None]) -> Callable[[MainWindow], None]:
        VIEWS[name] = fn
        return fn

    return register


@view("caseload")
def _caseload_view(window: MainWindow) -> None:
    # Show the most urgent child in the detail panel, as a worker would on opening.
    if window.caseload.proxy.rowCount():
        window.caseload.table.selectRow(0)


def open_interview_of(window: MainWindow, child_id: str) -> None:
    """Open a child's interview and wait until it is on screen."""
    loop = QEventLoop()
    window.pages.currentChanged.connect(lambda _i: loop.quit())
    QTimer.singleShot(15_000, loop.quit)
    window.open_interview(child_id)
    loop.exec()


@view("interview")
def _interview_view(window: MainWindow) -> None:
    """The first draft on the caseload, opened on a section with answers."""
    rows = window.caseload.model.rows()
    draft = next((r for r in rows if r.rhi_status == "draft"), None) or rows[0]
    open_interview_of(window, draft.child_id)
    if window.interview is not None:
        window.interview.go_to(window.interview.visible_sections()[1])
