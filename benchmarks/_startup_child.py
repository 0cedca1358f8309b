"""Run as a fresh interpreter by desktop_startup: start a window, wait for its first useful paint.

    python -P _startup_child.py app PROFILE_DIR ANCHOR_ISO   # the real app on a demo profile
    python -P _startup_child.py bare                         # a bare PySide6 window (baseline)

Prints one JSON line of numbers (times, memory, row count) and never any of the profile's data.
"""

import time

T0 = time.perf_counter()  # before any other import: the child's own clock starts here

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

TIMEOUT_MS = 60_000


def _memory_kib() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0])
    return out


def _wait_for_paint(app, viewport, ready) -> bool:  # noqa: ANN001
    """Run the event loop until `viewport` has processed a paint event once `ready()` is true."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    loop = QEventLoop()
    state = {"painted": False}

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: ANN001, N802
            if event.type() == QEvent.Type.Paint and ready() and not state["painted"]:
                state["painted"] = True
                # Quit after this paint has been handled (the filter sees it first).
                QTimer.singleShot(0, loop.quit)
            return False

    watch = PaintWatch()
    viewport.installEventFilter(watch)
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    if not state["painted"]:
        loop.exec()
    viewport.removeEventFilter(watch)
    return state["painted"]


def run_app(root: str, anchor_iso: str) -> dict:
    from datetime import UTC, datetime
    from pathlib import Path

    from rhi_desktop.app import _check_integrity_in_background, make_app
    from rhi_desktop.services.profiles import open_profile
    from rhi_desktop.ui.main_window import MainWindow
    from rhi_desktop.ui.operations import wait_for_background

    marks = {"imports": time.perf_counter() - T0}
    app = make_app(["rhi-desktop"])  # as run_gui: the application (and theme) before the unlock
    marks["qapplication"] = time.perf_counter() - T0
    # What the unlock dialog does with the passphrase: decrypt check now, full page check later.
    profile = open_profile(Path(root), "demo", verify_integrity=False)
    marks["unlock"] = time.perf_counter() - T0

    # The demo data is anchored at a fixed instant; the window's clock starts there and runs.
    anchor, started = datetime.fromisoformat(anchor_iso), datetime.now(UTC)

    def clock() -> datetime:
        return anchor + (datetime.now(UTC) - started)

    window = MainWindow(profile, clock)
    marks["window_built"] = time.perf_counter() - T0
    loaded = {"rows": -1}

    def on_loaded(n: int) -> None:
        loaded["rows"] = n
        marks["loaded"] = time.perf_counter() - T0

    window.caseload.loaded.connect(on_loaded)
    window.show()
    window.start()
    _check_integrity_in_background(window, profile)  # as run_gui: competes for the CPU
    painted = _wait_for_paint(app, window.caseload.table.viewport(), lambda: loaded["rows"] >= 0)
    elapsed = time.perf_counter() - T0
    memory = _memory_kib()
    result = {
        "ok": painted and loaded["rows"] > 0,
        "elapsed_s": elapsed,
        "marks": marks,
        "rows": loaded["rows"],
        "shown_rows": window.caseload.proxy.rowCount(),
        "rss_kib": memory.get("VmRSS", 0),
        "hwm_kib": memory.get("VmHWM", 0),
    }
    print(json.dumps(result), flush=True)  # the parent stops its clock when this line arrives
    window.close()
    wait_for_background()
    profile.close()
    return result


def run_bare() -> dict:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    marks = {"imports": time.perf_counter() - T0}
    app = QApplication(["bare"])
    window = QMainWindow()
    table = QTableView()
    table.setModel(QStandardItemModel(40, 8, table))
    window.setCentralWidget(table)
    window.resize(1200, 700)
    window.show()
    painted = _wait_for_paint(app, table.viewport(), lambda: True)
    elapsed = time.perf_counter() - T0
    memory = _memory_kib()
    result = {
        "ok": painted,
        "elapsed_s": elapsed,
        "marks": marks,
        "rss_kib": memory.get("VmRSS", 0),
        "hwm_kib": memory.get("VmHWM", 0),
    }
    print(json.dumps(result), flush=True)
    window.close()
    return result


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    mode = sys.argv[1]
    result = run_app(sys.argv[2], sys.argv[3]) if mode == "app" else run_bare()
    return 0 if result["ok"] else 2


if __name__ == "__main__":
    sys.exit(main())
