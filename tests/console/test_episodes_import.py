"""Episodes in from a CSV export with a mapping: the whole file or nothing, every bad row by its
number and reason, and importing the same file again changes nothing. On SQLite and PostgreSQL;
the CLI (`rhi-central import episodes`) is the same operation."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from console.kit import ConsoleServer, put_child
from sqlalchemy import func, select

from rhi_central.episodes.service import import_csv
from rhi_central.models import Allocation, AssignmentChange, Child, Episode
from rhi_core.reports.period import UK

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
  notified_at: Notified
  allocated_worker: Worker
date_format: "%d/%m/%Y %H:%M"
values:
  category: {"Missing": M, "Absent": A}
"""
HEADER = "Child ID,Forename,Surname,DOB,Police Ref,Type,Missing from,Returned,Risk,Notified,Worker"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def t(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).astimezone(UK).strftime("%d/%m/%Y %H:%M")


def csv(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


GOOD = csv(
    f"C800001,Amy,Stone,01/05/2010,MPS-101,Missing,{t(50)},{t(40)},Medium,{t(49)},Jane Smith",
    f"C800002,Ben,Rock,02/06/2011,MPS-102,Absent,{t(20)},,High,,",
    f"C800002,Ben,Rock,02/06/2011,MPS-103,Missing,{t(90)},{t(80)},Low,,",
)


def run(console: ConsoleServer, data: bytes, mapping: str = MAPPING, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with console.central.db.transaction() as s:
        return import_csv(
            s, data, mapping, file_name="export.csv", actor="test", now=NOW, dry_run=dry_run
        )


def counts(console: ConsoleServer) -> tuple[int, int, int]:
    with console.central.db.transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(Child)) or 0,
            s.scalar(select(func.count()).select_from(Episode)) or 0,
            s.scalar(select(func.count()).select_from(AssignmentChange)) or 0,
        )


def test_a_good_file_is_applied_and_importing_it_again_changes_nothing(
    fresh: ConsoleServer,
) -> None:
    first = run(fresh, GOOD)
    assert first.applied and first.plan is not None
    c = first.plan.counts()
    assert (c["children_created"], c["episodes_created"], c["allocations"]) == (2, 3, 1)
    after_first = counts(fresh)
    assert after_first[:2] == (2, 3)
    with fresh.central.db.transaction() as s:
        amy = s.scalars(select(Child).where(Child.local_id == "C800001")).one()
        assert amy.assigned_worker == "Jane Smith"
        episode = s.scalars(select(Episode).where(Episode.police_reference == "MPS-101")).one()
        assert episode.notified_at == NOW - timedelta(hours=49)  # UK local time read right
        assert s.scalars(select(Allocation)).one().reason == "Imported from export.csv"
    again = run(fresh, GOOD)
    assert again.applied and again.plan is not None
    assert again.plan.counts()["unchanged"] == 3 and not again.plan.changes
    assert counts(fresh) == after_first  # not even an assignment change for laptops


def test_a_later_export_adds_the_return_without_duplicating_the_episode(
    fresh: ConsoleServer,
) -> None:
    run(fresh, GOOD)
    later = csv(
        f"C800002,Ben,Rock,02/06/2011,MPS-102,Absent,{t(20)},{t(2)},High,,",
    )
    result = run(fresh, later)
    assert result.applied and result.plan is not None
    assert result.plan.counts()["episodes_updated"] == 1
    with fresh.central.db.transaction() as s:
        assert s.scalar(select(func.count()).where(Episode.police_reference == "MPS-102")) == 1
        ben = s.scalars(select(Episode).where(Episode.police_reference == "MPS-102")).one()
        assert ben.returned_at == NOW - timedelta(hours=2)


def test_a_blank_cell_never_clears_what_central_holds(fresh: ConsoleServer) -> None:
    run(fresh, GOOD)
    blank = csv(f"C800001,Amy,Stone,01/05/2010,MPS-101,Missing,{t(50)},,Medium,,")
    assert run(fresh, blank).applied
    with fresh.central.db.transaction() as s:
        amy = s.scalars(select(Episode).where(Episode.police_reference == "MPS-101")).one()
        assert amy.returned_at is not None


