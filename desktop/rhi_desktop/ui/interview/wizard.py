"""The interview screen: sections with progress, the questions, autosave, young-person mode.

Around the questionnaire sit the RHI-level steps (offer and consent, sessions before the
questions; safety plan, outcomes, signatures and review after them), all in one section list.
A completed revision opens locked: every input is disabled and a banner says so.
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
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rhi_core.domain.episodes import age_on
from rhi_core.forms.evaluate import Evaluation, evaluate, set_value
from rhi_core.forms.labels import text_in, visible_label
from rhi_core.forms.risk import RiskFlag, compute_risk_flags
from rhi_desktop.services import completion
from rhi_desktop.services.completion import AMENDABLE_STATES, IncompleteInterview
from rhi_desktop.services.interview_flow import WizardData

from ..record import steps
from ..record.amend_dialog import AmendDialog
from ..record.ops import RecordOps, RecordStore
from ..record.panel import RecordPanel
from ..record.review_panel import ReviewPanel
from ..unlock_dialogs import UnlockDialog
from .autosave import Autosaver, SaveFn
from .inputs import AttachFn, InputEnv
from .page import Mode, SectionPage, shown_on_page
from .sections_model import SectionListModel

Clock = Callable[[], datetime]
VerifyPassphrase = Callable[[str], Any]
ExportFn = Callable[[str], Any]
# Form problems are re-read for the review list this long after the last answer changed.
REVIEW_REFRESH_MS = 800


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InterviewView(QWidget):
    closed = Signal()
    mode_changed = Signal(bool)  # young-person mode on/off
    section_changed = Signal(str)
    completed = Signal(str)  # interview id: the revision is now locked
    reload_requested = Signal(str)  # interview id: a new revision must be opened

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
        self._clock = clock
        self._verify = verify_passphrase
        self._on_export = on_export
        self.mode = Mode()
        self.locked = data.state in AMENDABLE_STATES
        self.pages: dict[str, SectionPage] = {}
        self.panels: dict[str, RecordPanel] = {}
        # Without a store (tests of the questionnaire alone) the RHI steps are not shown.
        self.ops: RecordOps | None = None
        if store is not None:
            self.ops = RecordOps(store, data.interview_id, self._form_problems, self)
            self.ops.snapshot_loaded.connect(self._on_snapshot)
            self.ops.load_failed.connect(self._on_load_failed)
        self._review_timer = QTimer(self)
        self._review_timer.setSingleShot(True)
        self._review_timer.timeout.connect(self._refresh_record)
        self.evaluation: Evaluation | None = None
        self.flags: list[RiskFlag] = []
        self.autosaver = Autosaver(save, self)
        self.autosaver.state_changed.connect(self._on_save_state)

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
        self.subtitle = QLabel(self._subtitle)
        self.subtitle.setObjectName("muted")
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        bar.addLayout(titles)
        bar.addStretch(1)
        self.save_state = QLabel("All changes saved")
        self.save_state.setObjectName("saveState")
        self.save_state.setProperty("state", "saved")
        self.save_state.setAccessibleName("Save status")
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
        self.section_list.setFixedWidth(em * 17)
        self.section_list.clicked.connect(self._on_section_clicked)
        self.section_list.activated.connect(self._on_section_clicked)

        self.banner = QFrame()
        self.banner.setObjectName("riskBanner")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextFormat(Qt.TextFormat.RichText)
        self.banner_text.setAccessibleName("Risk flags")
        b = QVBoxLayout(self.banner)
        b.setContentsMargins(14, 10, 14, 10)
        b.addWidget(self.banner_text)
        self.banner.hide()
        self.yp_banner = QFrame()
        self.yp_banner.setObjectName("ypBanner")
        yb = QVBoxLayout(self.yp_banner)
        yb.setContentsMargins(14, 8, 14, 8)
        yb.addWidget(QLabel("This is your space: answer what you want to, skip what you don't."))
        self.yp_banner.hide()
        self.lock_banner = QFrame()
        self.lock_banner.setObjectName("lockBanner")
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
        centre.addWidget(self.banner)
        centre.addWidget(self.yp_banner)
        centre.addWidget(self.stack, 1)
        centre.addLayout(nav)
        body = QHBoxLayout()
        body.setContentsMargins(16, 12, 16, 12)
        body.setSpacing(14)
        body.addWidget(self.section_list)
        body.addLayout(centre, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(body, 1)

        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self.go_relative(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self.go_relative(-1))

        self._refresh_sections()
        self._evaluate()
        if self.locked:
            self._show_locked()
        # A new interview opens on the first question (the worker is usually with the child);
        # the offer and sessions steps are one click above.
        start = data.current_section if data.current_section in self.steps() else None
        if self.locked and self.ops is not None:
            start = steps.REVIEW
        self.go_to(start or self.visible_sections()[0])
        if self.ops is not None:
            self.ops.reload()

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

    def _refresh_sections(self) -> None:
        lang, yp = self.mode.label_language, self.mode.young_person
        titles = {s.name: visible_label(s, self.form, lang, yp) for s in self.form.sections}
        self.sections.set_sections(
            [(n, steps.title(n, yp) if n in steps.TITLES else titles[n]) for n in self.steps()]
        )
        self._fill_section_titles()
        if self.ops is not None and self.ops.snapshot is not None:
            self.sections.set_notes(steps.notes(self.ops.snapshot))
        elif self.ops is not None:
            self.sections.set_notes({n: ("…", False) for n in steps.ALL})

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
            page = SectionPage(self.form, section, self.mode, self.env)
            if self.mode.young_person:
                font = QFont(self.font())
                font.setPointSizeF(font.pointSizeF() * 1.25)
                page.setFont(font)
            if self.mode.young_person and self.form.direction(self.mode.language or "en") == "rtl":
                page.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            page.load(self.answers)
            page.changed.connect(self._on_changed)
            if self.evaluation is not None:
                page.apply(self.evaluation)
            page.setEnabled(not self.locked)  # a completed revision is read-only
            self._wrap(page, name)
            self.pages[name] = page
        return self.pages[name]

    def go_to(self, name: str) -> None:
        widget: QWidget = self.panel(name) if name in steps.TITLES else self.page(name)
        scroll = widget.parentWidget().parentWidget()  # viewport -> scroll area
        self.stack.setCurrentWidget(scroll)
        row = self.sections.row_of(name)
        self.section_list.setCurrentIndex(self.sections.index(row))
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

    def go_relative(self, step: int) -> None:
        names = self.steps()
        i = names.index(self.current_section) + step
        if 0 <= i < len(names):
            self.go_to(names[i])
            target = self.pages[names[i]].first_input() if names[i] in self.pages else None
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(QModelIndex)
    def _on_section_clicked(self, index: QModelIndex) -> None:
        self.go_to(self.sections.name_at(index.row()))

    # --- answers --------------------------------------------------------------------------
    def _on_changed(self, name: str, value: Any) -> None:
        if self.locked:
            return
        if value in (None, "", []):
            self.answers.pop(name, None)
        else:
            self.answers[name] = value
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
        self.subtitle.setText(f"{title} · {self._subtitle}" if title else self._subtitle)
        self._fill_section_titles()
        for page in self.pages.values():
            page.apply(self.evaluation)
        self.sections.set_progress(self.evaluation.sections)
        flags = compute_risk_flags(self.form, self.answers, now=now)
        if [f.code for f in flags] != [f.code for f in self.flags] and not self.locked:
            self.autosaver.set_meta(risk_flags=[f.code for f in flags])
        self.flags = flags
        self._show_flags()
        if self.ops is not None and self.ops.snapshot is not None:
            self._review_timer.start(REVIEW_REFRESH_MS)  # the review list follows the answers

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
            self.ops.reload()

    def _on_snapshot(self, snapshot: Any) -> None:
        if snapshot.locked and not self.locked:
            self.set_locked(True)
        elif self.locked:
            self._show_locked()  # now with the completion time and state from the store
        for panel in self.panels.values():
            panel.apply(snapshot)
        self.sections.set_notes(steps.notes(snapshot))

    def _on_load_failed(self, message: str) -> None:
        self._on_save_state("error", message)

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

    # --- completing, amending, exporting ------------------------------------------------
    @Slot()
    def complete(self) -> None:
        """Complete and lock the revision (the service refuses if anything is missing)."""
        if self.ops is None or self.locked:
            return
        if not self._save_everything():
            self._review_error("Your latest answers are not saved yet, so it cannot complete.")
            return
        problems = self._form_problems()
        iid = self.data.interview_id
        review = self.panels.get(steps.REVIEW)
        if isinstance(review, ReviewPanel):
            review.complete_button.setEnabled(False)
            review.show_error(None)
        self.ops.write(
            lambda s, actor, now: completion.complete(
                s, iid, actor=actor, now=now, form_problems=problems
            ),
            self._completed,
            self._complete_failed,
        )

    def _save_everything(self) -> bool:
        """Every answer on disk before completing. ``flush_now`` can return while a write it
        just triggered is still running (a follow-up batch), so it is asked until idle."""
        return any(self.autosaver.flush_now() and not self.autosaver.dirty for _ in range(10))

    def _completed(self, _result: Any) -> None:
        self.set_locked(True)
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
        if self.ops is not None and self.ops.snapshot is not None:
            done = self.ops.snapshot.record.completed_at
            if done is not None:
                when = f" on {done.astimezone():%d/%m/%Y at %H:%M}"
        state = self.data.state
        if self.ops is not None and self.ops.snapshot is not None:
            state = self.ops.snapshot.record.state or state
        if state == "has_issues":
            # Central reviewed it and sent it back: it stays as reviewed; changes go in a new
            # revision, opened with "Reopen for changes".
            self.lock_text.setText(
                f"<b>Back from review with issues — locked.</b> Revision {self.data.revision} "
                "stays as it was reviewed. Use <i>Reopen for changes</i> in "
                "<i>Review and complete</i> to correct it in a new revision."
            )
        else:
            self.lock_text.setText(
                f"<b>Completed — locked.</b> Revision {self.data.revision} was completed{when} "
                "and is kept exactly as it was. To change it, make an amendment from "
                "<i>Review and complete</i>."
            )
        self.lock_banner.show()
        self._on_save_state("saved", "Completed — locked")

    def _show_flags(self) -> None:
        if not self.flags or self.mode.young_person:
            self.banner.hide()
            return
        parts = []
        for flag in self.flags:
            prompts = "; ".join(text_in(p, self.form, None) for p in flag.prompts)
            label = text_in(flag.label, self.form, None)
            note = " (could not be checked)" if flag.error else ""
            parts.append(f"<b>{label}</b>{note}" + (f" — {prompts}" if prompts else ""))
        self.banner_text.setText("Risk flags: " + "<br>".join(parts))
        self.banner.show()

    def _on_save_state(self, state: str, message: str) -> None:
        self.save_state.setText(message)
        self.save_state.setProperty("state", state)
        self.save_state.style().unpolish(self.save_state)
        self.save_state.style().polish(self.save_state)

    # --- young-person mode ----------------------------------------------------------------
    def _on_yp_clicked(self, checked: bool) -> None:
        if checked:
            self.set_young_person_mode(True)
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
        self.mode = Mode(young_person=on, language=self.language.currentData() if on else None)
        self.yp_button.setChecked(on)
        self.yp_button.setText("Back to worker mode" if on else "Young person mode")
        self.language.setVisible(on)
        self.yp_banner.setVisible(on)
        self.back.setEnabled(not on)
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

    # --- closing --------------------------------------------------------------------------
    def close_view(self) -> None:
        if self.mode.young_person:
            return
        self.autosaver.flush_now()
        if self.ops is not None:
            self.ops.wait()  # a record write in flight lands before the caseload reloads
        self.closed.emit()
