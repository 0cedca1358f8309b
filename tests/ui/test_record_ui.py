"""The RHI-level screens driven as a worker does; the results checked in the encrypted store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import NOW
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QWidget,
)
from sqlalchemy import select
from ui_helpers import by_name

from rhi_core.domain.codes import EpisodeCategory
from rhi_desktop.services import answers as answers_service
from rhi_desktop.services import offers
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.completion import InterviewLocked
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import (
    Answer,
    AuditEvent,
    InterviewRevision,
    InterviewSession,
    OfferAttempt,
    Referral,
    ReturnInterview,
    SafetyPlanItem,
    Signature,
)
from rhi_desktop.ui.date_field import DateField
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
from rhi_desktop.ui.record.models import RowsModel
from rhi_desktop.ui.record.review_panel import ProblemListModel

RETURNED = NOW - timedelta(hours=20)


@pytest.fixture
def child_id(profile: Profile) -> str:
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="C901",
                first_name="Tyler",
                last_name="Brooks",
                dob=NOW.date() - timedelta(days=14 * 365),
                looked_after=True,
            ),
            actor="Jane Smith",
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, NOW - timedelta(days=2), RETURNED),
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


def open_from_caseload(qtbot, window: MainWindow, child_id: str) -> InterviewView:
    window.caseload.select_child(child_id)
    button = window.caseload.detail.interview
    qtbot.waitUntil(button.isVisible, timeout=5000)
    old = window.interview
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.interview is not None and window.interview is not old, timeout=10_000
    )
    view = window.interview
    qtbot.waitUntil(lambda: view.ops.snapshot is not None, timeout=10_000)
    return view


def settle(qtbot, view: InterviewView) -> None:
    """Let queued writes land and their results reach the screen."""
    view.ops.wait()
    qtbot.wait(20)
    view.ops.wait()
    qtbot.wait(20)


def reveal(widget: QWidget) -> QWidget:
    """Scroll the page until the widget is on screen, as a person would before clicking it."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    return widget


