"""A council's own XLSForm in the interview wizard, driven with keyboard and mouse: cascading
selects, a counted repeat, people within places, labels that name earlier answers, a picture
attached; every answer checked in the encrypted store."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import NOW
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QRadioButton
from ui_helpers import by_name

from rhi_core.domain.codes import EpisodeCategory, OfferMethod, OfferOutcome
from rhi_core.forms.loader_xlsform import import_xlsform
from rhi_core.forms.writer_yaml import dump_yaml
from rhi_desktop.services import answers as answers_service
from rhi_desktop.services import interview_flow, offers
from rhi_desktop.services.children import NewChild, NewEpisode, add_child, record_episode
from rhi_desktop.services.forms_registry import store_published_form
from rhi_desktop.services.offers import OfferInput
from rhi_desktop.services.profiles import Profile
from rhi_desktop.ui.interview.inputs import AttachmentInput, RankInput
from rhi_desktop.ui.interview.page import QuestionRow, RepeatBlock
from rhi_desktop.ui.interview.wizard import InterviewView
from rhi_desktop.ui.main_window import MainWindow

WORKER = "Jane Smith"
SURVEY = [
    ["type", "name", "label", "hint", "choice_filter", "repeat_count", "appearance", "required"],
    ["begin_group", "you", "About ${nickname}", None, None, None, "field-list", None],
    ["text", "nickname", "What do people call you?", None, None, None, None, None],
    [
        "integer",
        "age",
        "How old are you, ${nickname}?",
        "Thanks, ${nickname}.",
        None,
        None,
        None,
        None,
    ],
    ["select_one countries", "country", "Country", None, None, None, None, None],
    ["select_one cities", "city", "City", None, "country=${country}", None, None, None],
    ["acknowledge", "can_stop", "You can stop at any time", None, None, None, None, "yes"],
    ["rank worries", "ranked", "Put these in order", None, None, None, None, None],
    ["image", "letter", "A photo of the letter", None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None],
    ["begin_group", "family", "Family", None, None, None, None, None],
    ["integer", "siblings", "How many brothers and sisters?", None, None, None, None, None],
    ["begin_repeat", "sibling", "Sibling", None, None, "${siblings}", None, None],
    ["text", "sib_name", "Their name", None, None, None, None, None],
    ["end_repeat", None, None, None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None],
    ["begin_group", "away", "While away", None, None, None, None, None],
    ["begin_repeat", "places", "Place", None, None, None, None, None],
    ["text", "place_name", "Where?", None, None, None, None, None],
    ["begin_repeat", "people", "Person", None, None, None, None, None],
    ["text", "person", "Who was at ${place_name}?", None, None, None, None, None],
    ["end_repeat", None, None, None, None, None, None, None],
    ["end_repeat", None, None, None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None],
]
CHOICES = [
    ["list_name", "name", "label", "country"],
    ["countries", "england", "England", None],
    ["countries", "wales", "Wales", None],
    ["cities", "london", "London", "england"],
    ["cities", "leeds", "Leeds", "england"],
    ["cities", "cardiff", "Cardiff", "wales"],
    ["worries", "money", "Money", None],
    ["worries", "school", "School", None],
    ["worries", "home", "Home", None],
]


def _council_form(tmp_path: Path) -> str:
    """The council's spreadsheet, imported and published as our YAML."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    for row in SURVEY:
        ws.append(row)
    choices = wb.create_sheet("choices")
    for row in CHOICES:
        choices.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Council RHI", "council-rhi", "1"])
    path = tmp_path / "council.xlsx"
    wb.save(path)
    return dump_yaml(import_xlsform(path))


@pytest.fixture
def interview_id(profile: Profile, tmp_path: Path) -> str:
    text = _council_form(tmp_path)
    with profile.transaction() as s:
        form = store_published_form(s, text)
        child = add_child(
            s,
            NewChild(
                local_id="C900",
                first_name="Jay",
                last_name="Patel",
                dob=NOW.date() - timedelta(days=15 * 365),
            ),
            actor=WORKER,
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
            actor=WORKER,
            now=NOW,
        )
        iid = interview_flow.start_or_resume(s, child.id, form, actor=WORKER, now=NOW)
        offers.record_offer(
            s,
            iid,
            OfferInput(NOW - timedelta(hours=18), OfferMethod.PHONE, OfferOutcome.ACCEPTED),
            actor=WORKER,
            now=NOW,
        )
        return iid


@pytest.fixture
def view(qtbot, profile: Profile, interview_id: str) -> InterviewView:
    window = MainWindow(profile, clock=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.caseload.loaded, timeout=10_000):
        window.start()
    with profile.sessions() as s:
        data = interview_flow.load_wizard(s, interview_id)
    opened = window.show_interview(data)
    opened.go_to("you")
    return opened


def stored(profile: Profile, view: InterviewView) -> dict:
    assert view.autosaver.flush_now()
    with profile.sessions() as s:
        return answers_service.load_answers(s, view.data.interview_id, view.data.revision)


def type_into(qtbot, view: InterviewView, name: str, text: str) -> QLineEdit:
    edit = by_name(view, QLineEdit, name)
    edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(edit, text)
    return edit


def label_of(view: InterviewView, section: str, question: str) -> str:
    row = view.pages[section].rows[question]
    assert isinstance(row, QuestionRow)
    return row.label.text()


