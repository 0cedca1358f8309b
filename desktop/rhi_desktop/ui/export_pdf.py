"""'Export signed PDF': choose a file, build/render/sign/write off the GUI thread, say how it went.

The export itself is :func:`rhi_desktop.services.pdf_export.export_signed_pdf`; this module only
asks where to save, shows the steps in a progress dialog and reports the result in one sentence.
Progress comes from the worker thread through a signal (queued to the GUI thread), so no widget
is ever touched off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from rhi_desktop.services.completion import get_interview
from rhi_desktop.services.pdf_export import (
    EXPORT_STEPS,
    ExportResult,
    default_file_name,
)
from rhi_desktop.services.pdf_export import export_signed_pdf as run_export
from rhi_desktop.services.profiles import Profile

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


def suggested_path(profile: Profile, interview_id: str) -> Path:
    """``~/Documents/RHI-<case number>-rev<N>.pdf`` (a quick read: runs on the GUI thread)."""
    with profile.sessions() as s:
        interview = get_interview(s, interview_id)
        name = default_file_name(interview.child.local_id, interview.revision)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs or Path.home()) / name


def export_signed_pdf(
    parent: QWidget,
    profile: Profile,
    interview_id: str,
    *,
    path: Path | None = None,
    now: Callable[[], datetime] | None = None,
    on_finished: Callable[[ExportOutcome], None] | None = None,
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
        trust = (
            "signed with your organisation's certificate"
            if result.organisation_verified
            else "signed with a local certificate (not verified by your organisation)"
        )
        message = (
            f"Saved to {result.path} — {trust}. Verify it with: rhi-desktop verify "
            f'"{result.path.name}"'
        )
        _show(parent, ExportOutcome(True, message, result), on_finished)

    def failed(exc: Exception) -> None:
        dialog.close()
        dialog.deleteLater()
        text = str(exc).strip() or (
            f"The PDF could not be made ({type(exc).__name__}); nothing was saved."
        )
        _show(parent, ExportOutcome(False, text), on_finished)

    run_in_background(parent, work, done, failed)


def _show(
    parent: QWidget, outcome: ExportOutcome, on_finished: Callable[[ExportOutcome], None] | None
) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information if outcome.ok else QMessageBox.Icon.Warning,
        "Signed PDF saved" if outcome.ok else "PDF not saved",
        outcome.message,
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName(RESULT_OBJECT)
    box.setAccessibleName("Export result")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # window-modal but not blocking: the app keeps running (and tests can look)
    if on_finished is not None:
        on_finished(outcome)
