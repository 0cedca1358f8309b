"""A real app process for test_no_plaintext.py: fill a demo interview through the window,
complete one, export its PDF (the one file the worker asks for), enrol and sync.

Run with HOME and TMPDIR pointing into the test's folder, so everything it writes is there.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the sync harness

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from rhi_desktop.app import make_app  # noqa: E402
from rhi_desktop.services import sync_service  # noqa: E402
from rhi_desktop.services.demo_profile import create_demo_profile  # noqa: E402
from rhi_desktop.services.pdf_export import export_signed_pdf  # noqa: E402
from rhi_desktop.ui.main_window import MainWindow  # noqa: E402
from rhi_desktop.ui.operations import wait_for_background  # noqa: E402

CANARY = sys.argv[4]


def main() -> None:
    root, exports, central_dir = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    from integration.harness import WORKER, completed_interview, served_central

    app = make_app()
    profile = create_demo_profile(root, seed=5, n_children=40)
    window = MainWindow(profile)
    window.show()
    loop = QEventLoop()
    window.caseload.loaded.connect(lambda _n: loop.quit())
    QTimer.singleShot(20_000, loop.quit)
    window.start()
    loop.exec()
    draft = next(r for r in window.caseload.model.rows() if r.rhi_status == "draft")
    window.caseload.select_child(draft.child_id)  # a view, audited
    loop = QEventLoop()
    window.pages.currentChanged.connect(lambda _i: loop.quit())
    window.open_interview(draft.child_id)
    loop.exec()
    view = window.interview
    assert view is not None
    view.go_to("own_words")
    QTest.keyClicks(view.pages["own_words"].rows["own_words_text"].input.focus_target(), CANARY)
    view.autosaver.flush_now()
    window.close_interview()
    now = datetime.now(UTC)
    iid = completed_interview(profile, 777, now)
    export_signed_pdf(profile, iid, exports / "record.pdf", now=now)
    with served_central(f"sqlite:///{central_dir / 'central.db'}", central_dir / "data") as central:
        sync_service.enrol(profile, central.url, central.enrol_code(WORKER))
        summary = sync_service.sync_once(profile)
        assert summary.accepted >= 1, summary
    wait_for_background()
    window.close()
    wait_for_background()
    profile.close()
    app.processEvents()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