BAD_ROWS = [
    (
        f"C800010,Cal,Moss,31/02/2011,MPS-110,Missing,{t(5)},,Low,,",
        "date of birth '31/02/2011' is not a date written as DD/MM/YYYY",
    ),
    (
        f"C800011,Dee,Ash,01/01/2012,MPS-111,Absconded,{t(5)},,Low,,",
        "category 'Absconded' is not one of M, A",
    ),
    (
        f"C800012,Eve,Oak,01/01/2012,MPS-112,Missing,{t(5)},{t(8)},Low,,",
        "The return cannot be before the episode started",
    ),
    (
        f"C800013,Fin,Elm,01/01/2012,MPS-113,Missing,{t(-48)},,Low,,",
        "The start cannot be in the future",
    ),
    (
        "C800014,Gus,Yew,01/01/2025,MPS-114,Missing,01/06/2024 10:00,,Low,,",
        "The episode cannot start before the child was born",
    ),
    (
        f"C800015,,,,MPS-115,Missing,{t(5)},,Low,,",
        "case number C800015 is new to central, so the row needs the child's first name and "
        "last name and date of birth",
    ),
    (
        f"C800016,Hal,Fir,01/01/2012,MPS-116,Missing,{t(5)},,Low,,Nobody Known",
        "'Nobody Known' is not the name or e-mail address of an active worker",
    ),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_each_kind_of_bad_row_is_named_with_its_row_number_and_nothing_is_applied(
    fresh: ConsoleServer, row: str, reason: str
) -> None:
    good = f"C800020,Ivy,Ray,01/01/2012,MPS-120,Missing,{t(30)},{t(20)},Low,,"
    result = run(fresh, csv(good, row))
    assert result.plan is not None and not result.applied
    assert [(p.row, p.message) for p in result.plan.problems][0][0] == 3
    assert any(reason in p.message for p in result.plan.problems), result.plan.problems
    assert counts(fresh)[:2] == (0, 0)  # the good row was not applied either


def test_duplicates_overlaps_and_a_conflicting_birth_date(fresh: ConsoleServer) -> None:
    run(fresh, GOOD)
    result = run(
        fresh,
        csv(
            f"C800030,Joe,Bay,01/01/2012,MPS-130,Missing,{t(30)},{t(20)},Low,,",
            f"C800030,Joe,Bay,01/01/2012,MPS-130,Missing,{t(30)},{t(20)},Low,,",
            f"C800001,Amy,Stone,01/05/2010,MPS-140,Missing,{t(48)},{t(44)},Low,,",
            f"C800002,Ben,Rock,03/06/2011,MPS-150,Missing,{t(200)},{t(190)},Low,,",
        ),
    )
    assert result.plan is not None and not result.applied
    texts = [p.text for p in result.plan.problems]
    assert "Row 3: repeats row 2 (same police reference MPS-130)." in texts
    assert any(x.startswith("Row 4: This overlaps another episode that started") for x in texts), (
        texts
    )
    assert any(
        x.startswith("Row 5: the date of birth 03/06/2011 conflicts with central's record for "
                     "case number C800002 (02/06/2011)") for x in texts
    ), texts  # fmt: skip
    assert counts(fresh)[:2] == (2, 3)


def test_wrong_headings_and_a_broken_mapping_are_one_sentence(fresh: ConsoleServer) -> None:
    wrong = b"Case,Name\r\nC1,Amy\r\n"
    result = run(fresh, wrong)
    assert result.file_problem is not None
    assert result.file_problem.startswith("The file has no column 'Child ID' (case_number)")
    assert "'Case', 'Name'" in result.file_problem
    broken = run(fresh, GOOD, mapping="columns:\n  case_no: Child ID\n")
    assert broken.file_problem == (
        "'case_no' under columns: is not a field; the fields are case_number, first_name, "
        "last_name, date_of_birth, sex, ethnicity, looked_after, uasc, out_of_area, "
        "placing_authority, police_reference, category, started_at, returned_at, risk_grade, "
        "notified_at, where_found, allocated_worker."
    )
    not_utf8 = run(fresh, GOOD.replace(b"Amy", "Am\xe9".encode("cp1252")))
    assert not_utf8.file_problem is not None and "CSV UTF-8" in not_utf8.file_problem
    assert counts(fresh)[:2] == (0, 0)


def test_an_allocated_childs_new_episode_reaches_its_workers_laptop(
    fresh: ConsoleServer,
) -> None:
    put_child(fresh.central, "00000000-0000-4000-8000-0000000c0001", worker="Jane Smith",
              case_number="C800040", started=NOW - timedelta(days=20), returned=NOW - timedelta(days=19))  # fmt: skip
    with fresh.central.db.transaction() as s:
        before = s.scalar(select(func.max(AssignmentChange.seq)))
    run(fresh, csv(f"C800040,Sam,Example,01/05/2010,MPS-160,Missing,{t(30)},{t(20)},Low,,"))
    with fresh.central.db.transaction() as s:
        rows = s.execute(
            select(AssignmentChange.worker, AssignmentChange.kind).where(
                AssignmentChange.seq > before
            )
        ).all()
    assert rows == [("Jane Smith", "upsert")]


def test_the_cli_dry_run_changes_nothing_and_a_refusal_exits_1(
    fresh: ConsoleServer, tmp_path: Path
) -> None:
    url = str(fresh.central.db.engine.url.render_as_string(hide_password=False))
    (tmp_path / "export.csv").write_bytes(GOOD)
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    command = [sys.executable, "-m", "rhi_central.cli", "import", "episodes",
               str(tmp_path / "export.csv"), "--mapping", str(tmp_path / "map.yaml"),
               "--database-url", url]  # fmt: skip
    dry = subprocess.run([*command, "--dry-run"], capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "Would import 3 rows: 2 new children" in dry.stderr
    assert counts(fresh)[:2] == (0, 0)
    applied = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert applied.returncode == 0 and "Imported 3 rows" in applied.stderr
    (tmp_path / "export.csv").write_bytes(
        csv(f"C800050,Kai,Lee,01/01/2012,MPS-170,Missing,{t(5)},{t(8)},Low,,")
    )
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "Row 2: The return cannot be before the episode started." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert counts(fresh)[:2] == (2, 3)
