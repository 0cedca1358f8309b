"""A real app process that types into an interview and reports each committed save.

Run by test_autosave_crash.py, which kills it with SIGKILL at a random moment. Prints
`SAVED {json}` after each write is committed; nothing else on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from rhi_desktop.app import make_app  # noqa: E402
from rhi_desktop.services.profiles import open_profile  # noqa: E402
from rhi_desktop.ui.main_window import MainWindow  # noqa: E402

WORDS = ["river", "bus", "station", "night", "friend", "park", "phone", "home", "late", "safe"]


def main() -> None:
    root, child_id = Path(sys.argv[1]), sys.argv[2]
    app = make_app()
    profile = open_profile(root, os.environ["RHI_PASSPHRASE"])
    window = MainWindow(profile)
    window.show()
    loop = QEventLoop()
    window.pages.currentChanged.connect(lambda _i: loop.quit())
    QTimer.singleShot(20_000, loop.quit)
    window.open_interview(child_id)
    loop.exec()
    view = window.interview
    assert view is not None
    view.autosaver.saved.connect(
        lambda batch: print("SAVED " + json.dumps(batch, sort_keys=True), flush=True)
    )
    print("READY", flush=True)
    n = 0
    while True:  # until killed
        for section in view.visible_sections():
            view.go_to(section)
            for row in view.pages[section].rows.values():
                target = row.input.focus_target() if row.input else None
                if (
                    target is None
                    or not hasattr(target, "insertPlainText")
                    and not hasattr(target, "setText")
                ):
                    continue
                if row.question.type not in ("text", "long_text"):
                    continue
                # Type at the end, as a worker adding to an answer does: every value then only
                # grows, which is what the crash test checks across restarts.
                if hasattr(target, "moveCursor"):
                    target.moveCursor(QTextCursor.MoveOperation.End)
                elif hasattr(target, "end"):
                    target.end(False)
                QTest.keyClicks(target, f" {WORDS[n % len(WORDS)]}{n}")
                n += 1
                deadline = time.monotonic() + 0.05
                while time.monotonic() < deadline:
                    app.processEvents()
        _ = datetime.now(UTC)


if __name__ == "__main__":
    main()
