"""Asks why a completed record is being changed; the answer is kept with the new revision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rhi_desktop.services import completion
from rhi_desktop.services.children import ValidationFailed

from ..widgets import error_label, muted, show_error
from .ops import RecordOps


class AmendDialog(QDialog):
    def __init__(
        self,
        ops: RecordOps,
        on_amended: Callable[[], None],
        reopen: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._on_amended = on_amended
        self._reopen = reopen  # "has issues" from central: reopen for review instead
        title = "Reopen for changes" if reopen else "Amend the completed record"
        self.setWindowTitle(title)
        self.setModal(True)
        heading = QLabel(title)
        heading.setObjectName("title")
        intro = muted(
            "The completed revision is kept exactly as it is. Your changes go into a new "
            "revision, which must be completed and signed again."
        )
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for the amendment")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)
        caption = QLabel("Why is the record being changed? *")
        caption.setBuddy(self.reason)
        self.error = error_label()
        self.error.setAccessibleName("Reason for the amendment: problem")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(
            "Reopen" if reopen else "Amend", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok.setObjectName("primary")
        self.ok.setAccessibleName("Make the amendment")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (heading, intro, caption, self.reason, self.error, self.buttons):
            layout.addWidget(w)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("m") * 36)

    def submit(self) -> None:
        reason = self.reason.toPlainText().strip()
        show_error(self.error, None)
        if not reason:
            show_error(self.error, "Say why the record is being changed.")
            self.reason.setFocus()
            return
        iid, reopen = self._ops.interview_id, self._reopen

        def write(s: Any, actor: str, now: Any) -> None:
            if reopen:
                completion.reopen_for_review(s, iid, reason, actor=actor, now=now)
            else:
                completion.amend(s, iid, reason, actor=actor, now=now)

        self.ok.setEnabled(False)
        self._ops.write(write, self._done, self._failed)

    def _done(self, _result: Any) -> None:
        self.accept()
        self._on_amended()

    def _failed(self, exc: Exception) -> None:
        self.ok.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            show_error(self.error, " ".join(p.message for p in exc.problems))
        else:
            show_error(self.error, str(exc) or "The amendment could not be made.")
