"""Page objects: UI tests that read like a worker's day.

``Worker`` is the person at the laptop; ``Interview`` is the open interview screen. Every step
is done as a person does it: by accessible name, with the keyboard or a mouse click, through
the section list, and nothing reaches into a widget's internals to set a value. Tests ask the
store (``Interview.stored``) what really landed.

    worker = Worker(qtbot, window)
    interview = worker.open_child("Tyler Brooks")
    interview.record_offer("09/03/2026 20:00", how="Phone", outcome="Accepted")
    interview.answer("where_went", "Birmingham, to meet him")
    interview.tick_referral("MACE / Complex Adolescent Panel")
    interview.sign()
    interview.complete()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from rhi_core.forms.plan import plan_of
from rhi_desktop.services import answers as answers_service
from rhi_desktop.ui.caseload_model import ROW_ROLE
from rhi_desktop.ui.date_field import DateField
from rhi_desktop.ui.interview.inputs import (
    DateInput,
    LongTextInput,
    MultipleChoiceInput,
    NumberInput,
    SingleChoiceInput,
    TextInput,
)
from rhi_desktop.ui.interview.wizard import InterviewView
from rhi_desktop.ui.main_window import MainWindow
from rhi_desktop.ui.record.complete_dialog import CompleteDialog

W = TypeVar("W", bound=QWidget)
TIMEOUT = 10_000


def named(root: QWidget, cls: type[W], name: str) -> W:
    """The one visible-or-not widget of ``cls`` with this accessible name under ``root``."""
    found = [w for w in root.findChildren(cls) if w.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} {cls.__name__} named {name!r}"
    return found[0]


def reveal(widget: QWidget) -> QWidget:
    """Scroll until the widget is on screen, as a person would before clicking it."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    return widget