def press(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(reveal(widget), Qt.MouseButton.LeftButton)


def tick(qtbot, box: QWidget) -> None:
    """Tick a box or pick a radio button from the keyboard (Tab to it, Space)."""
    reveal(box).setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(box, Qt.Key.Key_Space)


def click(qtbot, root: QWidget, name: str) -> None:
    """Press a button from the keyboard (Tab to it, Space). Keyboard rather than mouse: two
    quick clicks landing on the same spot of a scrolled page would read as a double-click."""
    button = by_name(root, QPushButton, name)
    assert button.isEnabled(), f"{name!r} is disabled"
    reveal(button).setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(button, Qt.Key.Key_Space)


def choose(qtbot, box: QComboBox, label: str) -> None:
    """Pick from a drop-down with the keyboard: focus it, then arrow down to the entry."""
    box.setFocus(Qt.FocusReason.TabFocusReason)
    target = box.findText(label)
    assert target >= 0, f"{label!r} not in {box.accessibleName()}"
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentIndex() == target


def type_datetime(qtbot, edit: DateField, when) -> None:
    """Type the local wall time as DD/MM/YYYY HH:MM, then Tab on (as a worker does)."""
    local = when.astimezone()
    edit.edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(edit.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit.edit, f"{local:%d/%m/%Y %H}:00")
    qtbot.keyClick(edit.edit, Qt.Key.Key_Tab)


def date_field(root: QWidget, name: str) -> DateField:
    found = [f for f in root.findChildren(DateField) if f.name == name]
    assert len(found) == 1, f"{len(found)} date fields named {name!r}"
    return found[0]


def fill_by_keyboard(qtbot, inp) -> None:
    target = inp.focus_target()
    target.setFocus(Qt.FocusReason.TabFocusReason)
    if isinstance(inp, NumberInput):
        qtbot.keyClicks(target, "2")
    elif isinstance(inp, TextInput):
        qtbot.keyClicks(target, "Typed by keyboard")
    elif isinstance(inp, LongTextInput):
        qtbot.keyClicks(target, "A longer answer, typed.")
    elif isinstance(inp, ScaleInput | SingleChoiceInput | MultipleChoiceInput):
        qtbot.keyClick(target, Qt.Key.Key_Space)
    elif isinstance(inp, ComboChoiceInput):
        qtbot.keyClick(target, Qt.Key.Key_Down)
    elif isinstance(inp, DateInput):
        pass


def draw_signature(qtbot, pad: QWidget) -> None:
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


# --- the steps ---------------------------------------------------------------------------


def record_decline_then_acceptance(qtbot, view: InterviewView) -> None:
    view.go_to("rhi_offer")
    panel = view.panels["rhi_offer"]
    type_datetime(qtbot, date_field(panel, "Offer date and time"), NOW - timedelta(hours=12))
    choose(qtbot, by_name(panel, QComboBox, "Offer method"), "Phone")
    choose(qtbot, by_name(panel, QComboBox, "Offer outcome"), "Declined")
    # A decline without who and why: the messages appear at those fields, nothing is lost.
    click(qtbot, panel, "Record offer")
    qtbot.waitUntil(lambda: panel.form.error_text("declined_by") != "", timeout=5000)
    assert panel.form.error_text("declined_by") == (
        "Say who declined: the child or a parent or carer."
    )
    assert panel.form.error_text("decline_reason") == "Choose why it was declined."
    assert by_name(panel, QComboBox, "Offer method").currentData() == "phone"
    assert panel.model.rowCount() == 0

    choose(qtbot, by_name(panel, QComboBox, "Who declined"), "Child")
    choose(qtbot, by_name(panel, QComboBox, "Why it was declined"), "Already spoke to the police")
    qtbot.keyClicks(by_name(panel, QLineEdit, "Decline: in their words"), "Told it all to PC Shah")
    qtbot.keyClicks(
        by_name(panel, QPlainTextEdit, "What the carer shared instead"), "Came back by bus"
    )
    click(qtbot, panel, "Record offer")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    assert not panel.form.error_text("declined_by")

    # The child changed their mind the next morning.
    type_datetime(qtbot, date_field(panel, "Offer date and time"), NOW - timedelta(hours=8))
    choose(qtbot, by_name(panel, QComboBox, "Offer method"), "In person")
    choose(qtbot, by_name(panel, QComboBox, "Offer outcome"), "Accepted")
    click(qtbot, panel, "Record offer")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    # Computed, never typed: the first answered offer came 8 hours after the return.
    assert panel.offered_flag.text() == "Yes"


def record_two_sessions(qtbot, view: InterviewView) -> None:
    view.go_to("rhi_sessions")
    panel = view.panels["rhi_sessions"]
    for when, place, present, alone in (
        (NOW - timedelta(hours=6), "Youth centre", "Social worker (joint session)", True),
        (NOW - timedelta(hours=3), "Home", "Interpreter", False),
    ):
        n = panel.model.rowCount()
        type_datetime(qtbot, date_field(panel, "Session date and time"), when)
        spin = by_name(panel, QSpinBox, "Session length in minutes")
        spin.setFocus()
        qtbot.keyClicks(spin.lineEdit(), "45")
        where = by_name(panel, QLineEdit, "Where the session took place")
        where.clear()
        qtbot.keyClicks(where, place)
        tick(qtbot, by_name(panel, QCheckBox, present))
        answer = "yes" if alone else "no"
        tick(qtbot, by_name(panel, QRadioButton, f"Time alone with the worker: {answer}"))
        tick(qtbot, by_name(panel, QRadioButton, "Confidentiality explained: yes"))
        click(qtbot, panel, "Record session")
        qtbot.waitUntil(lambda n=n: panel.model.rowCount() == n + 1, timeout=5000)


def build_safety_plan(qtbot, view: InterviewView) -> None:
    view.go_to("rhi_safety_plan")
    panel = view.panels["rhi_safety_plan"]
    helplines = panel.lists["helpline"]
    # A new plan starts with the Runaway Helpline, which cannot be removed.
    qtbot.waitUntil(lambda: helplines.model.rowCount() == 1, timeout=5000)
    assert helplines.model.rows()[0].cells[:2] == ("Runaway Helpline", "116 000")
    helplines.table.selectRow(0)
    assert not helplines.remove_button.isEnabled()

    adults = panel.lists["trusted_adult"]
    qtbot.keyClicks(by_name(panel, QLineEdit, "Trusted adult: name"), "Aunt Mel")
    qtbot.keyClicks(by_name(panel, QLineEdit, "Trusted adult: who they are"), "Aunt")
    phone = by_name(panel, QLineEdit, "Trusted adult: phone")
    qtbot.keyClicks(phone, "12345")
    qtbot.keyClick(phone, Qt.Key.Key_Return)  # Enter adds the row
    qtbot.waitUntil(lambda: adults.errors["phone"].text() != "", timeout=5000)
    assert "UK phone number" in adults.errors["phone"].text()
    assert by_name(panel, QLineEdit, "Trusted adult: name").text() == "Aunt Mel"  # kept
    phone.clear()
    qtbot.keyClicks(phone, "07700 900461")
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: adults.model.rowCount() == 1, timeout=5000)

    for noun, text in (
        ("Safe place: place", "Aunt Mel's flat"),
        ("Warning sign: sign or trigger", "Older boys offering lifts"),
    ):
        edit = by_name(panel, QLineEdit, noun)
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(by_name(panel, QLineEdit, "Action: who"), "Carer")
    qtbot.keyClicks(by_name(panel, QLineEdit, "Action: does what"), "Agree Friday curfew")
    by_when = date_field(panel, "Action: by when").edit
    qtbot.keyClicks(by_when, "17032026")  # digits only: read as 17/03/2026
    click(qtbot, panel, "Add action")
    qtbot.waitUntil(lambda: panel.lists["action"].model.rowCount() == 1, timeout=5000)
    settle(qtbot, view)

    # Edit by keyboard: select the adult, Enter, change, Enter.
    adults.table.setFocus()
    adults.table.selectRow(0)
    adults.edit_selected()
    rel = by_name(panel, QLineEdit, "Trusted adult: who they are")
    rel.clear()
    qtbot.keyClicks(rel, "Aunt (mum's sister)")
    qtbot.keyClick(rel, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            adults.model.rowCount() == 1
            and adults.model.rows()[0].cells[1] == "Aunt (mum's sister)"
        ),
        timeout=5000,
    )


