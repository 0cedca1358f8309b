"""'Export signed PDF' in the GUI: off the GUI thread, with progress, then one clear message."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW
from PySide6.QtWidgets import QMessageBox, QWidget

from rhi_desktop.pdf.verify import exit_code, verify_pdf
from rhi_desktop.services.profiles import Profile
from rhi_desktop.ui.export_pdf import ExportOutcome, export_signed_pdf, suggested_path


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
    assert str(out) in outcome.message and "rhi-desktop verify" in outcome.message
    box = parent.findChild(QMessageBox, "exportPdfResult")
    assert box is not None and box.isVisible() and str(out) in box.text()
    box.close()


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
