"""Renders one questionnaire section from its definition: rows, groups and repeats.

The page shows state; the forms engine decides it. `apply(evaluation)` sets what is visible,
which messages show, which choices a cascading select offers and what labels say when they name
other answers (``${name}``); widgets never evaluate expressions themselves. Repeats may be
nested (people at each place) and counted (as many entries as an answer says).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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

from rhi_core.forms.evaluate import Evaluation, InstanceState, QuestionState
from rhi_core.forms.labels import (
    has_refs,
    interpolate,
    visible_hint,
    visible_label,
    worker_guidance,
)
from rhi_core.forms.schema import META_TYPES, FormDefinition, Group, Item, Question

from ..widgets import Card
from .inputs import InputEnv, QuestionInput, make_input

Lookup = Callable[[str], Any]


@dataclass(frozen=True)
class Mode:
    young_person: bool = False
    language: str | None = None  # child-facing language in young-person mode

    @property
    def label_language(self) -> str | None:
        return self.language if self.young_person else None


def _hidden_in(mode: Mode, item: Item) -> bool:
    return mode.young_person and item.worker_only


def shown_on_page(item: Item) -> bool:
    """Whether a question or group puts anything on screen (calculations, metadata and the
    hidden appearance do not)."""
    if isinstance(item, Group):
        return any(shown_on_page(i) for i in item.items) or item.kind == "repeat"
    return not (
        item.type == "calculate" or item.type in META_TYPES or item.has_appearance("hidden")
    )


class QuestionRow(QWidget):
    """Label, hint, the worker's guidance, the input and its message."""

    def __init__(
        self, question: Question, form: FormDefinition, mode: Mode, env: InputEnv | None = None
    ) -> None:
        super().__init__()
        self.question = question
        lang = mode.label_language
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        text = visible_label(question, form, lang, mode.young_person)
        self._star = "  *" if question.required and not mode.young_person else ""
        # Labels and hints naming answers (${name}) are filled in on every evaluation.
        self._label_template = text if has_refs(text) else None
        self.label = QLabel(text + self._star)
        self.label.setWordWrap(True)
        self.label.setObjectName("questionLabel")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label)
        hint = visible_hint(question, form, lang)
        self._hint_template = hint if has_refs(hint) else None
        self.hint: QLabel | None = None
        if hint:
            h = QLabel(hint)
            h.setObjectName("muted")
            h.setWordWrap(True)
            h.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(h)
            self.hint = h
        guidance = worker_guidance(question, form)
        if guidance and not mode.young_person:
            g = QLabel(f"For you: {guidance}")
            g.setObjectName("guidance")
            g.setWordWrap(True)
            layout.addWidget(g)
        self.input: QuestionInput | None = None
        self._allowed: tuple[str, ...] | None = None
        self.accessible_suffix = ""  # " (2)" for the second entry of a repeat
        if question.type != "note":
            self.input = make_input(question, form, lang, env)
            self.input.set_accessible(text)
            self.label.setBuddy(self.input.focus_target())
            layout.addWidget(self.input)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

    def show_state(
        self, state: QuestionState | None, show_required: bool, lookup: Lookup | None = None
    ) -> None:
        if state is None:
            return
        # Only touch widgets whose state changes: on a 200-question page, re-applying
        # visibility to every row on every keystroke is most of the cost.
        if self.isHidden() == state.relevant:
            self.setVisible(state.relevant)
        if lookup is not None and self._label_template is not None:
            shown = interpolate(self._label_template, lookup) + self._star
            if self.label.text() != shown:
                self.label.setText(shown)
                if self.input is not None:
                    self.input.set_accessible(
                        shown.removesuffix(self._star) + self.accessible_suffix
                    )
        if lookup is not None and self._hint_template is not None and self.hint is not None:
            hint = interpolate(self._hint_template, lookup)
            if self.hint.text() != hint:
                self.hint.setText(hint)
        if state.choices != self._allowed and self.input is not None:
            self._allowed = state.choices
            setter = getattr(self.input, "set_allowed", None)
            if setter is not None:
                setter(state.choices)
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
    """People, places, vehicles: any number of entries, each a small form. A counted repeat
    (repeat_count) has as many entries as its count says, without Add or Remove; a repeat
    inside an entry (people at each place) is a block of its own inside the entry's card."""

    changed = Signal(str, object)

    def __init__(
        self,
        group: Group,
        form: FormDefinition,
        mode: Mode,
        env: InputEnv | None = None,
        depth: int = 0,
    ) -> None:
        super().__init__()
        self.group = group
        self.form = form
        self.mode = mode
        self.env = env
        self.depth = depth
        self.counted = group.repeat_count is not None
        self.instances: list[dict[str, Any]] = []
        self.cards: list[tuple[Card, dict[str, QuestionRow]]] = []
        self.inner: list[dict[str, RepeatBlock]] = []  # per entry: nested repeat blocks
        self._generation = 0
        self._last: tuple[Sequence[InstanceState], bool] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        self._title = visible_label(group, form, mode.label_language, mode.young_person)
        self.title = QLabel(self._title)
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.body = QVBoxLayout()
        layout.addLayout(self.body)
        self.add_button = QPushButton(f"Add to {self._plain_title().lower()}")
        self.add_button.setAccessibleName(f"Add to {self._plain_title()}")
        self.add_button.clicked.connect(self.add_instance)
        self.add_button.setVisible(not self.counted)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _plain_title(self) -> str:
        return interpolate(self._title, lambda _n: "").strip() or self.group.name

    def _members(self) -> list[Question | Group]:
        """What an entry shows: its questions (groups flattened) and its nested repeats."""
        out: list[Question | Group] = []

        def visit(items: tuple[Item, ...]) -> None:
            for item in items:
                if isinstance(item, Group) and item.kind == "repeat":
                    out.append(item)
                elif isinstance(item, Group):
                    visit(item.items)
                elif shown_on_page(item):
                    out.append(item)

        visit(self.group.items)
        return out

    def load(self, answers: Mapping[str, Any]) -> None:
        value = answers.get(self.group.name)
        self.instances = (
            [dict(i) for i in value if isinstance(i, Mapping)] if isinstance(value, list) else []
        )
        self._rebuild()

    def _rebuild(self) -> None:
        for card, _ in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.inner = []
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
            self.apply_states(*self._last)
        if len(self.cards) < len(self.instances):
            QTimer.singleShot(0, self, partial(self._build_more, generation))

    def build_all(self) -> None:
        """Build every entry now (before adding one, or when a test inspects them)."""
        self._generation += 1
        for index in range(len(self.cards), len(self.instances)):
            self._add_card(index)
        if self._last is not None:
            self.apply_states(*self._last)

    def _entry(self, index: int) -> dict[str, Any]:
        while len(self.instances) <= index:
            self.instances.append({})
        return self.instances[index]

    def _add_card(self, index: int) -> None:
        card = Card(f"{self._plain_title()} {index + 1}")
        rows: dict[str, QuestionRow] = {}
        inner: dict[str, RepeatBlock] = {}
        entry = self.instances[index] if index < len(self.instances) else {}
        for member in self._members():
            if _hidden_in(self.mode, member):
                continue
            if isinstance(member, Group):
                block = RepeatBlock(member, self.form, self.mode, self.env, self.depth + 1)
                block.load(entry)
                block.changed.connect(partial(self._inner_repeat_changed, index))
                inner[member.name] = block
                card.body.addWidget(block)
                continue
            row = QuestionRow(member, self.form, self.mode, self.env)
            if row.input is not None:
                row.accessible_suffix = f" ({index + 1})"
                row.input.set_accessible(f"{row.input.accessibleName()}{row.accessible_suffix}")
                row.input.load(entry)
                # partial, not a lambda with a default argument: PySide6 mis-counts those.
                row.input.changed.connect(partial(self._inner_changed, index))
            rows[member.name] = row
            card.body.addWidget(row)
        if not self.counted:
            remove = QPushButton("Remove")
            remove.setAccessibleName(f"Remove {self._plain_title()} {index + 1}")
            remove.clicked.connect(partial(self._remove_clicked, index))
            line = QHBoxLayout()
            line.addStretch(1)
            line.addWidget(remove)
            card.body.addLayout(line)
        self.body.addWidget(card)
        self.cards.append((card, rows))
        self.inner.append(inner)

    def _emit(self) -> None:
        self.changed.emit(self.group.name, [dict(i) for i in self.instances])

    def _inner_changed(self, index: int, name: str, value: Any) -> None:
        entry = self._entry(index)
        if value in (None, "", []):
            entry.pop(name, None)
        else:
            entry[name] = value
        self._emit()

    def _inner_repeat_changed(self, index: int, name: str, value: Any) -> None:
        self._inner_changed(index, name, value)

    def add_instance(self) -> None:
        self.build_all()
        entry: dict[str, Any] = {}
        for member in self._members():
            if isinstance(member, Question) and member.default not in (None, "", []):
                entry[member.name] = member.default  # the form's default for a new entry
        self.instances.append(entry)
        self._add_card(len(self.instances) - 1)
        rows = self.cards[-1][1]
        first = next((r.input for r in rows.values() if r.input is not None), None)
        if first is not None:
            first.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit()

    def _remove_clicked(self, index: int, _checked: bool = False) -> None:
        self.remove_instance(index)

    def remove_instance(self, index: int) -> None:
        del self.instances[index]
        self._rebuild()
        self._emit()

    def put(self, path: tuple[tuple[str, int], ...], name: str, value: Any) -> None:
        """Keep a value the form computed (once()) in the entry at ``path``."""
        (_, index), *rest = path
        entry = self._entry(index)
        if not rest:
            entry[name] = value
            return
        inner = self.inner[index].get(rest[0][0]) if index < len(self.inner) else None
        if inner is not None:
            inner.put(tuple(rest), name, value)
            entry[rest[0][0]] = [dict(i) for i in inner.instances]

    def apply(self, evaluation: Evaluation, show_required: bool) -> None:
        self.apply_states(evaluation.repeats.get(self.group.name, []), show_required)

    def apply_states(self, states: Sequence[InstanceState], show_required: bool) -> None:
        self._last = (states, show_required)
        if self.counted and len(self.cards) < len(states):
            # A counted repeat grows with its count; entries beyond it are hidden, not lost.
            for index in range(len(self.cards), len(states)):
                self._add_card(index)
        for index, (card, rows) in enumerate(self.cards):
            if index >= len(states):
                if self.counted and not card.isHidden():
                    card.hide()
                continue
            if card.isHidden():
                card.show()
            state = states[index]
            for name, row in rows.items():
                row.show_state(state.questions.get(name), show_required, state.lookup)
            for name, block in self.inner[index].items():
                block.setVisible(state.groups.get(name, True))
                block.apply_states(state.repeats.get(name, []), show_required)
            if has_refs(self._title):
                card.set_title(f"{interpolate(self._title, state.lookup).strip()} {index + 1}")


