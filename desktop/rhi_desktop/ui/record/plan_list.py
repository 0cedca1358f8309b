"""One list of a safety plan (trusted adults, safe places, …) with its inline entry row.

Keyboard: type in the entry row and press Enter to add; select a row and press Enter (or F2)
to edit it in the entry row, Enter to save, Escape to cancel; Delete removes the selected row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..date_field import DateField
from ..widgets import error_label, show_error
from .fields import date_edit, date_of, set_date
from .models import Row, RowsModel, selected_row, table_view


@dataclass(frozen=True)
class FieldSpec:
    key: str  # the PlanItemInput / service field name
    label: str
    kind: str = "text"  # "text" or "date"
    stretch: int = 1


@dataclass(frozen=True)
class ListSpec:
    kind: str
    title: str
    young_title: str
    noun: str  # "trusted adult": used in button and accessible names
    headers: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    cells: Callable[[Any], tuple[str, ...]]  # view object -> cells
    values: Callable[[Any], dict[str, Any]]  # view object -> field values
    hint: str = ""


class PlanListEditor(QWidget):
    # (kind, item id or "" for a new one, field values)
    save_requested = Signal(str, str, object)
    remove_requested = Signal(str, str)  # kind, item id
    edited = Signal()  # the entry row changed (typed, cleared, filled for editing)

    def __init__(
        self,
        spec: ListSpec,
        young_person: bool,
        fixed: Callable[[Any], bool] = lambda _v: False,
    ) -> None:
        super().__init__()
        self.spec = spec
        self._fixed = fixed  # rows that cannot be removed (the Runaway Helpline)
        self.editing: str = ""  # id of the row in the entry fields, "" when adding
        self._filled: tuple[str, ...] = ()  # the entry fields as filled for editing
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel(spec.young_title if young_person else spec.title)
        title.setObjectName("sectionTitle")
        # Title and "Remove" share a row: removing acts on the selected row of the list below.
        self.title_row = QHBoxLayout()
        self.title_row.addWidget(title, 1)
        layout.addLayout(self.title_row)
        if spec.hint and not young_person:
            hint = QLabel(spec.hint)
            hint.setObjectName("muted")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        self.model = RowsModel(spec.headers, self)
        self.table = table_view(self.model, spec.title, min_rows=1)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table)
        QShortcut(
            QKeySequence.StandardKey.Delete,
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_F2),
            self.table,
            self.edit_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        # The entry row: label over field over message, one column per field.
        self.entry = QWidget()
        grid = QGridLayout(self.entry)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.inputs: dict[str, QLineEdit | DateField] = {}
        self.errors: dict[str, QLabel] = {}
        for col, f in enumerate(spec.fields):
            widget: QLineEdit | DateField
            name = f"{spec.noun.capitalize()}: {f.label.lower()}"
            if f.kind == "date":
                widget = date_edit(name=name)
                widget.edit.returnPressed.connect(self.submit)
                widget.edit.textChanged.connect(lambda _t: self.edited.emit())
            else:
                widget = QLineEdit()
                widget.returnPressed.connect(self.submit)
                widget.textChanged.connect(lambda _t: self.edited.emit())
            widget.setAccessibleName(name)
            caption = QLabel(f.label)
            caption.setObjectName("muted")
            caption.setBuddy(widget)
            err = error_label()
            grid.addWidget(caption, 0, col)
            grid.addWidget(widget, 1, col)
            grid.addWidget(err, 2, col)
            grid.setColumnStretch(col, f.stretch)
            self.inputs[f.key] = widget
            self.errors[f.key] = err
        self.general = error_label()
        self.save_button = QPushButton(f"Add {spec.noun}")
        self.save_button.setAccessibleName(f"Add {spec.noun}")
        self.save_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName(f"Cancel editing the {spec.noun}")
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.cancel_button.hide()
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected {spec.noun}")
        self.remove_button.clicked.connect(self.remove_selected)
        grid.addWidget(self.save_button, 1, len(spec.fields))
        grid.addWidget(self.cancel_button, 1, len(spec.fields) + 1)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self.entry,
            self.cancel_edit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        layout.addWidget(self.entry)
        self.title_row.addWidget(self.remove_button)
        layout.addWidget(self.general)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._locked = False
        self._update_buttons()

    # --- showing ---------------------------------------------------------------------------
    def set_items(self, items: Sequence[Any]) -> None:
        self.model.set_rows([Row(i.id, self.spec.cells(i), i) for i in items])
        if self.editing and self.editing not in {r.id for r in self.model.rows()}:
            self.cancel_edit()
        self._update_buttons()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self.entry.setVisible(not locked)
        self._update_buttons()

    def _update_buttons(self, *_args: Any) -> None:
        row = selected_row(self.table)
        removable = row is not None and not self._fixed(row.value) and not self._locked
        self.remove_button.setEnabled(removable)
        self.remove_button.setVisible(not self._locked)
        if row is not None and self._fixed(row.value):
            self.remove_button.setToolTip("The Runaway Helpline stays on every plan.")
        else:
            self.remove_button.setToolTip("")

    # --- entry -----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.inputs.items():
            out[key] = date_of(w) if isinstance(w, DateField) else w.text()
        return out

    def fill(self, values: dict[str, Any]) -> None:
        for key, w in self.inputs.items():
            v = values.get(key)
            if isinstance(w, DateField):
                set_date(w, v if isinstance(v, date) else None)
            else:
                w.setText(v or "")
        self._filled = self._typed()

    def _typed(self) -> tuple[str, ...]:
        return tuple(
            w.edit.text() if isinstance(w, DateField) else w.text() for w in self.inputs.values()
        )

    def unsaved(self) -> str | None:
        """A row typed but not added, or a row being changed and not saved."""
        if self._locked:
            return None
        if self.editing:
            return f"changes to a {self.spec.noun}" if self._typed() != self._filled else None
        if any(t.strip() for t in self._typed()):
            return f"a {self.spec.noun} not added yet"
        return None

    def clear_entry(self) -> None:
        self.fill({})
        self.clear_errors()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_error(label, None)
        show_error(self.general, None)

    def submit(self) -> None:
        if self._locked:
            return
        self.clear_errors()
        for key, w in self.inputs.items():
            if isinstance(w, DateField) and w.problem():
                show_error(self.errors[key], w.problem())
                w.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.save_requested.emit(self.spec.kind, self.editing, self.values())

    def saved(self) -> None:
        """The service accepted the entry: empty the row for the next one."""
        self.editing = ""
        self.save_button.setText(f"Add {self.spec.noun}")
        self.cancel_button.hide()
        self.clear_entry()
        first = next(iter(self.inputs.values()))
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edited.emit()

    def show_problems(self, problems: Sequence[tuple[str, str]]) -> None:
        for field, message in problems:
            show_error(self.errors.get(field, self.general), message)
        first = next((f for f, _ in problems if f in self.inputs), None)
        if first:
            self.inputs[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_general(self, message: str) -> None:
        show_error(self.general, message)

    # --- editing and removing ------------------------------------------------------------
    def _activated(self, _index: QModelIndex) -> None:
        self.edit_selected()

    def edit_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self._locked:
            return
        self.editing = row.id
        self.fill(self.spec.values(row.value))
        self.clear_errors()
        self.save_button.setText("Save changes")
        self.cancel_button.show()
        next(iter(self.inputs.values())).setFocus(Qt.FocusReason.OtherFocusReason)
        self.edited.emit()

    def cancel_edit(self) -> None:
        if self.editing:
            self.editing = ""
            self.save_button.setText(f"Add {self.spec.noun}")
            self.cancel_button.hide()
            self.clear_entry()
            self.edited.emit()

    def discard(self) -> None:
        """Drop what is in the entry row (the worker chose to)."""
        self.editing = ""
        self.save_button.setText(f"Add {self.spec.noun}")
        self.cancel_button.hide()
        self.clear_entry()
        self.edited.emit()

    def remove_selected(self) -> None:
        row = selected_row(self.table)
        if row is None or self._locked:
            return
        if self._fixed(row.value):
            self.show_general("The Runaway Helpline stays on every plan.")
            return
        self.remove_requested.emit(self.spec.kind, row.id)
