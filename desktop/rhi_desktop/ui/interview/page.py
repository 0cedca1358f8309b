"""Renders one questionnaire section from its definition: rows, groups and repeats.

The page shows state; the forms engine decides it. `apply(evaluation)` sets what is visible and
which messages show; widgets never evaluate expressions themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rhi_core.forms.evaluate import Evaluation, QuestionState
from rhi_core.forms.labels import visible_hint, visible_label, worker_guidance
from rhi_core.forms.schema import FormDefinition, Group, Item, Question

from ..widgets import Card
from .inputs import QuestionInput, make_input


@dataclass(frozen=True)
class Mode:
    young_person: bool = False
    language: str | None = None  # child-facing language in young-person mode

    @property
    def label_language(self) -> str | None:
        return self.language if self.young_person else None


# In young-person mode a question the worker has already answered shows the question only: the
# worker's words (often about the child, in the third person) are not the child's to read or
# change. The child's own answers stay editable.
WORKER_ANSWERED = "Your worker has already written something here."


def _hidden_in(mode: Mode, item: Item) -> bool:
    return mode.young_person and item.worker_only


class QuestionRow(QWidget):
    """Label, hint, the worker's guidance, the input and its message."""

    def __init__(self, question: Question, form: FormDefinition, mode: Mode) -> None:
        super().__init__()
        self.question = question
        lang = mode.label_language
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        text = visible_label(question, form, lang, mode.young_person)
        self.label = QLabel(text + ("  *" if question.required and not mode.young_person else ""))
        self.label.setWordWrap(True)
        self.label.setObjectName("questionLabel")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)
        hint = visible_hint(question, form, lang)
        if hint:
            h = QLabel(hint)
            h.setObjectName("muted")
            h.setWordWrap(True)
            layout.addWidget(h)
        guidance = worker_guidance(question, form)
        if guidance and not mode.young_person:
            g = QLabel(f"For you: {guidance}")
            g.setObjectName("guidance")
            g.setWordWrap(True)
            layout.addWidget(g)
        self.input: QuestionInput | None = None
        if question.type != "note":
            self.input = make_input(question, form, lang)
            self.input.set_accessible(text)
            self.label.setBuddy(self.input.focus_target())
            layout.addWidget(self.input)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.note.setAccessibleName(f"{text}: who wrote it")
        self.note.hide()
        layout.addWidget(self.note)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

    def set_note(self, text: str | None) -> None:
        """Who wrote the answer (worker mode), or that the worker did (young-person mode)."""
        self.note.setText(text or "")
        self.note.setVisible(bool(text))

    def hold_for_worker(self) -> None:
        """Young-person mode, a question the worker answered: the question, not the answer."""
        if self.input is not None:
            self.input.setEnabled(False)
            self.input.hide()
        self.set_note(WORKER_ANSWERED)

    def show_state(self, state: QuestionState | None, show_required: bool) -> None:
        if state is None:
            return
        # Only touch widgets whose state changes: on a 200-question page, re-applying
        # visibility to every row on every keystroke is most of the cost.
        if self.isHidden() == state.relevant:
            self.setVisible(state.relevant)
        text = state.error or (state.message if not state.valid else None)
        if not text and show_required and state.required_missing:
            text = "This answer is needed before the interview can be completed."
        text = text or ""
        if self.message.text() != text:
            self.message.setText(text)
        if self.message.isHidden() == bool(text):
            self.message.setVisible(bool(text))


FIRST_CARDS = 3
CARDS_PER_TICK = 4
FIRST_PAINT_MS = 60