def sign_as_worker(qtbot, view: InterviewView) -> None:
    view.go_to("rhi_signatures")
    panel = view.panels["rhi_signatures"]
    block = panel.worker
    # A blank pad is refused at the field, before anything is written.
    click(qtbot, panel, "RHI worker: save signature")
    assert block.form.error_text("strokes") == "The signature is blank: sign in the box, then save."
    draw_signature(qtbot, block.pad)
    assert not block.pad.is_blank()
    click(qtbot, panel, "RHI worker: save signature")
    qtbot.waitUntil(lambda: block.status.text().startswith("✓ Signed by"), timeout=5000)
    assert not block.form.error_text("strokes")


def answer_everything_required(qtbot, view: InterviewView) -> None:
    for _ in range(5):  # answering may make follow-up questions required
        problems = view.evaluation.problems(view.form)
        if not problems:
            return
        for p in problems:
            view.go_to(p.section)
            inp = view.pages[p.section].input_for(p.question)
            if inp is not None:
                fill_by_keyboard(qtbot, inp)
    assert view.evaluation.problems(view.form) == []


# --- the tests ---------------------------------------------------------------------------


def test_offer_session_plan_sign_complete_amend(
    qtbot, qtmodeltester, window: MainWindow, profile: Profile, child_id: str
) -> None:
    view = open_from_caseload(qtbot, window, child_id)
    iid = view.data.interview_id
    # The RHI steps sit around the questions, in the one section list.
    steps = view.steps()
    assert steps[:2] == ["rhi_offer", "rhi_sessions"]
    assert steps[-4:] == ["rhi_safety_plan", "rhi_outcomes", "rhi_signatures", "rhi_review"]

    record_decline_then_acceptance(qtbot, view)
    qtmodeltester.check(view.panels["rhi_offer"].model)
    record_two_sessions(qtbot, view)
    build_safety_plan(qtbot, view)
    settle(qtbot, view)

    with profile.sessions() as s:
        attempts = s.scalars(select(OfferAttempt).order_by(OfferAttempt.at)).all()
        assert [(o.outcome, o.declined_by, o.decline_reason) for o in attempts] == [
            ("declined", "child", "already_spoke_to_police"),
            ("accepted", None, None),
        ]
        assert attempts[0].method == "phone" and attempts[1].method == "in_person"
        assert attempts[0].decline_note == "Told it all to PC Shah"
        assert attempts[0].carer_shared == "Came back by bus"
        held = s.scalars(select(InterviewSession).order_by(InterviewSession.started_at)).all()
        assert [(x.present, x.time_alone, x.duration_minutes) for x in held] == [
            (["social_worker"], True, 45),
            (["interpreter"], False, 45),
        ]
        items = {(i.kind, i.name or i.text) for i in s.scalars(select(SafetyPlanItem))}
        assert items == {
            ("helpline", "Runaway Helpline"),
            ("trusted_adult", "Aunt Mel"),
            ("safe_place", "Aunt Mel's flat"),
            ("warning_sign", "Older boys offering lifts"),
            ("action", "Agree Friday curfew"),
        }

    # Outcomes: tick a referral (it takes today's date), write the analysis; saved as typed.
    view.go_to("rhi_outcomes")
    outcomes = view.panels["rhi_outcomes"]
    tick(qtbot, by_name(outcomes, QCheckBox, "CAMHS"))
    assert date_field(outcomes, "CAMHS: date").edit.text() == f"{NOW.astimezone():%d/%m/%Y}"
    qtbot.keyClicks(by_name(outcomes, QPlainTextEdit, "Analysis"), "Push from home, pull to town.")
    qtbot.waitUntil(lambda: outcomes.saved_label.text().startswith("Saved"), timeout=5000)
    settle(qtbot, view)

    # Review lists what is missing; an item is a link to its question.
    view.go_to("rhi_review")
    review = view.panels["rhi_review"]
    qtbot.waitUntil(lambda: review.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(review.model)
    assert isinstance(review.model, ProblemListModel)
    kinds = [p.kind for p in review.model.problems()]
    assert "answer" in kinds and "signature" in kinds
    assert not review.complete_button.isEnabled()
    first = review.model.problems()[0]
    reveal(review.list)
    rect = review.list.visualRect(review.model.index(0))
    qtbot.mouseClick(review.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.current_section == first.section
    target = view.pages[first.section].input_for(first.question).focus_target()
    qtbot.waitUntil(lambda: view.window().focusWidget() is target, timeout=2000)

    answer_everything_required(qtbot, view)
    sign_as_worker(qtbot, view)
    view.go_to("rhi_review")
    qtbot.waitUntil(lambda: review.complete_button.isEnabled(), timeout=5000)
    assert review.headline.text() == "Ready to complete"
    click(qtbot, review, "Complete interview")
    qtbot.waitUntil(lambda: view._complete_dialog is not None, timeout=5000)
    qtbot.mouseClick(view._complete_dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.locked or review.error.text() != "", timeout=10_000)
    assert view.locked, review.error.text()

    # Locked: every input disabled, the banner says so, and the store refuses writes.
    assert view.lock_banner.isVisible()
    assert "Completed — locked" in view.lock_text.text()
    assert all(not page.isEnabled() for page in view.pages.values())
    assert not view.panels["rhi_offer"].record_button.isEnabled()
    assert not by_name(view.panels["rhi_offer"], QComboBox, "Offer method").isEnabled()
    assert not view.panels["rhi_sessions"].record_button.isEnabled()
    assert view.panels["rhi_safety_plan"].lists["trusted_adult"].entry.isHidden()
    assert review.amend_button.isVisible() and not review.complete_button.isVisible()
    # The signed PDF is offered once completed, if the export module is installed.
    assert review.export_button.isEnabled() == (view._on_export is not None)
    with pytest.raises(InterviewLocked), profile.transaction() as s:
        offers.record_offer(
            s, iid, offers.OfferInput(NOW, "phone", "accepted"), actor="Jane Smith", now=NOW
        )
    with pytest.raises(InterviewLocked), profile.transaction() as s:
        answers_service.save_answers(s, iid, 1, {"where_went": "changed"}, now=NOW)

    # Amend: a reason is required; then revision 2 opens for editing.
    click(qtbot, review, "Amend the completed record")
    dialog = view._amend_dialog
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Say why the record is being changed."
    qtbot.keyClicks(dialog.reason, "Wrong session place recorded")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.interview is not None and window.interview.data.revision == 2, timeout=10_000
    )
    amended = window.interview
    qtbot.waitUntil(lambda: amended.ops.snapshot is not None, timeout=5000)
    assert not amended.locked and not amended.lock_banner.isVisible()
    assert all(page.isEnabled() for page in amended.pages.values())
    assert "revision 2" in amended.subtitle.full_text()

    with profile.sessions() as s:
        interview = s.get(ReturnInterview, iid)
        assert (interview.revision, interview.state) == (2, "draft")
        assert interview.amendment_reason == "Wrong session place recorded"
        frozen = s.scalars(select(InterviewRevision)).one()
        assert (frozen.revision, frozen.state) == (1, "completed")
        assert frozen.analysis == "Push from home, pull to town."
        rev1, rev2 = (
            {
                q: v
                for q, v in s.execute(
                    select(Answer.question, Answer.value).where(Answer.revision == n)
                )
            }
            for n in (1, 2)
        )
        assert rev1 == rev2 and rev1  # copied, the original kept
        sigs = s.scalars(select(Signature)).all()
        assert [(x.revision, x.role) for x in sigs] == [(1, "worker")]  # sign again for rev 2
        assert sigs[0].png.startswith(b"\x89PNG") and len(sigs[0].strokes) == 2
        assert all(len(p) == 3 for stroke in sigs[0].strokes for p in stroke)
        assert {(r.revision, r.kind) for r in s.scalars(select(Referral))} == {
            (1, "camhs"),
            (2, "camhs"),
        }
        actions = [
            a
            for a in s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_id == iid)
                .order_by(AuditEvent.seq)
            )
            if a != "interview.open"
        ]
    # Answer edits are audited too (each question's first edit), interleaved with the steps.
    assert "interview.edit" in actions
    actions = [a for a in actions if a != "interview.edit"]
    expected = [
        "interview.start",
        "offer.record",
        "offer.record",
        "session.record",
        "session.record",
        "safety_plan.create",
        "safety_plan.add_item",
        "safety_plan.add_item",
        "safety_plan.add_item",
        "safety_plan.add_item",
        "safety_plan.update_item",
        "outcomes.save",
        "signature.sign",
        "interview.complete",
        "interview.amend",
    ]
    assert actions == expected


