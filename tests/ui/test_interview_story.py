"""Issue 12, a worker's real interview start to finish, played as the worker plays it.

The story: Kayla Morgan, 17, went to another city to meet an older man she met online, and says
she is hit at home. Each test is one of the things that got in the way, driven by keyboard and
mouse through the page objects (tests/worker.py), and checked in the encrypted store.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import NOW, WORKER
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QMessageBox, QPushButton, QRadioButton
from sqlalchemy import select
from worker import Interview, Worker, named

from rhi_core.domain.codes import EpisodeCategory
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import (
    Answer,
    AuditEvent,
    InterviewSession,
    OfferAttempt,
    Referral,
    ReturnInterview,
    SafetyPlanItem,
)
from rhi_desktop.ui.main_window import MainWindow

RETURNED = NOW - timedelta(hours=20)
LOCAL_TODAY = NOW.astimezone().date()


def local(dt) -> str:  # noqa: ANN001
    return f"{dt.astimezone():%d/%m/%Y %H:%M}"


@pytest.fixture
def child_id(profile: Profile) -> str:
    with profile.transaction() as s:
        child = add_child(
            s,
            NewChild(
                local_id="C912",
                first_name="Kayla",
                last_name="Morgan",
                dob=date(2008, 11, 2),
            ),
            actor=WORKER,
            today=NOW.date(),
        )
        record_episode(
            s,
            NewEpisode(child.id, EpisodeCategory.MISSING, NOW - timedelta(days=3), RETURNED),
            actor=WORKER,
            now=NOW,
        )
        return child.id


@pytest.fixture
def window(qtbot, profile: Profile, child_id: str) -> MainWindow:
    w = MainWindow(profile, clock=lambda: NOW)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    with qtbot.waitSignal(w.caseload.loaded, timeout=10_000):
        w.start()
    return w


@pytest.fixture
def worker(qtbot, window: MainWindow) -> Worker:
    return Worker(qtbot, window)


def offer_and_session(interview: Interview) -> None:
    interview.record_offer(local(RETURNED + timedelta(hours=2)), how="Phone", outcome="Accepted")
    interview.record_session(
        local(RETURNED + timedelta(hours=18)),
        minutes=50,
        place="Her school, a quiet room",
        present=("Social worker (joint session)",),
    )


# --- 1. one save model -----------------------------------------------------------------------


def test_outcomes_are_saved_as_typed_and_survive_moving_on(
    worker: Worker, profile: Profile
) -> None:
    """The fault: ticks and the analysis vanished on moving to another section, while the
    header said "All changes saved". (Fails on the old code: nothing was written without
    "Save outcomes".)"""
    interview = worker.open_child("Kayla Morgan")
    interview.tick_referral("MACE / Complex Adolescent Panel")
    interview.write("Analysis", "Groomed online by an older man; hit at home.")
    interview.at("Signatures")  # straight on, no button pressed
    interview.settle()
    with profile.sessions() as s:
        kinds = s.scalars(select(Referral.kind)).all()
        analysis = s.scalar(select(ReturnInterview.analysis))
    assert kinds == ["mace"]
    assert analysis == "Groomed online by an older man; hit at home."
    # The left list and the review agree with the store.
    interview.settle()
    outcomes_row = interview.view.sections.row_of("rhi_outcomes")
    assert "1 referral" in interview.view.sections.index(outcomes_row).data()
    assert interview.view.save_state.text() == "All changes saved"


def test_a_half_typed_offer_is_never_dropped_without_asking(
    worker: Worker, profile: Profile
) -> None:
    interview = worker.open_child("Kayla Morgan")
    interview.at("Offer and consent")
    interview.fill_offer(local(RETURNED + timedelta(hours=2)), how="Phone")
    # Not true yet: the header says so.
    assert interview.view.save_state.text() == "Not saved yet: Offer and consent"
    interview.go("Sessions")
    worker.answer_box("Keep editing")
    assert interview.step == "Offer and consent"  # still here, still typed
    interview.go("Sessions")
    box = worker.dialog(QMessageBox)
    assert "an offer attempt not recorded yet" in box.text()
    worker.answer_box("Save it")  # no outcome chosen: refused at the field, nothing lost
    panel = interview.view.panels["rhi_offer"]
    worker.wait(lambda: panel.form.error_text("outcome") != "")
    assert interview.step == "Offer and consent"
    assert named(panel, QLineEdit, "Offer date and time").text() == local(
        RETURNED + timedelta(hours=2)
    )
    worker.choose(named(panel, type(panel.outcome), "Offer outcome"), "Accepted")
    interview.go("Sessions")
    worker.answer_box("Save it")
    worker.wait(lambda: interview.step == "Sessions")
    with profile.sessions() as s:
        assert [o.outcome for o in s.scalars(select(OfferAttempt))] == ["accepted"]
    assert interview.view.save_state.text() == "All changes saved"


def test_a_drawn_signature_is_not_lost_on_the_way_back_to_the_caseload(
    worker: Worker, window: MainWindow, profile: Profile
) -> None:
    from worker import draw_signature

    interview = worker.open_child("Kayla Morgan")
    panel = interview.panel("Signatures")
    draw_signature(worker.qtbot, panel.worker.pad)
    worker.click(interview.view.back)
    box = worker.dialog(QMessageBox)
    assert "a signature not saved yet" in box.text()
    worker.answer_box("Save it")
    worker.wait(lambda: window.interview is None)
    with profile.sessions() as s:
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == "signature.sign"))


def test_the_caseload_button_goes_to_the_list_with_every_answer_kept(
    worker: Worker, window: MainWindow, profile: Profile
) -> None:
    """The fault: with an interview open, the top "Caseload" button showed the interview again."""
    interview = worker.open_child("Kayla Morgan")
    interview.write("Analysis", "Left after an argument at home.")
    worker.click(window.nav_buttons["caseload"])
    worker.wait(lambda: window.pages.currentWidget() is window.caseload)
    assert window.interview is None
    with profile.sessions() as s:
        assert s.scalar(select(ReturnInterview.analysis)) == "Left after an argument at home."


# --- 2. dates a person can type ----------------------------------------------------------------


def test_dates_are_typed_as_dd_mm_yyyy_and_empty_stays_empty(
    worker: Worker, profile: Profile
) -> None:
    interview = worker.open_child("Kayla Morgan")
    offer_and_session(interview)
    interview.add_action("Social worker", "Visit at home", "03122026")  # digits only
    interview.add_trusted_adult("Aunt Mel", "Aunt", "07700 900461")
    panel = interview.panel("Safety plan")
    field = next(
        f
        for f in panel.findChildren(type(panel.review_date))
        if f.name == "Safety plan review date"
    )
    assert field.edit.text() == ""  # empty stays empty, no 01/01/1900
    worker.type_date(field, "3/1/27")
    interview.settle()
    with profile.sessions() as s:
        action = s.scalar(select(SafetyPlanItem).where(SafetyPlanItem.kind == "action"))
        adult = s.scalar(select(SafetyPlanItem).where(SafetyPlanItem.kind == "trusted_adult"))
        from rhi_desktop.store.models import SafetyPlan

        plan = s.scalar(select(SafetyPlan))
    assert action.by_when == date(2026, 12, 3)
    assert adult.by_when is None
    assert plan.review_date == date(2027, 1, 3)
    # Nonsense is said at the field, never saved.
    worker.type_date(field, "31/02/2027")
    assert field.message.text() == "There is no date 31/02/2027: check the day and the month."
    # The calendar opens at the date shown, or at today when empty.
    field.clear()
    worker.qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = field.popup.calendar
    assert field.popup.isVisible() and calendar.selectedDate().toPython() == date.today()
    field.popup.hide()


def test_ticking_a_referral_fills_todays_date(worker: Worker, profile: Profile) -> None:
    interview = worker.open_child("Kayla Morgan")
    interview.tick_referral("Social care")
    panel = interview.view.panels["rhi_outcomes"]
    assert named(panel, QLineEdit, "Social care: date").text() == f"{LOCAL_TODAY:%d/%m/%Y}"
    interview.settle()
    with profile.sessions() as s:
        assert s.scalar(select(Referral.made_on)) == LOCAL_TODAY


# --- 3. fits the laptop ----------------------------------------------------------------------


def test_the_window_fits_the_screen_and_remembers_where_it_was(
    qtbot, profile: Profile, tmp_path
) -> None:
    from PySide6.QtWidgets import QApplication

    from rhi_desktop.ui import theme

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    # Laid out for 1280x720 (the smallest council laptop), at 150% text too.
    app = QApplication.instance()
    for scale in (1.0, 1.5):
        theme.apply_theme(app, scale)
        try:
            w = MainWindow(profile, clock=lambda: NOW)
            qtbot.addWidget(w)
            hint = w.minimumSizeHint()
            assert hint.width() <= 1280 and hint.height() <= 720, (scale, hint)
            w.deleteLater()
        finally:
            theme.apply_theme(app, 1.0)
    # Opens filling the screen's working area, never larger; then as it was left, per screen.
    w = MainWindow(profile, clock=lambda: NOW, geometry=settings)
    qtbot.addWidget(w)
    w.show_sized()
    area = w.screen().availableGeometry()
    assert w.width() <= max(area.width(), w.minimumSizeHint().width())
    w.showNormal()
    size = (min(area.width() - 40, w.minimumSizeHint().width() + 10), 560)
    w.setGeometry(area.x() + 10, area.y() + 10, *size)
    w.close()
    key = next(k for k in settings.allKeys() if k.startswith("window/"))
    assert key.endswith(f"-{w.screen().size().width()}x{w.screen().size().height()}")
    again = MainWindow(profile, clock=lambda: NOW, geometry=settings)
    qtbot.addWidget(again)
    again.show_sized()
    assert (again.width(), again.height()) == size


def test_no_button_of_the_story_is_clipped_at_1366_by_768(worker: Worker) -> None:
    window = worker.window

    def clipped() -> list[str]:
        return [
            b.text()
            for b in window.findChildren(QPushButton)
            if b.isVisible() and b.text() and b.width() < b.minimumSizeHint().width()
        ]

    worker.select_child("Kayla Morgan")
    assert clipped() == []
    interview = worker.open_child("Kayla Morgan")
    for step in ("Offer and consent", "Sessions", "Safety plan", "Outcomes and referrals"):
        interview.at(step)
        worker.qtbot.wait(20)
        assert clipped() == [], step
    table = interview.view.panels["rhi_sessions"].table
    header = table.horizontalHeader()
    for col in range(header.count()):  # no heading cut ("Confidentiali")
        assert header.sectionSize(col) >= header.sectionSizeFromContents(col).width() - 1


# --- 4. young-person mode ----------------------------------------------------------------------


def test_the_child_sees_only_their_own_words(worker: Worker, profile: Profile, qtbot) -> None:
    interview = worker.open_child("Kayla Morgan")
    interview.answer("push_details", "She says her stepdad hits her when he drinks.")
    interview.view.set_young_person_mode(True)
    page = interview.view.page("push_factors")
    row = page.rows["push_details"]
    assert row.input.isHidden()  # the worker's third-person note is not shown, nor editable
    assert row.note.text() == "Your worker has already written something here."
    assert all("stepdad" not in w.toPlainText() for w in page.findChildren(type(row.input.edit)))
    interview.answer("own_words_text", "I just wanted someone to listen to me.")
    interview.view.autosaver.flush_now()
    interview.view.set_young_person_mode(False)  # (the passphrase check is tested elsewhere)
    with profile.sessions() as s:
        rows = {a.question: (a.author, a.value) for a in s.scalars(select(Answer))}
    assert rows["own_words_text"] == ("young_person", "I just wanted someone to listen to me.")
    assert rows["push_details"][0] in (None, "worker")
    page = interview.view.page("own_words")
    assert page.rows["own_words_text"].note.text().startswith("Written by the young person")


# --- 5. risk follows the whole story -------------------------------------------------------------


def test_flags_follow_the_childs_answers_and_ask_for_a_referral_or_a_reason(
    worker: Worker, profile: Profile
) -> None:
    interview = worker.open_child("Kayla Morgan")
    strip = interview.view.flag_strip
    assert strip.full == "No risk flags raised so far."
    interview.answer("push_reasons", "Being hurt or not looked after at home")
    assert "Possible abuse or neglect at home (child protection)" in strip.full
    interview.answer("contacted_before", "Yes")
    interview.answer("contacted_how", "Social media (Snapchat, Instagram, TikTok...)")
    assert "Possible child sexual exploitation (CSE)" in strip.full
    interview.settle()
    panel = interview.panel("Outcomes and referrals")
    worker.wait(lambda: "cse" in panel.flag_rows and "child_protection" in panel.flag_rows)
    cp = panel.flag_rows["child_protection"]
    assert "Being hurt or not looked after at home" in cp.why.text()
    assert "strategy meeting" in cp.asks.text()
    # Review lists each flag without an answer; not a hard block: a reason answers it.
    review = interview.panel("Review and complete")
    worker.wait(lambda: any(p.kind == "flag_referral" for p in review.model.problems()))
    kinds = [p.item for p in review.model.problems() if p.kind == "flag_referral"]
    assert kinds == ["child_protection", "cse"]
    interview.tick_referral("Social care")
    panel = interview.view.panels["rhi_outcomes"]
    worker.type_into(panel.flag_rows["cse"].reason, "Already known to the exploitation team.")
    interview.settle()
    interview.at("Review and complete")
    interview.settle()
    assert not [p for p in review.model.problems() if p.kind == "flag_referral"]
    with profile.sessions() as s:
        decisions = s.scalar(select(ReturnInterview.flag_decisions))
    assert decisions == {"cse": "Already known to the exploitation team."}


# --- 6. complete with a read-back ----------------------------------------------------------------


def test_complete_shows_a_read_back_and_locks_only_when_confirmed(
    worker: Worker, profile: Profile
) -> None:
    interview = worker.open_child("Kayla Morgan")
    offer_and_session(interview)
    interview.answer_everything_required()
    interview.answer("own_words_text", "I thought he loved me.")
    interview.add_trusted_adult("Aunt Mel", "Aunt", "07700 900461")
    interview.tick_referral("MACE / Complex Adolescent Panel")
    interview.sign()
    dialog = interview.complete()
    text = dialog.text.text()
    for expected in (
        "Risk flags and what was done",
        "MACE / Complex Adolescent Panel",
        "Aunt Mel",
        "I thought he loved me.",
        "Not answered (",
    ):
        assert expected in text
    worker.qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert not interview.view.locked  # going back changes nothing
    dialog = interview.complete()
    interview.confirm(dialog)
    with profile.sessions() as s:
        interview_row = s.scalar(select(ReturnInterview))
        from rhi_desktop.store.models import OutboxItem

        sealed = s.scalar(select(OutboxItem))
    assert interview_row.state == "completed"
    # Completed and sealed in the same job: ready to send, the signed PDF already made.
    assert sealed is not None and sealed.payload is not None and sealed.pdf


# --- 7. the smaller faults -------------------------------------------------------------------------


def test_offers_and_sessions_can_be_changed_after_recording(
    worker: Worker, profile: Profile
) -> None:
    interview = worker.open_child("Kayla Morgan")
    offer_and_session(interview)
    panel = interview.panel("Sessions")
    panel.table.selectRow(0)
    worker.press(panel.edit_button)
    worker.type_into(named(panel, QLineEdit, "Where the session took place"), "Youth centre")
    worker.press(panel.record_button)
    worker.wait(lambda: panel.model.rows()[0].cells[1] == "Youth centre")
    offers = interview.panel("Offer and consent")
    offers.table.selectRow(0)
    worker.press(offers.edit_button)
    worker.choose(named(offers, type(offers.method), "Offer method"), "In person")
    worker.press(offers.record_button)
    worker.wait(lambda: offers.model.rows()[0].cells[1] == "In person")
    with profile.sessions() as s:
        assert s.scalar(select(InterviewSession.place)) == "Youth centre"
        assert s.scalar(select(OfferAttempt.method)) == "in_person"
        assert len(s.scalars(select(OfferAttempt)).all()) == 1


def test_the_interview_opens_on_offer_and_consent_with_the_deadline_in_view(
    worker: Worker,
) -> None:
    interview = worker.open_child("Kayla Morgan")
    assert interview.step == "Offer and consent"
    due = RETURNED + timedelta(hours=72)
    assert interview.view.deadline.text() == (
        f"Interview due by {due.astimezone():%a %d %b %H:%M} · 2d 4h left"
    )


def test_nothing_moves_under_the_pointer_when_answers_raise_flags(worker: Worker) -> None:
    interview = worker.open_child("Kayla Morgan")
    interview.at("Before you went")
    view = interview.view
    page = view.pages["before_you_went"]
    target = page.rows["contacted_before"]
    stack_top = view.stack.mapTo(view, view.stack.rect().topLeft())
    before = target.mapTo(page, target.rect().topLeft())
    interview.answer("planned", "It just happened")  # its "Clear answer" link appears above
    interview.answer("left_with_someone", "No")
    assert "flag" not in view.flag_strip.full.lower() or view.flag_strip.full.startswith("No")
    interview.answer("push_reasons", "Being hurt or not looked after at home")  # raises a flag
    assert view.flag_strip.full.startswith("Risk flags (1)")
    interview.at("Before you went")
    assert target.mapTo(page, target.rect().topLeft()) == before  # not pushed down the page
    assert view.stack.mapTo(view, view.stack.rect().topLeft()) == stack_top  # nor the page


def test_labels_read_as_written(worker: Worker) -> None:
    interview = worker.open_child("Kayla Morgan")
    interview.at("While you were away")
    inp = interview.view.pages["while_away"].input_for("slept_where")
    box = named(inp, QCheckBox, "Hotel or B&B")
    assert box.text().replace("&&", "&") == "Hotel or B&B"  # not "Hotel or BB"
    interview.at("Exploitation indicators")
    older = interview.view.pages["exploitation"].input_for("cse_older_partner")
    options = [b.accessibleName() for b in older.findChildren(QRadioButton)]
    assert options == ["Yes", "No", "Not known"]  # a worker-only indicator: no "rather not say"


def test_a_new_child_is_selected_and_one_without_an_episode_says_why(
    worker: Worker, window: MainWindow, profile: Profile
) -> None:
    dialog = worker.add_child("Zara", "Ali", "C913", "14/05/2013")
    worker.wait(lambda: not dialog.isVisible())
    worker.wait(lambda: window.caseload.detail.name.text() == "Zara Ali")
    detail = window.caseload.detail
    assert not detail.interview.isEnabled()
    assert detail.reason.text() == "No missing episode is recorded yet: record one (below) first."
    with profile.sessions() as s:
        from rhi_desktop.store.models import Child

        assert s.scalar(select(Child.dob).where(Child.local_id == "C913")) == date(2013, 5, 14)
    went = (NOW - timedelta(days=2)).astimezone().replace(hour=18, minute=0)
    back = went + timedelta(hours=15, minutes=30)
    dialog = worker.record_episode(f"{went:%d/%m/%Y %H:%M}", f"{back:%d/%m/%Y %H:%M}")
    worker.wait(lambda: not dialog.isVisible())
    worker.wait(lambda: detail.interview.isEnabled())
    with profile.sessions() as s:
        from rhi_desktop.store.models import MissingEpisode

        child_id = window.caseload.selected_row().child_id
        ep = s.scalar(select(MissingEpisode).where(MissingEpisode.child_id == child_id))
    assert ep.started_at == went  # typed day, month and time, exactly


def test_a_record_returned_by_the_reviewer_says_so_with_the_comment(
    worker: Worker, window: MainWindow, profile: Profile
) -> None:
    from rhi_desktop.store.models import ReviewFeedback

    interview = worker.open_child("Kayla Morgan")
    iid = interview.view.data.interview_id
    worker.click(interview.view.back)
    worker.wait(lambda: window.interview is None)
    with profile.transaction() as s:
        s.get(ReturnInterview, iid).state = "has_issues"
        s.add(
            ReviewFeedback(
                interview_id=iid,
                revision=1,
                verdict="has_issues",
                comment="Say what was done about the online contact.",
                reviewer="Dana Whitfield (Missing Lead)",
                reviewed_at=NOW,
            )
        )
    window.caseload.reload()
    worker.wait(lambda: window.caseload.model.rows()[0].rhi_status == "returned")
    worker.select_child("Kayla Morgan")
    assert "Returned by reviewer" in window.caseload.detail.status.text()
    interview = worker.open_child("Kayla Morgan")
    banner = interview.view.lock_text.text()
    assert "Returned by the reviewer" in banner
    assert "Say what was done about the online contact." in banner
    assert "Dana Whitfield (Missing Lead)" in banner
    assert interview.view.lock_banner.property("state") == "returned"  # a warning, not success


def test_a_typo_in_the_passphrase_is_not_called_tampering(qtbot, window: MainWindow) -> None:
    from rhi_desktop.security.errors import WRONG_OR_ALTERED, WrongPassphrase
    from rhi_desktop.ui.unlock_dialogs import UnlockDialog

    def unlock(_pw: str) -> None:
        raise WrongPassphrase(WRONG_OR_ALTERED)  # what a demo profile's key check says

    dialog = UnlockDialog("Jane Smith", unlock, parent=window)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.passphrase, "correct horse battery stapel")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=5000)
    assert "altered" not in dialog.error.text()
    assert dialog.error.text().startswith("That passphrase is not right.")


def test_the_focused_filter_is_plain_to_see(qtbot, window: MainWindow) -> None:
    button = named(window, QPushButton, "Show overdue")

    def yellow_pixels() -> int:
        image = button.grab().toImage()
        count = 0
        for x in range(0, image.width(), 2):
            for y in range(0, image.height(), 2):
                c = image.pixelColor(x, y)
                count += c.red() > 200 and c.green() > 180 and c.blue() < 80
        return count

    window.caseload.table.setFocus()
    qtbot.wait(20)
    assert yellow_pixels() == 0
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.wait(20)
    # The yellow focus fill, whatever the chip's state: most of the chip, not a thin line.
    image = button.grab().toImage()
    assert yellow_pixels() > (image.width() * image.height() / 4) * 0.4


# --- 8. first run without a keychain -----------------------------------------------------------


def test_first_run_checks_the_keychain_before_asking_anything(qtbot, monkeypatch) -> None:
    import keyring
    from keyring.backends import fail
    from keyring_memory import MemoryKeyring

    from rhi_desktop.services.keychain import check_keychain
    from rhi_desktop.ui.unlock_dialogs import KeychainDialog

    keyring.set_keyring(fail.Keyring())
    first = check_keychain("linux")
    assert not first.ready and "GNOME Keyring" in first.problem and "KWallet" in first.problem
    assert "keyring." not in first.problem and "Keyring)" not in first.problem
    assert "Credential Manager" in check_keychain("win32").problem
    assert "Keychain Access" in check_keychain("darwin").problem
    dialog = KeychainDialog(lambda: check_keychain("linux").problem, first.problem)
    qtbot.addWidget(dialog)
    dialog.open()
    assert not dialog.findChildren(QLineEdit)  # nothing asked: no name, no passphrase
    retry = named(dialog, QPushButton, "Try again")
    qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text() == "It is still not ready."
    assert dialog.height() >= dialog.sizeHint().height()  # grown to fit its words
    keyring.set_keyring(MemoryKeyring())  # the worker installed and unlocked one
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)


def test_label_names_are_unique_for_the_page_object(window: MainWindow) -> None:
    # The page objects find things by accessible name: the caseload's are unique.
    names = [w.accessibleName() for w in window.caseload.findChildren(QLabel) if w.accessibleName()]
    assert len(names) == len(set(names))