class RepeatBlock(QWidget):
    """People, places, vehicles: any number of entries, each a small form."""

    changed = Signal(str, object)

    def __init__(self, group: Group, form: FormDefinition, mode: Mode) -> None:
        super().__init__()
        self.group = group
        self.form = form
        self.mode = mode
        self.instances: list[dict[str, Any]] = []
        self.cards: list[tuple[Card, dict[str, QuestionRow]]] = []
        self._generation = 0
        self._last: tuple[Evaluation, bool] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        self.title = QLabel(visible_label(group, form, mode.label_language, mode.young_person))
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.body = QVBoxLayout()
        layout.addLayout(self.body)
        self.add_button = QPushButton(f"Add to {self.title.text().lower()}")
        self.add_button.setAccessibleName(f"Add to {self.title.text()}")
        self.add_button.clicked.connect(self.add_instance)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def hold_for_worker(self) -> None:
        """Young-person mode, entries the worker recorded: say so; nothing to read or edit."""
        self.add_button.hide()
        self.setEnabled(False)
        note = QLabel(WORKER_ANSWERED)
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.layout().addWidget(note)
        self.body.setEnabled(False)

    def _questions(self) -> list[Question]:
        out: list[Question] = []

        def visit(items: tuple[Item, ...]) -> None:
            for item in items:
                if isinstance(item, Group):
                    visit(item.items)
                elif item.type != "calculate":
                    out.append(item)

        visit(self.group.items)
        return out

    def load(self, answers: Mapping[str, Any]) -> None:
        value = answers.get(self.group.name)
        self.instances = [dict(i) for i in value] if isinstance(value, list) else []
        self._rebuild()

    def _rebuild(self) -> None:
        for card, _ in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self._generation += 1
        # The first entries now; the rest a few at a time once the page is on screen, so a
        # child with 50 places recorded does not hold up opening the interview.
        for index in range(min(FIRST_CARDS, len(self.instances))):
            self._add_card(index)
        if len(self.cards) < len(self.instances):
            # After the first paint (a zero timer would run before it), then a few per tick.
            QTimer.singleShot(FIRST_PAINT_MS, self, partial(self._build_more, self._generation))

    def _build_more(self, generation: int) -> None:
        if generation != self._generation:  # rebuilt meanwhile: that build is obsolete
            return
        start = len(self.cards)
        for index in range(start, min(start + CARDS_PER_TICK, len(self.instances))):
            self._add_card(index)
        if self._last is not None:
            self.apply(*self._last)
        if len(self.cards) < len(self.instances):
            QTimer.singleShot(0, self, partial(self._build_more, generation))

    def build_all(self) -> None:
        """Build every entry now (before adding one, or when a test inspects them)."""
        self._generation += 1
        for index in range(len(self.cards), len(self.instances)):
            self._add_card(index)
        if self._last is not None:
            self.apply(*self._last)

    def _add_card(self, index: int) -> None:
        card = Card(f"{self.title.text()} {index + 1}")
        rows: dict[str, QuestionRow] = {}
        for question in self._questions():
            if _hidden_in(self.mode, question):
                continue
            row = QuestionRow(question, self.form, self.mode)
            if row.input is not None:
                row.input.set_accessible(f"{row.input.accessibleName()} ({index + 1})")
                row.input.load(self.instances[index])
                # partial, not a lambda with a default argument: PySide6 mis-counts those.
                row.input.changed.connect(partial(self._inner_changed, index))
            rows[question.name] = row
            card.body.addWidget(row)
        remove = QPushButton("Remove")
        remove.setAccessibleName(f"Remove {self.title.text()} {index + 1}")
        remove.clicked.connect(partial(self._remove_clicked, index))
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(remove)
        card.body.addLayout(line)
        self.body.addWidget(card)
        self.cards.append((card, rows))

    def _inner_changed(self, index: int, name: str, value: Any) -> None:
        if value in (None, "", []):
            self.instances[index].pop(name, None)
        else:
            self.instances[index][name] = value
        self.changed.emit(self.group.name, [dict(i) for i in self.instances])

    def add_instance(self) -> None:
        self.build_all()
        self.instances.append({})
        self._add_card(len(self.instances) - 1)
        rows = self.cards[-1][1]
        first = next((r.input for r in rows.values() if r.input is not None), None)
        if first is not None:
            first.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit(self.group.name, [dict(i) for i in self.instances])

    def _remove_clicked(self, index: int, _checked: bool = False) -> None:
        self.remove_instance(index)

    def remove_instance(self, index: int) -> None:
        del self.instances[index]
        self._rebuild()
        self.changed.emit(self.group.name, [dict(i) for i in self.instances])

    def apply(self, evaluation: Evaluation, show_required: bool) -> None:
        self._last = (evaluation, show_required)
        states = evaluation.repeats.get(self.group.name, [])
        for index, (_card, rows) in enumerate(self.cards):
            if index >= len(states):
                break
            for name, row in rows.items():
                row.show_state(states[index].questions.get(name), show_required)