def test_completed_record_opens_read_only_from_the_caseload(
    qtbot, window: MainWindow, profile: Profile, child_id: str
) -> None:
    view = open_from_caseload(qtbot, window, child_id)
    iid = view.data.interview_id
    qtbot.mouseClick(view.back, Qt.MouseButton.LeftButton)
    with profile.transaction() as s:  # as if completed earlier (and since synced)
        s.get(ReturnInterview, iid).state = "synced"
    qtbot.waitSignal(window.caseload.loaded, timeout=5000)
    view = open_from_caseload(qtbot, window, child_id)
    assert view.data.interview_id == iid  # the record itself, not a new interview
    assert view.locked and view.current_section == "rhi_review"
    assert all(not page.isEnabled() for page in view.pages.values())
    assert view.save_state.text() == "Completed — locked"
    with profile.sessions() as s:
        assert len(s.scalars(select(ReturnInterview)).all()) == 1
        assert "interview.view" in s.scalars(select(AuditEvent.action)).all()


def test_safety_plan_in_young_person_mode(qtbot, window: MainWindow, child_id: str) -> None:
    view = open_from_caseload(qtbot, window, child_id)
    qtbot.mouseClick(view.yp_button, Qt.MouseButton.LeftButton)
    steps = view.steps()
    assert "rhi_safety_plan" in steps
    assert not {"rhi_offer", "rhi_sessions", "rhi_outcomes", "rhi_signatures", "rhi_review"} & set(
        steps
    )
    view.go_to("rhi_safety_plan")
    panel = view.panels["rhi_safety_plan"]
    assert panel.title.text() == "My safety plan"
    titles = [t.text() for t in panel.findChildren(type(panel.title))]
    assert "People I trust" in titles and "Trusted adults" not in titles
    row = view.sections.row_of("rhi_safety_plan")
    assert "My safety plan" in view.sections.index(row).data()


def test_rows_model_contract(qtmodeltester) -> None:
    from rhi_desktop.ui.record.models import Row

    model = RowsModel(["A", "B"])
    model.set_rows([Row("1", ("x", "y")), Row("2", ("z", "w"))])
    qtmodeltester.check(model)
