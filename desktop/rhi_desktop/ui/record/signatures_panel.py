"""Signatures: the worker (required to complete), the young person (optional, or "declines to
sign" with a reason), and a carer or someone else. A blank pad is refused at the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from rhi_core.domain.codes import SignatureRole
from rhi_core.domain.episodes import EpisodeProblem
from rhi_desktop.services import signatures
from rhi_desktop.services.children import ValidationFailed
from rhi_desktop.services.record_open import RecordSnapshot
from rhi_desktop.services.record_view import SignatureView
from rhi_desktop.services.signatures import SignatureInput

from ..widgets import Card, muted
from . import text
from .fields import FieldForm, combo
from .ops import RecordOps
from .panel import RecordPanel
from .signature_pad import SignaturePad


class SignatureBlock(Card):
    """One person's signature: name, the pad (clear, undo, redo) and Save."""

    def __init__(
        self,
        ops: RecordOps,
        title: str,
        roles: list[SignatureRole],
        intro: str,
        declinable: bool = False,
    ) -> None:
        super().__init__(title)
        self.title_text = title
        self.ops = ops
        self.roles = roles
        self.body.addWidget(muted(intro))
        self.status = QLabel()
        self.status.setObjectName("signedState")
        self.status.setAccessibleName(f"{title}: status")
        self.body.addWidget(self.status)
        self.form = FieldForm()
        self.role: QComboBox | None = None
        if len(roles) > 1:
            self.role = combo(f"{title}: who", [(r.value, r.label) for r in roles], blank=None)
            self.form.add("role", "Who is signing", self.role)
        self.name = QLineEdit()
        self.form.add("name", "Name *", self.name, f"{title}: name")
        self.declines: QCheckBox | None = None
        self.reason = QLineEdit()
        if declinable:
            self.declines = QCheckBox("Declines to sign")
            self.declines.setAccessibleName(f"{title}: declines to sign")
            self.declines.toggled.connect(self._declines_toggled)
            self.form.add("declines", "", self.declines)
            self.form.add("declined_reason", "Why *", self.reason, f"{title}: why not signing")
            self.form.set_row_visible("declined_reason", False)
        self.pad = SignaturePad()
        self.pad.setAccessibleName(f"{title}: signature pad")
        self.pad.changed.connect(self._pad_changed)
        self.edited = self.pad.changed  # the panel listens: a stroke is unsaved until saved
        self.form.add("strokes", "Signature *", self.pad, f"{title}: signature pad")
        self.form.alias("png", "strokes")
        self.body.addWidget(self.form)
        self.body.addWidget(self.form.general)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName(f"{title}: clear the pad")
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName(f"{title}: undo the last stroke")
        self.undo_button.clicked.connect(self.pad.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.setAccessibleName(f"{title}: redo the stroke")
        self.redo_button.clicked.connect(self.pad.redo)
        self.save_button = QPushButton("Save signature")
        self.save_button.setObjectName("primary")
        self.save_button.setAccessibleName(f"{title}: save signature")
        self.save_button.clicked.connect(lambda _checked=False: self.submit())
        row = QHBoxLayout()
        for b in (self.clear_button, self.undo_button, self.redo_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.save_button)
        self.body.addLayout(row)
        self.locked = False
        self.stored: SignatureView | None = None
        self._then: Callable[[], None] | None = None
        self._pad_changed()

    def unsaved(self) -> str | None:
        """A signature drawn (or a refusal typed) but not saved."""
        if self.locked:
            return None
        declined = self.declines is not None and self.declines.isChecked()
        if declined:
            if self.reason.text().strip() and (
                self.stored is None or self.stored.declined_reason != self.reason.text().strip()
            ):
                return f"a refusal to sign not saved ({self.title_text})"
            return None
        if not self.pad.is_blank() and (
            self.stored is None
            or not self.stored.strokes
            or [list(map(list, s)) for s in self.stored.strokes] != self.pad.strokes()
        ):
            return f"a signature not saved yet ({self.title_text})"
        if self.stored is not None and self.name.text().strip() != self.stored.name:
            return f"a changed name not saved ({self.title_text})"
        return None

    def discard(self) -> None:
        self.pad.clear()
        if self.stored is not None and self.stored.strokes:
            self.pad.set_strokes([list(map(list, s)) for s in self.stored.strokes])
        if self.declines is not None:
            self.declines.setChecked(bool(self.stored and self.stored.declined_reason))
        self.reason.setText(self.stored.declined_reason or "" if self.stored else "")

    def current_role(self) -> SignatureRole:
        if self.role is not None:
            return SignatureRole(self.role.currentData())
        return self.roles[0]

    def _declines_toggled(self, on: bool) -> None:
        self.form.set_row_visible("declined_reason", on)
        self.form.set_row_visible("strokes", not on)
        for b in (self.clear_button, self.undo_button, self.redo_button):
            b.setVisible(not on)
        self.save_button.setText("Save" if on else "Save signature")

    def _pad_changed(self) -> None:
        self.undo_button.setEnabled(self.pad.can_undo() and not self.locked)
        self.redo_button.setEnabled(self.pad.can_redo() and not self.locked)
        self.clear_button.setEnabled(not self.pad.is_blank() and not self.locked)

    def show_stored(self, stored: SignatureView | None, default_name: str) -> None:
        self.stored = stored
        if stored is None:
            self.status.setText("Not signed yet.")
            self.status.setProperty("state", "missing")
            if not self.name.text():
                self.name.setText(default_name)
        elif stored.declined_reason:
            self.status.setText(
                f"{stored.name} declined to sign ({stored.declined_reason}) · "
                f"{text.when(stored.signed_at)}"
            )
            self.status.setProperty("state", "declined")
            self.name.setText(stored.name)
        else:
            self.status.setText(f"✓ Signed by {stored.name} · {text.when(stored.signed_at)}")
            self.status.setProperty("state", "signed")
            self.name.setText(stored.name)
            if self.pad.is_blank():
                self.pad.set_strokes([list(map(list, s)) for s in stored.strokes or ()])
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.pad.set_read_only(locked)
        self.form.setEnabled(not locked)
        self.pad.setEnabled(True)  # a locked signature stays visible, not greyed out
        self.save_button.setVisible(not locked)
        self._pad_changed()

    def build(self) -> SignatureInput:
        declined = self.declines is not None and self.declines.isChecked()
        return SignatureInput(
            role=self.current_role(),
            name=self.name.text(),
            strokes=[] if declined else self.pad.strokes(),
            png=None if declined else (None if self.pad.is_blank() else self.pad.png()),
            declined_reason=self.reason.text() if declined else None,
        )

    def submit(self, then: Callable[[], None] | None = None) -> None:
        self._then = then
        self.form.clear_errors()
        data = self.build()
        declined = self.declines is not None and self.declines.isChecked()
        if declined and not self.reason.text().strip():
            self.form.show_exception(
                ValidationFailed(
                    [EpisodeProblem("declined_reason", "Say why they are not signing.")]
                )
            )
            return
        if not declined:
            # The pad's verdict, before the write (the service checks again).
            blank = signatures.blank_signature_problem(data.strokes)
            if blank:
                self.form.show_exception(ValidationFailed([EpisodeProblem("strokes", blank)]))
                return
        iid = self.ops.interview_id
        self.save_button.setEnabled(False)
        self.ops.write(
            lambda s, actor, now: signatures.sign(s, iid, data, actor=actor, now=now),
            self._saved,
            self._failed,
        )

    def _saved(self, _result: Any) -> None:
        self.save_button.setEnabled(True)
        then, self._then = self._then, None
        if then is not None:
            then()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        self._then = None
        self.form.show_exception(exc)


class SignaturesPanel(RecordPanel):
    title_text = "Signatures"
    intro_text = (
        "The worker signs to confirm the record; the young person and a carer may sign too. "
        "An amendment must be signed again."
    )

    def __init__(self, ops: RecordOps, young_person: bool = False) -> None:
        super().__init__(ops, young_person)
        self.worker = SignatureBlock(
            ops,
            "RHI worker",
            [SignatureRole.WORKER],
            "Required before the interview can be completed.",
        )
        self.young = SignatureBlock(
            ops,
            "Young person",
            [SignatureRole.YOUNG_PERSON],
            "Optional. If they would rather not sign, record that and why.",
            declinable=True,
        )
        self.other = SignatureBlock(
            ops,
            "Parent, carer or someone else",
            [SignatureRole.CARER, SignatureRole.OTHER],
            "Optional.",
        )
        self.blocks = (self.worker, self.young, self.other)
        for block in self.blocks:
            self.layout_.addWidget(block)
            block.pad.changed.connect(self.status_changed)
            block.reason.textEdited.connect(lambda _t: self.status_changed.emit())
            block.name.textEdited.connect(lambda _t: self.status_changed.emit())
        self.finish()

    def unsaved(self) -> str | None:
        for block in self.blocks:
            what = block.unsaved()
            if what:
                return what
        return super().unsaved()

    def save_unsaved(self, then: Callable[[], None]) -> None:
        for block in self.blocks:
            if block.unsaved():
                block.submit(lambda: self.save_unsaved(then))
                return
        super().save_unsaved(then)

    def discard_unsaved(self) -> None:
        for block in self.blocks:
            block.discard()
        super().discard_unsaved()

    def apply(self, snapshot: RecordSnapshot) -> None:
        super().apply(snapshot)
        r = snapshot.record
        latest: dict[str, SignatureView] = {}
        for sig in r.signatures:  # in signing order: the last one per role stands
            latest[sig.role] = sig
        child = f"{r.child.first_name} {r.child.last_name}"
        self.worker.show_stored(latest.get(SignatureRole.WORKER), r.worker or self.ops.actor)
        self.young.show_stored(latest.get(SignatureRole.YOUNG_PERSON), child)
        other = latest.get(SignatureRole.CARER) or latest.get(SignatureRole.OTHER)
        self.other.show_stored(other, "")

    def set_locked(self, locked: bool) -> None:
        super().set_locked(locked)
        for block in self.blocks:
            block.set_locked(locked)

    def focus_target(self, target: dict[str, Any]) -> bool:
        self.worker.pad.setFocus(Qt.FocusReason.OtherFocusReason)
        return True
