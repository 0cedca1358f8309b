"""'Export signed PDF' in the GUI: off the GUI thread, with progress, then one clear message."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from rhi_desktop.pdf.verify import exit_code, verify_pdf
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.settings import EXPORT_FOLDER, set_setting
from rhi_desktop.ui.export_pdf import (
    ExportOutcome,
    export_signed_pdf,
    start_folder,
    suggested_path,
)


def test_export_with_a_given_path_saves_and_names_the_file(
    qtbot, demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    outcomes: list[ExportOutcome] = []
    out = tmp_path / "record.pdf"
    export_signed_pdf(
        parent, demo_profile, flagged_id, path=out, now=lambda: NOW, on_finished=outcomes.append
    )
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    outcome = outcomes[0]
    assert outcome.ok, outcome.message
    assert out.exists() and exit_code(verify_pdf(out.read_bytes(), None)) == 2
    assert str(out) in outcome.message
    box = parent.findChild(QMessageBox, "exportPdfResult")
    assert box is not None and box.isVisible() and str(out) in box.text()
    # Who can check it, in words: no command to type.
    assert "not verified" in box.informativeText() and "rhi-desktop" not in box.informativeText()
    box.close()


def test_after_export_open_and_show_in_folder(
    qtbot, demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    opened: list[str] = []
    outcomes: list[ExportOutcome] = []
    out = tmp_path / "record.pdf"
    export_signed_pdf(
        parent,
        demo_profile,
        flagged_id,
        path=out,
        now=lambda: NOW,
        on_finished=outcomes.append,
        open_url=lambda url: opened.append(url.toLocalFile()),
    )
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    box = parent.findChild(QMessageBox, "exportPdfResult")
    buttons = {b.accessibleName(): b for b in box.buttons()}
    assert {"Open the PDF", "Show the PDF in its folder", "Close"} <= set(buttons)
    qtbot.mouseClick(buttons["Open the PDF"], Qt.MouseButton.LeftButton)
    assert opened == [str(out)]


def test_the_save_dialog_starts_in_documents_or_the_last_folder(
    qtbot, demo_profile: Profile, flagged_id: str, tmp_path: Path, monkeypatch
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "Documents"))
    monkeypatch.chdir(tmp_path)  # the program's working folder: never the suggestion
    first = start_folder(demo_profile)
    assert first != tmp_path and first in (home / "Documents", home)
    chosen = tmp_path / "case files"
    chosen.mkdir()
    with demo_profile.transaction() as s:
        set_setting(s, EXPORT_FOLDER, str(chosen), actor="test")
    assert start_folder(demo_profile) == chosen
    assert suggested_path(demo_profile, flagged_id).parent == chosen


def test_a_failed_export_shows_the_sentence(
    qtbot, demo_profile: Profile, flagged_id: str, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    outcomes: list[ExportOutcome] = []
    export_signed_pdf(
        parent,
        demo_profile,
        flagged_id,
        path=tmp_path,
        now=lambda: NOW,
        on_finished=outcomes.append,
    )
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert not outcomes[0].ok
    assert outcomes[0].message == f"{tmp_path} is a folder; choose a file name for the PDF."
    box = parent.findChild(QMessageBox, "exportPdfResult")
    assert box is not None and box.text() == outcomes[0].message
    box.close()


def test_default_file_name_uses_case_number_and_revision(
    qtbot, demo_profile: Profile, flagged_id: str
) -> None:
    path = suggested_path(demo_profile, flagged_id)
    assert path.name.startswith("RHI-C") and path.name.endswith(("-rev1.pdf", "-rev2.pdf"))
