"""The interview screen: sections with progress, the questions, autosave, young-person mode.

Around the questionnaire sit the RHI-level steps (offer and consent, sessions before the
questions; safety plan, outcomes, signatures and review after them), all in one section list.
A new interview opens on Offer and consent; a draft reopens where the worker left it. A
completed revision opens locked: every input is disabled and a banner says so.

One save model (see ``record.panel``): answers and the record's fields are saved as they are
typed; an entry half typed (an offer, a session, a plan row, a signature) is never dropped
silently: leaving its screen asks first, and the header says "All changes saved" only when it
is true.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.deadlines import format_remaining
from rhi_core.domain.episodes import age_on
from rhi_core.forms.evaluate import Evaluation, evaluate, set_value
from rhi_core.forms.labels import text_in, visible_label
from rhi_core.forms.risk import RiskFlag, compute_risk_flags
from rhi_desktop.services import completion
from rhi_desktop.services.answers import WORKER, YOUNG_PERSON
from rhi_desktop.services.completion import AMENDABLE_STATES, IncompleteInterview
from rhi_desktop.services.interview_flow import WizardData

from ..record import steps
from ..record.amend_dialog import AmendDialog
from ..record.complete_dialog import CompleteDialog
from ..record.ops import RecordOps, RecordStore
from ..record.panel import RecordPanel
from ..record.review_panel import ReviewPanel
from ..unlock_dialogs import UnlockDialog
from ..widgets import ElidedLabel
from .autosave import Autosaver, SaveFn
from .inputs import AttachFn, InputEnv
from .page import Mode, SectionPage, shown_on_page
from .sections_model import SectionListModel

Clock = Callable[[], datetime]
VerifyPassphrase = Callable[[str], Any]
ExportFn = Callable[[str], Any]
# The review list and step notes are read again from the store this long after answers land.
REVIEW_REFRESH_MS = 600
FIRST_READ_MS = 60  # after the first paint (a zero timer would run before it)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FlagStrip(QFrame):
    """One line, always there: the risk flags so far. It never grows, so nothing on the page
    moves under the pointer when a flag is raised; the details are on Outcomes and referrals."""

    details_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("flagStrip")
        self.setProperty("raised", False)
        self.text = QLabel()
        self.text.setAccessibleName("Risk flags")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details = QPushButton("What to do")
        self.details.setObjectName("link")
        self.details.setAccessibleName("What the risk flags ask of you")
        self.details.clicked.connect(self.details_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.details)
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(line + 2 * 4 + 14)
        self.full = ""
        self.show_flags([], None)

    def show_flags(self, flags: list[RiskFlag], form: Any) -> None:
        names = []
        for f in flags:
            label = text_in(f.label, form, None) if form is not None else f.code
            names.append(label + (" (could not be checked)" if f.error else ""))
        if names:
            self.full = f"Risk flags ({len(names)}): " + "; ".join(names)
        else:
            self.full = "No risk flags raised so far."
        self.setToolTip(self.full if names else "")
        self.details.setVisible(bool(names))
        self.setProperty("raised", bool(names))
        self.style().unpolish(self)
        self.style().polish(self)
        self._elide()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.text.width())
        self.text.setText(
            self.text.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight, width)
        )


class InterviewView(QWidget):
    closed = Signal()
    mode_changed = Signal(bool)  # young-person mode on/off
    section_changed = Signal(str)
    completed = Signal(str)  # interview id: the revision is now locked
    reload_requested = Signal(str)  # interview id: a new revision must be opened
    status_message = Signal(str)  # one sentence for the window's status bar

    def __init__(
        self,
        data: WizardData,
        save: SaveFn,
        verify_passphrase: VerifyPassphrase,
        clock: Clock = _utcnow,
        parent: QWidget | None = None,
        *,
        store: RecordStore | None = None,
        on_export: ExportFn | None = None,
        attach: AttachFn | None = None,
    ) -> None:
        super().__init__(parent)
        self.data = data
        self.form = data.form
        self._attached: dict[str, str] = dict(data.attachments)

        def attach_and_remember(question: str, path: str, picture: bool) -> tuple[str, str]:
            assert attach is not None
            ref, text = attach(question, path, picture)
            self._attached[ref] = text  # a plain dict write; read on the GUI thread after
            return ref, text

        self.env = InputEnv(
            attach=attach_and_remember if attach is not None else None,
            describe=lambda ref: self._attached.get(ref, "A file is attached."),
        )
        self.answers: dict[str, Any] = dict(data.answers)
        # Who wrote each answer last: the young-person screen shows the child only their own.
        self.authors: dict[str, str] = {k: a.author for k, a in data.authors.items()}
        self._clock = clock
        self._verify = verify_passphrase
        self._on_export = on_export
        self.mode = Mode()
        self.locked = data.state in AMENDABLE_STATES
        self.pages: dict[str, SectionPage] = {}
        self.panels: dict[str, RecordPanel] = {}
        self._ask: QMessageBox | None = None
        self._complete_dialog: CompleteDialog | None = None
        # Without a store (tests of the questionnaire alone) the RHI steps are not shown.
        self.ops: RecordOps | None = None
        if store is not None:
            self.ops = RecordOps(store, data.interview_id, self)
            self.ops.snapshot_loaded.connect(self._on_snapshot)
            self.ops.load_failed.connect(self._on_load_failed)
        self._finish = store.finish if store is not None else None
        self.evaluation: Evaluation | None = None
        self.flags: list[RiskFlag] = []
        self._answer_state: tuple[str, str] = ("saved", "All changes saved")
        self._record_error: str | None = None
        self.autosaver = Autosaver(save, self)
        self.autosaver.state_changed.connect(self._on_autosave_state)
        # The review list follows the answers once they are on disk (not before: it is read
        # from the store, which is what completion will check).
        self.autosaver.saved.connect(self._answers_saved)
        self._review_timer = QTimer(self)
        self._review_timer.setSingleShot(True)
        self._review_timer.setInterval(REVIEW_REFRESH_MS)
        self._review_timer.timeout.connect(self._refresh_record)
        self._read_key: tuple[object, ...] = ()

        # --- header -----------------------------------------------------------------------
        header = QFrame()
        header.setObjectName("header")
        bar = QHBoxLayout(header)
        bar.setContentsMargins(16, 8, 16, 8)
        self.back = QPushButton("← Caseload")
        self.back.setAccessibleName("Back to the caseload")
        self.back.clicked.connect(self.close_view)
        bar.addWidget(self.back)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        age = age_on(data.child_dob, clock().date())
        self.title = QLabel(f"{data.child_name}, {age}")
        self.title.setObjectName("title")
        self._subtitle = (
            f"{data.child_local_id} · {text_in(self.form.title, self.form, None)} "
            f"{self.form.version} · revision {data.revision}"
        )
        # Gives up room first on a narrow screen (ends in "…", whole in its tooltip).
        self.subtitle = ElidedLabel(self._subtitle)
        self.subtitle.setObjectName("muted")
        self.deadline = QLabel()
        self.deadline.setObjectName("deadline")
        self.deadline.setAccessibleName("72-hour deadline")
        titles.addWidget(self.title)
        facts = QHBoxLayout()
        facts.setSpacing(12)
        facts.addWidget(self.subtitle)
        facts.addWidget(self.deadline)
        facts.addStretch(1)
        titles.addLayout(facts)
        bar.addLayout(titles, 1)
        # A demo profile says DEMO on every screen, the child's screen too (the window's own
        # header, which carries it otherwise, is hidden in young-person mode).
        self.demo_badge = QLabel("DEMO")
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setAccessibleName("Demo profile: synthetic data only")
        self.demo_badge.hide()
        bar.addWidget(self.demo_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        self.save_state = QLabel("All changes saved")
        self.save_state.setObjectName("saveState")
        self.save_state.setProperty("state", "saved")
        self.save_state.setAccessibleName("Save status")
        # One line for "All changes saved"; a longer sentence (what was not saved) may wrap.
        self.save_state.setWordWrap(True)
        self.save_state.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("All changes saved") + 12
        )
        self.save_state.setMaximumWidth(self.fontMetrics().horizontalAdvance("m") * 26)
        bar.addWidget(self.save_state)
        self.language = QComboBox()
        self.language.setAccessibleName("Language for the young person")
        for lang in self.form.languages:
            self.language.addItem(lang.name, lang.code)
        child_lang = self.language.findData(data.child_language)
        self.language.setCurrentIndex(max(0, child_lang))
        self.language.currentIndexChanged.connect(self._on_language)
        self.language.hide()
        bar.addWidget(self.language)
        self.yp_button = QPushButton("Young person mode")
        self.yp_button.setAccessibleName("Young person mode")
        self.yp_button.setCheckable(True)
        self.yp_button.clicked.connect(self._on_yp_clicked)
        bar.addWidget(self.yp_button)

        # --- body -------------------------------------------------------------------------
        self.sections = SectionListModel(self)
        self.section_list = QListView()
        self.section_list.setObjectName("sections")
        self.section_list.setAccessibleName("Sections")
        self.section_list.setModel(self.sections)
        self.section_list.setWordWrap(True)
        em = self.fontMetrics().horizontalAdvance("m")
        self.section_list.setFixedWidth(em * 16)
        self.section_list.clicked.connect(self._on_section_clicked)
        self.section_list.activated.connect(self._on_section_clicked)

        self.flag_strip = FlagStrip()
        self.flag_strip.details_requested.connect(self._show_flag_details)
        self.yp_banner = QFrame()
        self.yp_banner.setObjectName("ypBanner")
        yb = QVBoxLayout(self.yp_banner)
        yb.setContentsMargins(14, 8, 14, 8)
        yp_text = QLabel("This is your space: answer what you want to, skip what you don't.")
        yp_text.setWordWrap(True)
        yb.addWidget(yp_text)
        self.yp_banner.hide()
        self.lock_banner = QFrame()
        self.lock_banner.setObjectName("lockBanner")
        self.lock_banner.setProperty("state", "completed")
        lb = QVBoxLayout(self.lock_banner)
        lb.setContentsMargins(14, 10, 14, 10)
        self.lock_text = QLabel()
        self.lock_text.setWordWrap(True)
        self.lock_text.setTextFormat(Qt.TextFormat.RichText)
        self.lock_text.setAccessibleName("Record locked")
        lb.addWidget(self.lock_text)
        self.lock_banner.hide()

        self.stack = QStackedWidget()
        self.prev_button = QPushButton("← Previous")
        self.prev_button.setAccessibleName("Previous section")
        self.prev_button.clicked.connect(lambda: self.go_relative(-1))
        self.next_button = QPushButton("Next section →")
        self.next_button.setObjectName("primary")
        self.next_button.setAccessibleName("Next section")
        self.next_button.clicked.connect(lambda: self.go_relative(1))
        self.position = QLabel()
        self.position.setObjectName("muted")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addStretch(1)
        nav.addWidget(self.position)
        nav.addStretch(1)
        nav.addWidget(self.next_button)

        centre = QVBoxLayout()
        centre.addWidget(self.lock_banner)
        centre.addWidget(self.flag_strip)
        centre.addWidget(self.yp_banner)
        centre.addWidget(self.stack, 1)
        centre.addLayout(nav)
        body = QHBoxLayout()
        body.setContentsMargins(12, 10, 12, 10)
        body.setSpacing(12)
        body.addWidget(self.section_list)
        body.addLayout(centre, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)

        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self.go_relative(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self.go_relative(-1))

        self._show_deadline()
        self._refresh_sections()
        self._evaluate()
        if self.locked:
            self._show_locked()
        # A new interview opens on Offer and consent (the first step of an RHI); a draft
        # reopens where the worker left it; a completed record on its review.
        start = data.current_section if data.current_section in self.steps() else None
        if self.locked and self.ops is not None:
            start = steps.REVIEW
        self.go_to(start or self.steps()[0])
        # Keyboard focus starts in the section list (arrows move between steps), not on a button.
        self.section_list.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.ops is not None:
            # The record is read once the first screen is painted: reading it evaluates the
            # stored questionnaire, which must not compete with opening a big interview.
            QTimer.singleShot(FIRST_READ_MS, self, self._refresh_record)

    # --- sections -------------------------------------------------------------------------
    def visible_sections(self) -> list[str]:
        # A section of calculations or metadata only (an XLSForm's hidden rows) is no page.
        return [
            s.name
            for s in self.form.sections
            if not (self.mode.young_person and s.worker_only) and shown_on_page(s)
        ]

    def rhi_steps(self, where: tuple[str, ...]) -> list[str]:
        if self.ops is None:
            return []
        yp = self.mode.young_person
        return [n for n in where if not yp or n in steps.YOUNG_PERSON_STEPS]

    def steps(self) -> list[str]:
        """Every step in the section list: RHI steps around the visible question sections."""
        return self.rhi_steps(steps.BEFORE) + self.visible_sections() + self.rhi_steps(steps.AFTER)

    def title_of(self, name: str) -> str:
        if name in steps.TITLES:
            return steps.title(name, self.mode.young_person)
        section = next((s for s in self.form.sections if s.name == name), None)
        return visible_label(section, self.form, None, False) if section else name

    def _refresh_sections(self) -> None:
        lang, yp = self.mode.label_language, self.mode.young_person
        titles = {s.name: visible_label(s, self.form, lang, yp) for s in self.form.sections}
        self.sections.set_sections(
            [(n, steps.title(n, yp) if n in steps.TITLES else titles[n]) for n in self.steps()]
        )
        self._fill_section_titles()
        self._refresh_notes()

    def _refresh_notes(self) -> None:
        if self.ops is None:
            return
        notes = (
            steps.notes(self.ops.snapshot)
            if self.ops.snapshot is not None
            else {n: ("…", False) for n in steps.ALL}
        )
        for name, panel in self.panels.items():
            what = panel.unsaved()
            if what and name in notes:
                notes[name] = ("Not saved yet", False)
        self.sections.set_notes(notes)

    def _show_deadline(self) -> None:
        t = self.data.timeliness
        if t is None or t.clock_starts_at is None or t.due_at is None:
            self.deadline.setText("")
            self.deadline.hide()
            return
        due = f"{t.due_at.astimezone():%a %d %b %H:%M}"
        if t.held_within_72h is True:
            text, state = f"Held within 72 hours (due by {due})", "ok"
        elif t.held_within_72h is False and t.held_at is not None:
            text, state = f"Held after the 72 hours (was due by {due})", "late"
        else:
            remaining = t.due_at - self._clock()
            left = format_remaining(remaining)
            state = "late" if remaining.total_seconds() < 0 else "due"
            text = f"Interview due by {due} · {left}"
        self.deadline.setText(text)
        self.deadline.setProperty("state", state)
        self.deadline.style().unpolish(self.deadline)
        self.deadline.style().polish(self.deadline)
        self.deadline.show()

    @property
    def current_section(self) -> str:
        page = self.stack.currentWidget()
        return page.property("section") if page is not None else ""

    def _wrap(self, widget: QWidget, name: str) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # A comfortable reading width on wide screens; the page grows to it, no further.
        widget.setMaximumWidth(self.fontMetrics().horizontalAdvance("m") * 62)
        scroll.setWidget(widget)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll.setProperty("section", name)
        self.stack.addWidget(scroll)
        return scroll

    def panel(self, name: str) -> RecordPanel:
        """An RHI step's screen, built on first visit and kept in step with the store."""
        assert self.ops is not None
        if name not in self.panels:
            panel = steps.make_panel(
                name, self.ops, self.mode.young_person, self._place_of, self._on_export is not None
            )
            if self.mode.young_person:
                font = QFont(self.font())
                font.setPointSizeF(font.pointSizeF() * 1.25)
                panel.setFont(font)
            if isinstance(panel, ReviewPanel):
                panel.jump_requested.connect(self.jump_to)
                panel.complete_requested.connect(self.complete)
                panel.amend_requested.connect(self.amend)
                panel.export_requested.connect(self.export)
            panel.status_changed.connect(self._update_save_state)
            if self.ops.snapshot is not None:
                panel.apply(self.ops.snapshot)
            panel.set_locked(self.locked)
            self._wrap(panel, name)
            self.panels[name] = panel
        return self.panels[name]

    def page(self, name: str) -> SectionPage:
        """The page of a section, built on first visit (opening stays fast on big forms)."""
        if name not in self.pages:
            section = next(s for s in self.form.sections if s.name == name)
            held = frozenset(
                k for k, who in self.authors.items() if who == WORKER and k in self.answers
            )
            page = SectionPage(
                self.form,
                section,
                self.mode,
                self.env,
                held if self.mode.young_person else frozenset(),
            )
            if self.mode.young_person:
                font = QFont(self.font())
                font.setPointSizeF(font.pointSizeF() * 1.25)
                page.setFont(font)
            if self.mode.young_person and self.form.direction(self.mode.language or "en") == "rtl":
                page.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            page.load(self.answers)
            if not self.mode.young_person:
                page.set_authors(self._author_notes())
            page.changed.connect(self._on_changed)
            if self.evaluation is not None:
                page.apply(self.evaluation)
            page.setEnabled(not self.locked)  # a completed revision is read-only
            self._wrap(page, name)
            self.pages[name] = page
        return self.pages[name]

    def _author_notes(self) -> dict[str, str]:
        notes = {}
        for name, authorship in self.data.authors.items():
            if self.authors.get(name) == YOUNG_PERSON:
                when = authorship.at.astimezone()
                notes[name] = f"Written by the young person, {when:%d/%m/%Y %H:%M}"
        for name, who in self.authors.items():
            if who == YOUNG_PERSON and name not in notes:
                notes[name] = "Written by the young person"
        return notes

    def go_to(self, name: str) -> None:
        """Show a step (no questions asked: see ``request_go_to`` for the worker's clicks)."""
        widget: QWidget = self.panel(name) if name in steps.TITLES else self.page(name)
        scroll = widget.parentWidget().parentWidget()  # viewport -> scroll area
        self.stack.setCurrentWidget(scroll)
        self._select_in_list(name)
        names = self.steps()
        i = names.index(name)
        self.position.setText(f"Step {i + 1} of {len(names)}")
        self.prev_button.setEnabled(i > 0)
        self.next_button.setEnabled(i < len(names) - 1)
        if not self.locked:
            self.autosaver.set_meta(section=name)
        if name == steps.REVIEW:
            self._refresh_record()
        self.section_changed.emit(name)

    def _select_in_list(self, name: str) -> None:
        row = self.sections.row_of(name)
        self.section_list.setCurrentIndex(self.sections.index(row))

    def request_go_to(self, name: str, then: Callable[[], None] | None = None) -> None:
        """The worker asked for another step: leave this one only once nothing typed here
        would be lost (asking if need be)."""
        current = self.current_section

        def go() -> None:
            self.go_to(name)
            if then is not None:
                then()

        if name == current:
            go()
            return
        panel = self.panels.get(current)
        self.when_saved([panel] if panel is not None else [], go)

    def go_relative(self, step: int) -> None:
        names = self.steps()
        i = names.index(self.current_section) + step
        if not 0 <= i < len(names):
            return

        def focus_first() -> None:
            target = self.pages[names[i]].first_input() if names[i] in self.pages else None
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)

        self.request_go_to(names[i], focus_first)

    @Slot(QModelIndex)
    def _on_section_clicked(self, index: QModelIndex) -> None:
        wanted = self.sections.name_at(index.row())
        self._select_in_list(self.current_section)  # until it is really left
        self.request_go_to(wanted)

    # --- the save model -------------------------------------------------------------------
    def unsaved_panels(self, panels: list[RecordPanel] | None = None) -> list[RecordPanel]:
        return [p for p in (self.panels.values() if panels is None else panels) if p.unsaved()]

    def when_saved(self, panels: list[RecordPanel] | None, proceed: Callable[[], None]) -> None:
        """Run ``proceed`` once nothing typed on ``panels`` (None: every screen) would be
        lost. Pending automatic saves are started; a half-typed entry is offered to be saved,
        discarded, or kept on screen (then ``proceed`` does not run)."""
        candidates = list(self.panels.values()) if panels is None else panels
        for p in candidates:
            p.flush()
        waiting = self.unsaved_panels(candidates)
        if not waiting:
            proceed()
            return
        panel = waiting[0]
        name = next(n for n, p in self.panels.items() if p is panel)
        if self.current_section != name:
            self.go_to(name)
        what = panel.unsaved() or "changes that are not saved"
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Not saved yet")
        box.setText(f"You have {what} on {self.title_of(name)}.")
        box.setInformativeText("Save it now, or discard it?")
        save = box.addButton("Save it", QMessageBox.ButtonRole.AcceptRole)
        save.setAccessibleName("Save it")
        discard = box.addButton("Discard it", QMessageBox.ButtonRole.DestructiveRole)
        discard.setAccessibleName("Discard it")
        stay = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        stay.setAccessibleName("Keep editing")
        box.setDefaultButton(save)
        box.setEscapeButton(stay)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            self._ask = None
            if clicked is save:
                panel.save_unsaved(lambda: self.when_saved(panels, proceed))
            elif clicked is discard:
                panel.discard_unsaved()
                self.when_saved(panels, proceed)

        box.finished.connect(answered)
        self._ask = box
        box.open()

    def has_unsaved(self) -> bool:
        return self.autosaver.dirty or bool(self.unsaved_panels())

    def _on_autosave_state(self, state: str, message: str) -> None:
        self._answer_state = (state, message)
        self._update_save_state()

    def _answers_saved(self, _batch: object) -> None:
        # The record is read again (from the store, as completion will read it) only when what
        # it says about the answers can have changed: what is missing, or which flags are up.
        # Reading it evaluates the whole questionnaire; doing that at every pause in typing
        # competed with the typing.
        if self.ops is None or self.ops.snapshot is None:
            return
        key = self._answers_key()
        if key != self._read_key:
            self._review_timer.start()

    def _answers_key(self) -> tuple[object, ...]:
        problems = tuple((p.question, p.kind, p.index) for p in self._form_problems())
        return problems, tuple(f.code for f in self.flags)

    @Slot()
    def _update_save_state(self) -> None:
        """The header's one line about saving: "All changes saved" only when it is true."""
        if self.locked:
            return  # the lock banner has said how things stand (_show_locked)
        state, message = self._answer_state
        panels = list(self.panels.items())
        errors = [(n, p.save_error()) for n, p in panels if p.save_error()]
        waiting = [(n, p.unsaved()) for n, p in panels if p.unsaved()]
        if state == "error":
            pass
        elif errors:
            name, error = errors[0]
            state, message = "error", f"Not saved: {self.title_of(name)} — {error}"
        elif self._record_error:
            state, message = "error", self._record_error
        elif state == "saving" or any(p.saving() for _n, p in panels):
            state, message = "saving", "Saving…"
        elif waiting:
            name, _what = waiting[0]
            state, message = "unsaved", f"Not saved yet: {self.title_of(name)}"
        else:
            state, message = "saved", "All changes saved"
        self._set_save_state(state, message)
        self._refresh_notes()

    def _set_save_state(self, state: str, message: str) -> None:
        self.save_state.setText(message)
        self.save_state.setProperty("state", state)
        self.save_state.style().unpolish(self.save_state)
        self.save_state.style().polish(self.save_state)

    # --- answers --------------------------------------------------------------------------
    def _on_changed(self, name: str, value: Any) -> None:
        if self.locked:
            return
        if value in (None, "", []):
            self.answers.pop(name, None)
        else:
            self.answers[name] = value
        author = YOUNG_PERSON if self.mode.young_person else WORKER
        self.authors[name] = author
        self.autosaver.set_meta(author=author)
        self.autosaver.queue(name, value)
        self._evaluate()

    def _evaluate(self) -> None:
        now = self._clock().astimezone().replace(tzinfo=None)
        self.evaluation = evaluate(
            self.form, self.answers, now=now, language=self.mode.label_language
        )
        if self.evaluation.pending and not self.locked:
            self._keep_computed(self.evaluation)
            self.evaluation = evaluate(
                self.form, self.answers, now=now, language=self.mode.label_language
            )
        title = self.evaluation.title
        self.subtitle.set_full_text(f"{title} · {self._subtitle}" if title else self._subtitle)
        self._fill_section_titles()
        for page in self.pages.values():
            page.apply(self.evaluation)
        self.sections.set_progress(self.evaluation.sections)
        # Flags from the evaluation just made (the labels' language does not change values).
        flags = compute_risk_flags(self.form, self.answers, now=now, evaluation=self.evaluation)
        if [f.code for f in flags] != [f.code for f in self.flags] and not self.locked:
            self.autosaver.set_meta(risk_flags=[f.code for f in flags])
        self.flags = flags
        self._show_flags()

    def _fill_section_titles(self) -> None:
        """Section titles naming answers (``About ${nickname}``) follow the answers."""
        if self.evaluation is None:
            return
        lang, yp = self.mode.label_language, self.mode.young_person
        titles = {}
        for s in self.form.sections:
            text = visible_label(s, self.form, lang, yp)
            if "${" in text:
                titles[s.name] = self.evaluation.fill(text)
        if titles:
            self.sections.set_titles(titles)

    def _keep_computed(self, evaluation: Evaluation) -> None:
        """Values the form computes once (once()) are saved like answers, so they stay."""
        for pending in evaluation.pending:
            key = set_value(self.answers, pending.path, pending.name, pending.value)
            if pending.path:
                for page in self.pages.values():
                    block = page.repeats.get(key)
                    if block is not None:
                        block.put(pending.path, pending.name, pending.value)
            self.autosaver.queue(key, self.answers[key])

    def _form_problems(self) -> list[Any]:
        return self.evaluation.problems(self.form) if self.evaluation is not None else []

    # --- the RHI record -------------------------------------------------------------------
    def _refresh_record(self) -> None:
        if self.ops is not None:
            # What the read will see: answers still on their way to disk are not in the store
            # yet, so then the next save must read again (else the review list could keep
            # problems the worker has already answered, and Complete stay disabled).
            self._read_key = () if self.autosaver.dirty else self._answers_key()
            self.ops.reload()

    def _on_snapshot(self, snapshot: Any) -> None:
        self._record_error = None
        if snapshot.locked and not self.locked:
            self.set_locked(True)
        elif self.locked:
            self._show_locked()  # now with the completion time and state from the store
        for panel in self.panels.values():
            panel.apply(snapshot)
        self._update_save_state()

    def _on_load_failed(self, message: str) -> None:
        self._record_error = message
        self._update_save_state()

    def _place_of(self, problem: Any) -> str:
        """Where a completion problem is fixed, as the section list names it."""
        if problem.kind == "answer" and problem.section:
            section = next((s for s in self.form.sections if s.name == problem.section), None)
            if section is not None:
                return visible_label(section, self.form, None, False)
        step = steps.STEP_OF_KIND.get(problem.kind)
        return steps.TITLES[step] if step else "Interview"

    @Slot(object)
    def jump_to(self, target: dict[str, Any]) -> None:
        """Go to where a review item is fixed, and put the cursor there."""
        if target.get("kind") == "answer":
            section = target.get("section")
            if section not in self.visible_sections():
                return
            self.go_to(section)
            page = self.pages[section]
            if self.evaluation is not None:
                page.apply(self.evaluation, show_required=True)  # say why, at the question
            inp = page.input_for(target.get("question") or "")
            focus = inp.focus_target() if inp is not None else page.first_input()
            if focus is not None:
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
                scroll = page.parentWidget().parentWidget()
                if isinstance(scroll, QScrollArea):
                    scroll.ensureWidgetVisible(focus)
            return
        step = steps.STEP_OF_KIND.get(str(target.get("kind")))
        if step is not None and step in self.steps():
            self.go_to(step)
            self.panels[step].focus_target(target)

    def _show_flag_details(self) -> None:
        if steps.OUTCOMES in self.steps():
            self.request_go_to(steps.OUTCOMES)

    # --- completing, amending, exporting ------------------------------------------------
    @Slot()
    def complete(self) -> None:
        """Save everything, show the read-back, and on the worker's word complete and lock."""
        if self.ops is None or self.locked:
            return
        if not self.autosaver.flush_now():
            self._review_error("Your latest answers are not saved yet, so it cannot complete.")
            return
        self.when_saved(None, self._read_back)

    def _read_back(self) -> None:
        """One screen of what is being locked: flags, referrals, plan, the child's words and
        what is unanswered. Read from the store, after every queued write."""
        assert self.ops is not None
        from rhi_desktop.services.record_summary import summarise

        iid, store = self.data.interview_id, self.ops.store

        def read() -> Any:
            with store.sessions() as s:
                return summarise(s, iid, now=store.clock())

        review = self.panels.get(steps.REVIEW)
        if isinstance(review, ReviewPanel):
            review.show_error(None)
        self.ops.run(read, self._confirm, lambda e: self._review_error(str(e)))

    def _confirm(self, summary: Any) -> None:
        dialog = CompleteDialog(summary, self)
        dialog.accepted.connect(self._finish_now)
        self._complete_dialog = dialog
        dialog.open()

    def _finish_now(self) -> None:
        assert self.ops is not None
        iid = self.data.interview_id
        review = self.panels.get(steps.REVIEW)
        if isinstance(review, ReviewPanel):
            review.complete_button.setEnabled(False)
            review.show_error(None)
        if self._finish is not None:
            finish, now = self._finish, self._clock()
            self.ops.run(lambda: finish(iid, now), self._completed, self._complete_failed)
        else:
            self.ops.write(
                lambda s, actor, now: completion.complete(s, iid, actor=actor, now=now),
                self._completed,
                self._complete_failed,
            )

    def _completed(self, result: Any) -> None:
        self.set_locked(True)
        message = getattr(result, "message", None)
        self.status_message.emit(message or "Interview completed and locked.")
        self.completed.emit(self.data.interview_id)

    def _complete_failed(self, exc: Exception) -> None:
        if isinstance(exc, IncompleteInterview):
            self._review_error("Some things are still missing: see the list.")
        else:
            self._review_error(str(exc) or "The interview could not be completed.")
        self._refresh_record()

    def _review_error(self, message: str) -> None:
        review = self.panels.get(steps.REVIEW)
        if isinstance(review, ReviewPanel):
            review.show_error(message)
            review.complete_button.setEnabled(True)

    @Slot()
    def amend(self) -> AmendDialog | None:
        if self.ops is None:
            return None
        reopen = self.data.state == "has_issues" or (
            self.ops.snapshot is not None and self.ops.snapshot.record.state == "has_issues"
        )
        dialog = AmendDialog(
            self.ops, partial(self.reload_requested.emit, self.data.interview_id), reopen, self
        )
        dialog.open()
        self._amend_dialog = dialog
        return dialog

    @Slot()
    def export(self) -> None:
        if self._on_export is not None:
            self._on_export(self.data.interview_id)

    def set_locked(self, locked: bool) -> None:
        """Read-only from now on: every input disabled, the banner shown, autosave idle."""
        self.locked = locked
        for page in self.pages.values():
            page.setEnabled(not locked)
        for panel in self.panels.values():
            panel.set_locked(locked)
        if locked:
            self._show_locked()

    def _show_locked(self) -> None:
        when = ""
        snapshot = self.ops.snapshot if self.ops is not None else None
        if snapshot is not None:
            done = snapshot.record.completed_at
            if done is not None:
                when = f" on {done.astimezone():%d/%m/%Y at %H:%M}"
        state = self.data.state
        if snapshot is not None:
            state = snapshot.record.state or state
        if state == "has_issues":
            # Central reviewed it and sent it back: it stays as reviewed; changes go in a new
            # revision, opened with "Reopen for changes". A warning, not a success.
            note = self.data.reviewer_note or "The reviewer's comment has not reached this laptop."
            self.lock_text.setText(
                f"<b>Returned by the reviewer: changes needed.</b> {_escape(note)}<br>"
                f"Revision {self.data.revision} stays as it was reviewed. Use <i>Reopen for "
                "changes</i> in <i>Review and complete</i> to correct it in a new revision."
            )
            self.lock_banner.setProperty("state", "returned")
            self._set_save_state("error", "Returned by the reviewer")
        else:
            self.lock_text.setText(
                f"<b>Completed — locked.</b> Revision {self.data.revision} was completed{when} "
                "and is kept exactly as it was. To change it, make an amendment from "
                "<i>Review and complete</i>."
            )
            self.lock_banner.setProperty("state", "completed")
            self._set_save_state("saved", "Completed — locked")
        self.lock_banner.style().unpolish(self.lock_banner)
        self.lock_banner.style().polish(self.lock_banner)
        self.lock_banner.show()

    def _show_flags(self) -> None:
        self.flag_strip.setVisible(not self.mode.young_person)
        self.flag_strip.show_flags(self.flags, self.form)

    # --- young-person mode ----------------------------------------------------------------
    def _on_yp_clicked(self, checked: bool) -> None:
        if checked:
            self.yp_button.setChecked(False)
            self.when_saved(None, lambda: self.set_young_person_mode(True))
            return
        # Leaving young-person mode needs the worker: the child may be holding the laptop.
        self.yp_button.setChecked(True)
        dialog = UnlockDialog(
            "the worker",
            self._verify,
            parent=self,
        )
        dialog.setWindowTitle("Back to worker mode")
        dialog.intro.setText("Enter your passphrase to return to worker mode.")
        dialog.accepted.connect(lambda: self.set_young_person_mode(False))
        dialog.open()
        self._exit_dialog = dialog

    def set_young_person_mode(self, on: bool) -> None:
        if on == self.mode.young_person:
            return
        current = self.current_section
        # What was typed in one mode is saved, with its author, before the other begins.
        self.autosaver.flush_now()
        self.mode = Mode(young_person=on, language=self.language.currentData() if on else None)
        self.yp_button.setChecked(on)
        self.yp_button.setText("Back to worker mode" if on else "Young person mode")
        self.language.setVisible(on)
        self.yp_banner.setVisible(on)
        self.back.setEnabled(not on)
        self.deadline.setVisible(not on and bool(self.deadline.text()))
        self._rebuild_pages(current)
        self.mode_changed.emit(on)

    def _on_language(self, _index: int) -> None:
        if self.mode.young_person:
            self.mode = Mode(young_person=True, language=self.language.currentData())
            self._rebuild_pages(self.current_section)

    def _rebuild_pages(self, current: str) -> None:
        while self.stack.count():
            w = self.stack.widget(0)
            self.stack.removeWidget(w)
            w.deleteLater()
        self.pages.clear()
        self.panels.clear()
        self._refresh_sections()
        self._evaluate()
        names = self.steps()
        fallback = self.visible_sections()[0] if self.visible_sections() else names[0]
        self.go_to(current if current in names else fallback)
        self._update_save_state()

    # --- closing --------------------------------------------------------------------------
    def close_view(self) -> None:
        if self.mode.young_person:
            return
        self.when_saved(None, self._close_now)

    def _close_now(self) -> None:
        self.autosaver.flush_now()
        if self.ops is not None:
            self.ops.wait()  # a record write in flight lands before the caseload reloads
        self.closed.emit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
