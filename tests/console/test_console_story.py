"""The Missing Lead's morning, in a real headless Chromium: sign in, import the police export
with its mapping, allocate a child who came back, see both on the board, close the escalation of
the child missing four days with a coded decision; then the worker's laptop syncs and has the
child, and loses it again when the child is reallocated. axe-core checks every page on the way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.browser import Console
from console.kit import BY_KEY, WORKER, ConsoleServer
from sqlalchemy import select

from rhi_central import ops
from rhi_central.jobs import run_round
from rhi_central.models import Child as CentralChild
from rhi_central.models import EscalationTask
from rhi_core.reports.period import UK
from rhi_desktop.services import sync_service
from rhi_desktop.services.profiles import Profile
from rhi_desktop.store.models import Child as LaptopChild

MAPPING = """\
columns:
  case_number: Child ID
  first_name: Forename
  last_name: Surname
  date_of_birth: DOB
  police_reference: Police Ref
  category: Type
  started_at: Missing from
  returned_at: Returned
  risk_grade: Risk
date_format: "%d/%m/%Y %H:%M"
values:
  category: {"Missing": M, "Absent": A}
"""


def _uk(value: datetime) -> str:
    return value.astimezone(UK).strftime("%d/%m/%Y %H:%M")


def _export(folder: Path, now: datetime) -> tuple[Path, Path]:
    csv = folder / "police-export.csv"
    csv.write_text(
        "Child ID,Forename,Surname,DOB,Police Ref,Type,Missing from,Returned,Risk\r\n"
        f"C7000001,Robin,Story,14/02/2010,STORY-1,Missing,{_uk(now - timedelta(days=4))},,High\r\n"
        f"C7000002,Sky,Story,03/09/2011,STORY-2,Absent,{_uk(now - timedelta(hours=30))},"
        f"{_uk(now - timedelta(hours=10))},Medium\r\n",
        encoding="utf-8",
    )
    mapping = folder / "police.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return csv, mapping


def _laptop_children(profile: Profile) -> set[str]:
    with profile.sessions() as s:
        return {c.local_id for c in s.scalars(select(LaptopChild))}


def test_import_allocate_board_decide_and_the_laptop_has_the_child(
    tab: Console, console: ConsoleServer, profile: Profile, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    csv, mapping = _export(tmp_path, now)
    page = tab.page
    tab.sign_in(BY_KEY["missing-lead"])
    assert tab.heading() == "Line of sight"
    tab.check_accessible()

    # Import the police export with its mapping: check first, then apply.
    tab.follow("Import")
    page.get_by_label("The CSV file").set_input_files(str(csv))
    page.get_by_label("The mapping file (YAML)").set_input_files(str(mapping))
    tab.press("Check the file")
    assert tab.heading() == "Check the import"
    tab.check_accessible()
    tab.press("Import 2 rows")
    assert "The file is imported." in tab.text()
    tab.check_accessible()

    # Allocate the child who came back to Jane Smith.
    tab.follow("Children")
    page.get_by_label("Case number or name").fill("C7000002")
    tab.press("Search")
    tab.follow("Sky Story")
    tab.check_accessible()
    tab.follow("Allocate Sky Story")
    page.get_by_label("Worker").select_option(label=WORKER)
    tab.check_accessible()
    tab.press("Allocate")
    assert "The child is allocated." in tab.text()

    # The board: Robin missing four days (72 hours+), Sky back with the 72-hour clock running.
    run_round(console.central)  # the scheduled round the server runs every minute
    tab.follow("Board")
    missing = page.locator("#missing + table")
    assert "Robin Story" in missing.inner_text() and "72 hours+" in missing.inner_text()
    waiting = page.locator("#awaiting ~ table").first
    row = waiting.locator("tr", has_text="Sky Story")
    assert WORKER in row.inner_text() and "left" in row.inner_text()
    tab.check_accessible()

    # Close Robin's escalation with a coded decision.
    tab.go(
        missing.locator("tr", has_text="Robin Story").get_by_role(
            "link", name="Strategy meeting task for Robin Story"
        )
    )
    assert tab.heading() == "Missing 72 hours or longer"
    tab.check_accessible()
    page.get_by_label("Strategy meeting not needed").check()
    page.get_by_label("If no strategy meeting is needed: why not?").fill(
        "Found safe at an aunt's; police closed the report this morning."
    )
    tab.press("Close the task")
    assert "The task is closed and the decision is in the audit trail." in tab.text()
    tab.check_accessible()
    with console.central.db.transaction() as s:
        robin = s.scalars(select(CentralChild).where(CentralChild.local_id == "C7000001")).one()
        task = s.scalars(
            select(EscalationTask).where(
                EscalationTask.child_id == robin.id, EscalationTask.kind == "missing_72h"
            )
        ).one()
        assert (task.decision, task.closed_by) == (
            "strategy_meeting_not_needed",
            "staff:lead@test.example",
        )
    closing = [d for a, _, d in console.audit_actions() if a == "task.close"]
    assert closing[-1]["decision"] == "strategy_meeting_not_needed"
    assert "aunt's" in closing[-1]["reason"]

    # Jane Smith's laptop, enrolled for her, receives Sky (and only Sky) at its next sync.
    with console.central.db.transaction() as s:
        code, _ = ops.create_enrol_code(s, WORKER, "test")
    sync_service.enrol(profile, console.url, code, device_name="jane-laptop")
    synced = sync_service.sync_once(profile)
    assert synced.children >= 1
    held = _laptop_children(profile)
    assert "C7000002" in held and "C7000001" not in held

    # Reallocated (with a reason) to Otto: the child leaves Jane's laptop at its next sync.
    tab.open(f"/console/children/{_child_id(console, 'C7000002')}/allocate")
    page.get_by_label("Worker").select_option(label="Otto Other")
    page.get_by_label("Why is the child moving?").fill("Jane is on leave from tomorrow.")
    tab.press("Allocate")
    assert "moved from Jane Smith to Otto Other" in tab.text()
    assert sync_service.sync_once(profile).removed_children == 1
    assert "C7000002" not in _laptop_children(profile)


def _child_id(console: ConsoleServer, case_number: str) -> str:
    with console.central.db.transaction() as s:
        return str(s.scalar(select(CentralChild.id).where(CentralChild.local_id == case_number)))


def _fill_when(tab: Console, legend: str, value: datetime) -> None:
    local = value.astimezone(UK)
    group = tab.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))
    group.get_by_label("Time (24-hour, for example 21:30)").fill(local.strftime("%H:%M"))


def test_recording_an_episode_then_the_childs_return_by_hand(
    tab: Console, console: ConsoleServer
) -> None:
    now = datetime.now(UTC)
    tab.sign_in(BY_KEY["missing-lead"])
    tab.follow("Record an episode")
    tab.page.get_by_label("What is the child's case number?").fill("C7100001")
    tab.press("Continue")
    assert tab.heading() == "C7100001 is new to central"
    page = tab.page
    page.get_by_label("First name").fill("Rory")
    page.get_by_label("Last name").fill("Hand")
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("9")
    dob.get_by_label("Month").fill("10")
    dob.get_by_label("Year").fill("2011")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_role("group", name="Looked after (in care)?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Missing or away?").get_by_label("Missing", exact=True).check()
    page.get_by_role("group", name="Police risk grade").get_by_label("High", exact=True).check()
    page.get_by_label("Police reference (if there is one)").fill("HAND-1")
    _fill_when(tab, "When did the child go missing?", now - timedelta(hours=20))
    page.get_by_label("Allocate the child to").select_option(label=WORKER)
    tab.check_accessible()
    tab.press("Record the episode")
    assert tab.heading() == "Rory Hand" and "The episode is recorded." in tab.text()
    assert "Jane Smith" in tab.text() and "Missing" in tab.text()
    tab.check_accessible()

    # He is back: the Missing Lead records the return, and the 72-hour clock starts.
    tab.follow("Change the episode that started " + _uk_long(now - timedelta(hours=20)))
    _fill_when(tab, "When did the child come back? (leave blank if still missing)", now)
    page.get_by_label("Where was the child found? (optional)").fill("Walked into a police station")
    tab.check_accessible()
    tab.press("Save the episode")
    assert "The episode is updated." in tab.text()
    tab.follow("Board")
    waiting = page.locator("#awaiting ~ table").first.locator("tr", has_text="Rory Hand")
    assert "2d 23h left" in waiting.inner_text() and WORKER in waiting.inner_text()


def _uk_long(value: datetime) -> str:
    return value.astimezone(UK).strftime("%a %-d %b %Y, %H:%M")