class Worker:
    def __init__(self, qtbot: Any, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window

    # --- keyboard and mouse -------------------------------------------------------------------
    def press(self, button: QAbstractButton) -> None:
        """Tab to a button and press Space (two mouse clicks on one spot of a scrolled page
        would read as a double-click)."""
        assert button.isEnabled(), f"{button.accessibleName() or button.text()!r} is disabled"
        reveal(button).setFocus(Qt.FocusReason.TabFocusReason)
        self.qtbot.keyClick(button, Qt.Key.Key_Space)

    def click(self, widget: QWidget) -> None:
        self.qtbot.mouseClick(reveal(widget), Qt.MouseButton.LeftButton)

    def type_into(self, edit: QWidget, text: str, *, replace: bool = True) -> None:
        reveal(edit).setFocus(Qt.FocusReason.TabFocusReason)
        if replace:
            self.qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            self.qtbot.keyClick(edit, Qt.Key.Key_Delete)
        self.qtbot.keyClicks(edit, text)

    def type_date(self, field: DateField, text: str) -> None:
        """Type a date as a person does (DD/MM/YYYY, or just the digits), then Tab on."""
        self.type_into(field.edit, text)
        self.qtbot.keyClick(field.edit, Qt.Key.Key_Tab)

    def choose(self, box: QComboBox, label: str) -> None:
        """Pick from a drop-down with the keyboard: focus it, Home, then arrow down."""
        reveal(box).setFocus(Qt.FocusReason.TabFocusReason)
        target = box.findText(label)
        assert target >= 0, f"{label!r} not in {box.accessibleName()}"
        self.qtbot.keyClick(box, Qt.Key.Key_Home)
        for _ in range(target):
            self.qtbot.keyClick(box, Qt.Key.Key_Down)
        assert box.currentIndex() == target

    def tick(self, box: QAbstractButton) -> None:
        reveal(box).setFocus(Qt.FocusReason.TabFocusReason)
        self.qtbot.keyClick(box, Qt.Key.Key_Space)

    def wait(self, condition: Callable[[], Any], timeout: int = TIMEOUT) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def dialog(self, cls: type[W]) -> W:
        """The dialog of this kind now open (waits for it)."""
        found: list[W] = []

        def shown() -> bool:
            found[:] = [
                w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()
            ]
            return bool(found)

        self.wait(shown)
        return found[-1]

    def answer_box(self, button_name: str) -> None:
        """Press a button of the message box that is open (e.g. "Save it")."""
        box = self.dialog(QMessageBox)
        button = next(
            b for b in box.buttons() if b.accessibleName() == button_name or b.text() == button_name
        )
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    # --- the caseload -------------------------------------------------------------------------
    def select_child(self, name: str) -> None:
        caseload = self.window.caseload
        proxy = caseload.proxy
        for r in range(proxy.rowCount()):
            index = proxy.index(r, 0)
            if index.data(ROW_ROLE).name == name:
                caseload.table.scrollTo(index)
                rect = caseload.table.visualRect(index)
                self.qtbot.mouseClick(
                    caseload.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
                )
                self._wait_for_row(index.data(ROW_ROLE))
                return
        raise AssertionError(f"{name!r} is not on the caseload")

    def _wait_for_row(self, row: object) -> None:
        # The panel shows this row, not a stale one from before the caseload was reloaded.
        self.wait(lambda: self.window.caseload.detail._row is row)

    def open_child(self, name: str) -> Interview:
        """Select the child on the caseload and press Start (or Continue) interview."""
        self.select_child(name)
        button = self.window.caseload.detail.interview
        self.wait(button.isEnabled)
        old = self.window.interview
        self.click(button)
        self.wait(lambda: self.window.interview is not None and self.window.interview is not old)
        view = self.window.interview
        assert view is not None
        if view.ops is not None:
            self.wait(lambda: view.ops.snapshot is not None)
        return Interview(self, view)

    def add_child(
        self, first: str, last: str, case_number: str, dob: str, *, looked_after: bool = False
    ) -> QDialog:
        self.press(named(self.window, QPushButton, "Add a child"))
        dialog = self.dialog(QDialog)
        self.type_into(named(dialog, QLineEdit, "First name"), first)
        self.type_into(named(dialog, QLineEdit, "Last name"), last)
        self.type_into(named(dialog, QLineEdit, "Case number"), case_number)
        self.type_date(_field(dialog, "Date of birth"), dob)
        if looked_after:
            self.tick(named(dialog, QCheckBox, "In care (looked after)"))
        self.press(dialog.save_button)
        return dialog

    def record_episode(self, missing: str, returned: str | None) -> QDialog:
        """On the selected child: record a missing episode (dates typed DD/MM/YYYY HH:MM)."""
        self.press(named(self.window, QPushButton, "Record a missing episode"))
        dialog = self.dialog(QDialog)
        self.type_date(_field(dialog, "Went missing (last seen)"), missing)
        if returned is None:
            self.tick(named(dialog, QCheckBox, "The child has returned or been found"))
        else:
            self.type_date(_field(dialog, "Returned or found"), returned)
        self.press(dialog.save_button)
        return dialog


def _field(root: QWidget, name: str) -> DateField:
    found = [f for f in root.findChildren(DateField) if f.name == name]
    assert len(found) == 1, f"{len(found)} date fields named {name!r}"
    return found[0]


class Interview:
    """The open interview, as the worker sees it."""

    def __init__(self, worker: Worker, view: InterviewView) -> None:
        self.worker = worker
        self.view = view
        self.qtbot = worker.qtbot

    # --- where we are ----------------------------------------------------------------------
    @property
    def step(self) -> str:
        return self.view.title_of(self.view.current_section)

    def go(self, title: str) -> None:
        """Click the step in the section list (the way a person moves around)."""
        model = self.view.sections
        for row in range(model.rowCount()):
            text = model.index(row).data() or ""
            first_line = text.split("\n", 1)[0].removeprefix("✓ ")
            if first_line == title:
                lst = self.view.section_list
                rect = lst.visualRect(model.index(row))
                self.qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
                return
        raise AssertionError(f"no step called {title!r}")

    def at(self, title: str) -> None:
        """Go to a step and wait until it is shown (no unsaved work stands in the way)."""
        self.go(title)
        self.worker.wait(lambda: self.step == title)

    def panel(self, title: str) -> Any:
        self.at(title)
        return self.view.panels[self.view.current_section]

    def settle(self) -> None:
        """Let queued writes land and their results reach the screen."""
        self.view.autosaver.flush_now()
        if self.view.ops is not None:
            for _ in range(3):
                self.view.ops.wait()
                self.qtbot.wait(30)

    # --- offer and sessions -------------------------------------------------------------------
    def record_offer(
        self,
        when: str,
        *,
        how: str,
        outcome: str,
        declined_by: str | None = None,
        why: str | None = None,
        their_words: str = "",
    ) -> None:
        panel = self.panel("Offer and consent")
        before = panel.model.rowCount()
        self.fill_offer(
            when,
            how=how,
            outcome=outcome,
            declined_by=declined_by,
            why=why,
            their_words=their_words,
        )
        self.worker.press(panel.record_button)
        self.worker.wait(
            lambda: (
                panel.model.rowCount() == before + 1
                or panel.form.general.isVisible()
                or any(panel.form.error_text(k) for k in panel.form.errors)
            )
        )

    def fill_offer(
        self,
        when: str,
        *,
        how: str | None = None,
        outcome: str | None = None,
        declined_by: str | None = None,
        why: str | None = None,
        their_words: str = "",
    ) -> None:
        panel = self.view.panels["rhi_offer"]
        w = self.worker
        w.type_date(_field(panel, "Offer date and time"), when)
        if how:
            w.choose(named(panel, QComboBox, "Offer method"), how)
        if outcome:
            w.choose(named(panel, QComboBox, "Offer outcome"), outcome)
        if declined_by:
            w.choose(named(panel, QComboBox, "Who declined"), declined_by)
        if why:
            w.choose(named(panel, QComboBox, "Why it was declined"), why)
        if their_words:
            w.type_into(named(panel, QLineEdit, "Decline: in their words"), their_words)

    def record_session(
        self,
        when: str,
        *,
        minutes: int,
        place: str,
        present: tuple[str, ...] = (),
        alone: bool = True,
        confidentiality: bool = True,
    ) -> None:
        panel = self.panel("Sessions")
        before = panel.model.rowCount()
        w = self.worker
        w.type_date(_field(panel, "Session date and time"), when)
        spin = named(panel, QSpinBox, "Session length in minutes")
        w.type_into(spin.lineEdit(), str(minutes))
        w.type_into(named(panel, QLineEdit, "Where the session took place"), place)
        for who in present:
            w.tick(named(panel, QCheckBox, who))
        w.tick(
            named(panel, QRadioButton, f"Time alone with the worker: {'yes' if alone else 'no'}")
        )
        yes_no = "yes" if confidentiality else "no"
        w.tick(named(panel, QRadioButton, f"Confidentiality explained: {yes_no}"))
        w.press(panel.record_button)
        w.wait(lambda: panel.model.rowCount() == before + 1)

    # --- the questions ------------------------------------------------------------------------
    def _input(self, question: str) -> Any:
        section = plan_of(self.view.form).section_of[question]
        title = self.view.title_of(section)
        if self.step != title:
            self.at(title)
        page = self.view.pages[section]
        inp = page.input_for(question)
        assert inp is not None, f"{question!r} is not a question on {title!r}"
        return inp

    def answer(self, question: str, value: str) -> None:
        """Answer a question as typed or clicked: text is typed; for a choice, ``value`` is the
        label of the option to pick (several, comma-free, with ``tick``)."""
        inp = self._input(question)
        w = self.worker
        if isinstance(inp, SingleChoiceInput):
            w.click(named(inp, QRadioButton, value))
        elif isinstance(inp, MultipleChoiceInput):
            w.tick(named(inp, QCheckBox, value))
        elif isinstance(inp, DateInput):
            w.type_date(inp.edit, value)
        elif isinstance(inp, NumberInput | TextInput | LongTextInput):
            w.type_into(inp.focus_target(), value)
        else:
            raise AssertionError(f"no way to answer a {type(inp).__name__}")

    def tick(self, question: str, *labels: str) -> None:
        for label in labels:
            self.answer(question, label)

    def answer_everything_required(self) -> None:
        """Give some answer to every required question still open (as a quick worker would)."""
        for _ in range(5):
            problems = self.view.evaluation.problems(self.view.form)
            if not problems:
                return
            for p in problems:
                inp = self._input(p.question)
                if isinstance(inp, SingleChoiceInput):
                    self.worker.click(next(iter(inp.buttons.values())))
                else:
                    self.worker.type_into(inp.focus_target(), "Said in the interview")
        assert self.view.evaluation.problems(self.view.form) == []

    def stored(self) -> dict[str, Any]:
        self.view.autosaver.flush_now()
        profile = self.view.ops.store if self.view.ops is not None else None
        assert profile is not None
        with profile.sessions() as s:
            return answers_service.load_answers(
                s, self.view.data.interview_id, self.view.data.revision
            )

    # --- after the questions ------------------------------------------------------------------
    def add_trusted_adult(self, name: str, who: str, phone: str) -> None:
        panel = self.panel("Safety plan")
        adults = panel.lists["trusted_adult"]
        before = adults.model.rowCount()
        w = self.worker
        w.type_into(named(panel, QLineEdit, "Trusted adult: name"), name)
        w.type_into(named(panel, QLineEdit, "Trusted adult: who they are"), who)
        phone_box = named(panel, QLineEdit, "Trusted adult: phone")
        w.type_into(phone_box, phone)
        self.qtbot.keyClick(phone_box, Qt.Key.Key_Return)
        w.wait(lambda: adults.model.rowCount() == before + 1)

    def add_action(self, who: str, what: str, by_when: str) -> None:
        panel = self.panel("Safety plan")
        actions = panel.lists["action"]
        before = actions.model.rowCount()
        w = self.worker
        w.type_into(named(panel, QLineEdit, "Action: who"), who)
        w.type_into(named(panel, QLineEdit, "Action: does what"), what)
        w.type_date(_field(panel, "Action: by when"), by_when)
        w.press(named(panel, QPushButton, "Add action"))
        w.wait(lambda: actions.model.rowCount() == before + 1)

    def tick_referral(self, label: str) -> None:
        panel = self.panel("Outcomes and referrals")
        self.worker.tick(named(panel, QCheckBox, label))

    def write(self, name: str, text: str) -> None:
        """Type into a text box of Outcomes and referrals (e.g. "Analysis")."""
        panel = self.panel("Outcomes and referrals")
        self.worker.type_into(named(panel, QPlainTextEdit, name), text, replace=False)

    def sign(self) -> None:
        panel = self.panel("Signatures")
        block = panel.worker
        draw_signature(self.qtbot, block.pad)
        self.worker.press(block.save_button)
        self.worker.wait(lambda: block.status.text().startswith("✓ Signed by"))

    def complete(self) -> CompleteDialog:
        """Press "Complete interview" and wait for the read-back."""
        review = self.panel("Review and complete")
        self.worker.wait(review.complete_button.isEnabled)
        self.worker.press(review.complete_button)
        return self.worker.dialog(CompleteDialog)

    def confirm(self, dialog: CompleteDialog) -> None:
        self.qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
        self.worker.wait(lambda: self.view.locked)


def draw_signature(qtbot: Any, pad: QWidget) -> None:
    """Two strokes with the mouse, as a hand would make them."""
    w, h = pad.width(), pad.height()
    reveal(pad)
    for y0 in (h // 2, h * 2 // 3):
        QTest.mousePress(
            pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(w // 8, y0)
        )
        for step in range(1, 12):
            x = w // 8 + step * w // 16
            y = y0 + (step % 3 - 1) * h // 10
            QTest.mouseMove(pad, QPoint(x, y), 5)
        QTest.mouseRelease(
            pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(w * 7 // 8, y0)
        )