def test_labels_name_the_answers_as_they_are_typed(qtbot, view: InterviewView) -> None:
    assert label_of(view, "you", "age") == "How old are you, ?"
    type_into(qtbot, view, "What do people call you?", "Jay")
    assert label_of(view, "you", "age") == "How old are you, Jay?"
    assert view.pages["you"].rows["age"].hint.text() == "Thanks, Jay."
    assert view.pages["you"].title.text() == "About Jay"
    model = view.sections
    assert str(model.data(model.index(model.row_of("you")))).startswith("About Jay")
    # The input is announced with the filled-in label too.
    assert by_name(view, QLineEdit, "How old are you, Jay?").isVisible()


def test_a_cascading_select_offers_only_the_cities_of_the_country(
    qtbot, view: InterviewView, profile: Profile
) -> None:
    cities = view.pages["you"].rows["city"].input
    visible = lambda: [n for n, b in cities.buttons.items() if b.isVisible()]  # noqa: E731
    assert visible() == []
    qtbot.mouseClick(by_name(view, QRadioButton, "Wales"), Qt.MouseButton.LeftButton)
    assert visible() == ["cardiff"]
    qtbot.mouseClick(by_name(view, QRadioButton, "England"), Qt.MouseButton.LeftButton)
    assert visible() == ["london", "leeds"]
    qtbot.mouseClick(by_name(view, QRadioButton, "Leeds"), Qt.MouseButton.LeftButton)
    # Changing the country keeps the answer, shown with what to do about it.
    qtbot.mouseClick(by_name(view, QRadioButton, "Wales"), Qt.MouseButton.LeftButton)
    assert visible() == ["leeds", "cardiff"]
    message = view.pages["you"].rows["city"].message
    assert message.isVisible()
    assert message.text() == "That option does not fit the earlier answers; please choose again."
    assert stored(profile, view)["city"] == "leeds"


def test_a_counted_repeat_has_one_entry_per_sibling(
    qtbot, view: InterviewView, profile: Profile
) -> None:
    view.go_to("family")
    block = view.pages["family"].repeats["sibling"]
    assert isinstance(block, RepeatBlock) and not block.add_button.isVisible()
    type_into(qtbot, view, "How many brothers and sisters?", "2")
    shown = lambda: [c.isVisible() for c, _ in block.cards]  # noqa: E731
    qtbot.waitUntil(lambda: shown() == [True, True])
    type_into(qtbot, view, "Their name (2)", "Sam")
    assert stored(profile, view)["sibling"] == [{}, {"sib_name": "Sam"}]
    edit = by_name(view, QLineEdit, "How many brothers and sisters?")
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, "1")
    assert shown() == [True, False]  # the second entry is hidden, its answer kept
    assert stored(profile, view)["sibling"] == [{}, {"sib_name": "Sam"}]
    assert not any(b.text() == "Remove" for b in block.findChildren(QPushButton))


def test_people_are_recorded_within_each_place(
    qtbot, view: InterviewView, profile: Profile
) -> None:
    view.go_to("away")
    qtbot.mouseClick(by_name(view, QPushButton, "Add to Place"), Qt.MouseButton.LeftButton)
    type_into(qtbot, view, "Where? (1)", "Station")
    places = view.pages["away"].repeats["places"]
    inner = places.inner[0]["people"]
    add_person = next(b for b in inner.findChildren(QPushButton) if b.text() == "Add to person")
    qtbot.mouseClick(add_person, Qt.MouseButton.LeftButton)
    person = inner.cards[0][1]["person"]
    assert person.label.text() == "Who was at Station?"
    type_into(qtbot, view, "Who was at Station? (1)", "Kai")
    assert stored(profile, view)["places"] == [
        {"place_name": "Station", "people": [{"person": "Kai"}]}
    ]


def test_acknowledge_rank_and_a_picture(
    qtbot, view: InterviewView, profile: Profile, tmp_path: Path
) -> None:
    box = by_name(view, QCheckBox, "You can stop at any time")
    box.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(box, Qt.Key.Key_Space)
    rank = view.pages["you"].rows["ranked"].input
    assert isinstance(rank, RankInput)
    rank.list.setCurrentRow(2)  # "Home"
    qtbot.mouseClick(rank.up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(rank.up, Qt.MouseButton.LeftButton)
    picture = tmp_path / "letter.png"
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(out, "PNG")
    picture.write_bytes(out.getvalue())
    attach = view.pages["you"].rows["letter"].input
    assert isinstance(attach, AttachmentInput)
    attach.env.choose_file = lambda *_: str(picture)  # what the file dialog would return
    qtbot.mouseClick(attach.choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: attach.shown.text().startswith("letter.png ("), timeout=5000)
    saved = stored(profile, view)
    assert saved["can_stop"] == "OK"
    assert saved["ranked"] == ["home", "money", "school"]
    from rhi_desktop.services.attachments import attachment_data

    with profile.sessions() as s:
        kept = attachment_data(s, view.data.interview_id, [saved["letter"]])
    assert kept == {saved["letter"]: out.getvalue()}
    # Not a picture: one sentence, nothing attached.
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", encoding="utf-8")
    attach.env.choose_file = lambda *_: str(text_file)
    qtbot.mouseClick(attach.choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: attach.problem.isVisible(), timeout=5000)
    assert attach.problem.text() == (
        "notes.txt is not a picture the record can show; choose a PNG, JPEG or GIF file."
    )
    assert stored(profile, view)["letter"] == saved["letter"]
