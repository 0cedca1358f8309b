"""The interview screen: sections with progress, the questions, autosave, young-person mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
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

from rhi_desktop.domain.episodes import age_on
from rhi_desktop.forms.evaluate import Evaluation, evaluate
from rhi_desktop.forms.labels import text_in, visible_label
from rhi_desktop.forms.risk import RiskFlag, compute_risk_flags
from rhi_desktop.services.interview_flow import WizardData

from ..unlock_dialogs import UnlockDialog
from .autosave import Autosaver, SaveFn
from .page import Mode, SectionPage
from .sections_model import SectionListModel

Clock = Callable[[], datetime]
VerifyPassphrase = Callable[[str], Any]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InterviewView(QWidget):
    closed = Signal()
    mode_changed = Signal(bool)  # young-person mode on/off
    section_changed = Signal(str)

    def __init__(
        self,
        data: WizardData,
        save: SaveFn,
        verify_passphrase: VerifyPassphrase,
        clock: Clock = _utcnow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data = data
        self.form = data.form
        self.answers: dict[str, Any] = dict(data.answers)
        self._clock = clock
        self._verify = verify_passphrase
        self.mode = Mode()
        self.pages: dict[str, SectionPage] = {}
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
        self.subtitle = QLabel(
            f"{data.child_local_id} · {text_in(self.form.title, self.form, None)} "
            f"{self.form.version} · revision {data.revision}"
        )
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
        start = data.current_section if data.current_section in self.visible_sections() else None
        self.go_to(start or self.visible_sections()[0])

    # --- sections -------------------------------------------------------------------------
    def visible_sections(self) -> list[str]:
        return [
            s.name for s in self.form.sections if not (self.mode.young_person and s.worker_only)
        ]

    def _refresh_sections(self) -> None:
        lang = self.mode.label_language
        self.sections.set_sections(
            [
                (s.name, visible_label(s, self.form, lang, self.mode.young_person))
                for s in self.form.sections
                if s.name in self.visible_sections()
            ]
        )

    @property
    def current_section(self) -> str:
        page = self.stack.currentWidget()
        return page.property("section") if page is not None else ""

    def page(self, name: str) -> SectionPage:
        """The page of a section, built on first visit (opening stays fast on big forms)."""
        if name not in self.pages:
            section = next(s for s in self.form.sections if s.name == name)
            page = SectionPage(self.form, section, self.mode)
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
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            # A comfortable reading width on wide screens; the page grows to it, no further.
            page.setMaximumWidth(self.fontMetrics().horizontalAdvance("m") * 62)
            scroll.setWidget(page)
            scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            scroll.setProperty("section", name)
            self.stack.addWidget(scroll)
            self.pages[name] = page
        return self.pages[name]

    def go_to(self, name: str) -> None:
        page = self.page(name)
        scroll = page.parentWidget().parentWidget()  # viewport -> scroll area
        self.stack.setCurrentWidget(scroll)
        row = self.sections.row_of(name)
        self.section_list.setCurrentIndex(self.sections.index(row))
        names = self.visible_sections()
        i = names.index(name)
        self.position.setText(f"Section {i + 1} of {len(names)}")
        self.prev_button.setEnabled(i > 0)
        self.next_button.setEnabled(i < len(names) - 1)
        self.autosaver.set_meta(section=name)
        self.section_changed.emit(name)

    def go_relative(self, step: int) -> None:
        names = self.visible_sections()
        i = names.index(self.current_section) + step
        if 0 <= i < len(names):
            self.go_to(names[i])
            target = self.pages[names[i]].first_input()
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(QModelIndex)
    def _on_section_clicked(self, index: QModelIndex) -> None:
        self.go_to(self.sections.name_at(index.row()))

    # --- answers --------------------------------------------------------------------------
    def _on_changed(self, name: str, value: Any) -> None:
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
        for page in self.pages.values():
            page.apply(self.evaluation)
        self.sections.set_progress(self.evaluation.sections)
        flags = compute_risk_flags(self.form, self.answers, now=now)
        if [f.code for f in flags] != [f.code for f in self.flags]:
            self.autosaver.set_meta(risk_flags=[f.code for f in flags])
        self.flags = flags
        self._show_flags()

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
        self._refresh_sections()
        self._evaluate()
        names = self.visible_sections()
        self.go_to(current if current in names else names[0])

    # --- closing --------------------------------------------------------------------------
    def close_view(self) -> None:
        if self.mode.young_person:
            return
        self.autosaver.flush_now()
        self.closed.emit()