class SectionPage(QWidget):
    changed = Signal(str, object)

    def __init__(
        self, form: FormDefinition, section: Group, mode: Mode, env: InputEnv | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.form = form
        self.section = section
        self.mode = mode
        self.env = env
        self.rows: dict[str, QuestionRow] = {}
        self.groups: dict[str, QWidget] = {}
        self.repeats: dict[str, RepeatBlock] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(6)
        text = visible_label(section, form, mode.label_language, mode.young_person)
        self._title_template = text if has_refs(text) else None
        title = QLabel(text)
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.title = title
        self.group_titles: dict[str, tuple[Card, str]] = {}
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
                block = RepeatBlock(item, self.form, self.mode, self.env)
                block.changed.connect(self._relay)
                self.repeats[item.name] = block
                layout.addWidget(block)
            elif isinstance(item, Group):
                if not shown_on_page(item):
                    continue
                text = visible_label(
                    item, self.form, self.mode.label_language, self.mode.young_person
                )
                card = Card(text)
                self.groups[item.name] = card
                if has_refs(text):
                    self.group_titles[item.name] = (card, text)
                self._add_items(item.items, card.body)
                layout.addWidget(card)
            elif shown_on_page(item):
                row = QuestionRow(item, self.form, self.mode, self.env)
                if row.input is not None:
                    row.input.changed.connect(self._relay)
                self.rows[item.name] = row
                layout.addWidget(row)

    def _relay(self, name: str, value: Any) -> None:
        # A Python hop rather than signal-to-signal: PySide6 mishandles forwarded `object` args.
        self.changed.emit(name, value)

    def load(self, answers: Mapping[str, Any]) -> None:
        for row in self.rows.values():
            if row.input is not None:
                row.input.load(answers)
        for block in self.repeats.values():
            block.load(answers)

    def apply(self, evaluation: Evaluation, show_required: bool = False) -> None:
        lookup = evaluation.root.lookup if evaluation.root is not None else None
        for name, widget in self.groups.items():
            widget.setVisible(evaluation.groups.get(name, True))
        for name, row in self.rows.items():
            row.show_state(evaluation.questions.get(name), show_required, lookup)
        for name, block in self.repeats.items():
            block.setVisible(evaluation.groups.get(name, True))
            block.apply(evaluation, show_required)
        if lookup is not None:
            if self._title_template is not None:
                self.title.setText(interpolate(self._title_template, lookup))
            for card, text in self.group_titles.values():
                card.set_title(interpolate(text, lookup))

    def first_input(self) -> QWidget | None:
        for row in self.rows.values():
            if row.input is not None and row.isVisibleTo(self):
                return row.input.focus_target()
        return None

    def input_for(self, name: str) -> QuestionInput | None:
        row = self.rows.get(name)
        return row.input if row else None
