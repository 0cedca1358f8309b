"""'Export signed PDF': choose a file, build/render/sign/write off the GUI thread, say how it went.

The export itself is :func:`rhi_desktop.services.pdf_export.export_signed_pdf`; this module only
asks where to save (starting in the folder used last time, else Documents), shows the steps in
a progress dialog and reports the result: where it is, who can check it and how (in words), and
"Open" / "Show in folder". Progress comes from the worker thread through a signal (queued to the
GUI thread), so no widget is ever touched off the GUI thread.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from rhi_desktop.services.completion import get_interview
from rhi_desktop.services.pdf_export import (
    EXPORT_STEPS,
    ExportResult,
    default_file_name,
)
from rhi_desktop.services.pdf_export import export_signed_pdf as run_export
from rhi_desktop.services.profiles import Profile
from rhi_desktop.services.settings import EXPORT_FOLDER, get_setting, set_setting

from .operations import run_in_background

__all__ = ["ExportOutcome", "export_signed_pdf", "suggested_path"]

RESULT_OBJECT = "exportPdfResult"
PROGRESS_OBJECT = "exportPdfProgress"


@dataclass(frozen=True)
class ExportOutcome:
    ok: bool
    message: str  # the sentence shown to the worker
    result: ExportResult | None = None


class _ProgressRelay(QObject):
    step = Signal(int, str)


Opener = Callable[[QUrl], object]


def start_folder(profile: Profile) -> Path:
    """Where the save dialog opens: the folder used last time (kept in the encrypted profile,
    since a folder name may name a child), else Documents, else the home folder. Never the
    program's working folder."""
    with profile.sessions() as s:
        last = get_setting(s, EXPORT_FOLDER)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return Path(docs)
    return Path.home()


def suggested_path(profile: Profile, interview_id: str) -> Path:
    """``<start folder>/RHI-<case number>-rev<N>.pdf`` (a quick read: runs on the GUI thread)."""
    with profile.sessions() as s:
        interview = get_interview(s, interview_id)
        name = default_file_name(interview.child.local_id, interview.revision)
    return start_folder(profile) / name


def how_to_check(organisation_verified: bool) -> str:
    """Who can check the file, and how, in words (no command to type)."""
    if organisation_verified:
        return (
            "It is signed with your organisation's certificate. Anyone who receives it can "
            "check that nothing was changed since you signed it: in Adobe Acrobat Reader the "
            "signature panel says who signed it and that it is unchanged, and your Missing Lead "
            "can check it in RHI Desktop or the council's central store."
        )
    return (
        "It is signed with a certificate made on this laptop, so a reader will see the "
        'signature as "not verified" until this laptop is enrolled with your council. Your '
        "Missing Lead can still check that nothing was changed since you signed it."
    )


def show_in_folder(path: Path, open_url: Opener = QDesktopServices.openUrl) -> None:
    """Open the folder, with the file selected where the system can do that."""
    if sys.platform == "win32":
        subprocess.Popen(["explorer", f"/select,{path}"])  # noqa: S603, S607 - fixed program
    elif sys.platform == "darwin":
        subprocess.Popen(["open", "-R", str(path)])  # noqa: S603, S607 - fixed program
    else:
        open_url(QUrl.fromLocalFile(str(path.parent)))


def export_signed_pdf(
    parent: QWidget,
    profile: Profile,
    interview_id: str,
    *,
    path: Path | None = None,
    now: Callable[[], datetime] | None = None,
    on_finished: Callable[[ExportOutcome], None] | None = None,
    open_url: Opener = QDesktopServices.openUrl,
) -> None:
    """Ask for a file name (unless ``path`` is given, e.g. by tests), export in the background
    with a progress dialog, then show the outcome in a message box (window-modal, non-blocking).
    """
    try:
        default = suggested_path(profile, interview_id)
    except Exception as exc:  # noqa: BLE001 - one sentence to the worker, never a traceback
        _show(parent, ExportOutcome(False, str(exc)), on_finished)
        return
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(
            parent, "Export signed PDF", str(default), "PDF documents (*.pdf)"
        )
        if not chosen:
            return  # cancelled
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        _remember_folder(profile, path.parent)
    target = path

    dialog = QProgressDialog(EXPORT_STEPS[0] + "…", "", 0, len(EXPORT_STEPS), parent)
    dialog.setObjectName(PROGRESS_OBJECT)
    dialog.setWindowTitle("Export signed PDF")
    dialog.setCancelButton(None)  # an export takes well under a second; nothing to cancel
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAccessibleName("Export progress")
    dialog.setValue(0)

    relay = _ProgressRelay(dialog)

    def on_step(index: int, text: str) -> None:
        dialog.setLabelText(text + "…")
        dialog.setValue(index)

    relay.step.connect(on_step)
    clock = now or (lambda: datetime.now(UTC))

    def work() -> ExportResult:
        # Runs on a pool thread: it only emits the relay's signal, never touches widgets.
        return run_export(profile, interview_id, target, now=clock(), progress=relay.step.emit)

    def done(result: ExportResult) -> None:
        dialog.setValue(len(EXPORT_STEPS))
        dialog.close()
        dialog.deleteLater()
        message = f"The signed record is saved as {result.path}."
        outcome = ExportOutcome(True, message, result)
        _show(parent, outcome, on_finished, how_to_check(result.organisation_verified), open_url)

    def failed(exc: Exception) -> None:
        dialog.close()
        dialog.deleteLater()
        text = str(exc).strip() or (
            f"The PDF could not be made ({type(exc).__name__}); nothing was saved."
        )
        _show(parent, ExportOutcome(False, text), on_finished)

    run_in_background(parent, work, done, failed)


def _remember_folder(profile: Profile, folder: Path) -> None:
    try:
        with profile.transaction() as s:
            set_setting(s, EXPORT_FOLDER, str(folder), actor=profile.worker_name)
    except Exception:  # noqa: BLE001 - a folder not remembered is no reason to stop the export
        return


def _show(
    parent: QWidget,
    outcome: ExportOutcome,
    on_finished: Callable[[ExportOutcome], None] | None,
    detail: str = "",
    open_url: Opener = QDesktopServices.openUrl,
) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information if outcome.ok else QMessageBox.Icon.Warning,
        "Signed PDF saved" if outcome.ok else "PDF not saved",
        outcome.message,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName(RESULT_OBJECT)
    box.setAccessibleName("Export result")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if detail:
        box.setInformativeText(detail)
    if outcome.ok and outcome.result is not None:
        path = outcome.result.path
        open_button = box.addButton("Open", QMessageBox.ButtonRole.ActionRole)
        open_button.setAccessibleName("Open the PDF")
        folder_button = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        folder_button.setAccessibleName("Show the PDF in its folder")

        def pressed(button: object) -> None:
            if button is open_button:
                open_url(QUrl.fromLocalFile(str(path)))
            elif button is folder_button:
                show_in_folder(path, open_url)

        box.buttonClicked.connect(pressed)
    box.addButton("Close", QMessageBox.ButtonRole.AcceptRole).setAccessibleName("Close")
    box.open()  # window-modal but not blocking: the app keeps running (and tests can look)
    if on_finished is not None:
        on_finished(outcome)