class SectionPage(QWidget):
    changed = Signal(str, object)

    def __init__(
        self,
        form: FormDefinition,
        section: Group,
        mode: Mode,
        worker_answered: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.worker_answered = worker_answered  # young-person mode: shown as questions only
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.form = form
        self.section = section
        self.mode = mode
        self.rows: dict[str, QuestionRow] = {}
        self.groups: dict[str, QWidget] = {}
        self.repeats: dict[str, RepeatBlock] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(6)
        title = QLabel(visible_label(section, form, mode.label_language, mode.young_person))
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        guidance = worker_guidance(section, form)
        if guidance and not mode.young_person:
            g = QLabel(f"For you: {guidance}")
            g.setObjectName("guidance")
            g.setWordWrap(True)
            layout.addWidget(g)
        self._add_items(section.items, layout)
        layout.addStretch(1)

    def _add_items(self, items: tuple[Item, ...], layout: QVBoxLayout) -> None:
        for item in items:
            if _hidden_in(self.mode, item):
                continue
            if isinstance(item, Group) and item.kind == "repeat":
                block = RepeatBlock(item, self.form, self.mode)
                block.changed.connect(self._relay)
                self.repeats[item.name] = block
                layout.addWidget(block)
                if item.name in self.worker_answered:
                    block.hold_for_worker()
            elif isinstance(item, Group):
                card = Card(
                    visible_label(item, self.form, self.mode.label_language, self.mode.young_person)
                )
                self.groups[item.name] = card
                self._add_items(item.items, card.body)
                layout.addWidget(card)
            elif item.type != "calculate":
                row = QuestionRow(item, self.form, self.mode)
                if row.input is not None:
                    row.input.changed.connect(self._relay)
                    if item.name in self.worker_answered:
                        row.hold_for_worker()
                self.rows[item.name] = row
                layout.addWidget(row)

    def _relay(self, name: str, value: Any) -> None:
        # A Python hop rather than signal-to-signal: PySide6 mishandles forwarded `object` args.
        self.changed.emit(name, value)

    def load(self, answers: Mapping[str, Any]) -> None:
        shown = {k: v for k, v in answers.items() if k not in self.worker_answered}
        for row in self.rows.values():
            if row.input is not None:
                row.input.load(shown)
        for block in self.repeats.values():
            block.load(shown)

    def set_authors(self, notes: Mapping[str, str]) -> None:
        """Worker mode: say which answers the young person wrote ({question: sentence})."""
        for name, row in self.rows.items():
            if name not in self.worker_answered:
                row.set_note(notes.get(name))

    def apply(self, evaluation: Evaluation, show_required: bool = False) -> None:
        for name, widget in self.groups.items():
            widget.setVisible(evaluation.groups.get(name, True))
        for name, row in self.rows.items():
            row.show_state(evaluation.questions.get(name), show_required)
        for name, block in self.repeats.items():
            block.setVisible(evaluation.groups.get(name, True))
            block.apply(evaluation, show_required)

    def first_input(self) -> QWidget | None:
        for row in self.rows.values():
            if row.input is not None and row.isVisibleTo(self):
                return row.input.focus_target()
        return None

    def input_for(self, name: str) -> QuestionInput | None:
        row = self.rows.get(name)
        return row.input if row else None
