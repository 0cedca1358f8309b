"""Central reports and statutory returns: `rhi-central report ...` and `rhi-central export ...`,
on SQLite and on a real PostgreSQL, read from the central tables by rhi_central.records."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from rhi_central.cli import main
from rhi_central.db import Database, open_engine
from rhi_central.models import AuditEvent, Child, Episode, Interview
from rhi_central.records import load_dataset
from rhi_central.reports_cli import ANNEX_A_COLUMNS
from rhi_core.canonical import content_sha256
from rhi_core.demo.synthetic import DEFAULT_NOW, generate, year_ending
from rhi_core.domain.codes import InterviewState, OfferOutcome, ReferralKind
from rhi_core.reports.daily import daily_missing
from rhi_core.reports.definitions import FIGURE_DEFINITIONS
from rhi_core.reports.figures import compute_kpis
from rhi_core.reports.period import last_12_months

NOW = DEFAULT_NOW.isoformat()


def cli(url: str, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, [*args, "--database-url", url])
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(open_engine(database_url))
    yield database
    database.dispose()


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_child(
    db: Database, cid: str, *, looked_after: bool = True, dob: date = date(2010, 5, 1)
) -> None:
    with db.transaction() as s:
        s.add(
            Child(
                id=cid,
                local_id=f"C{cid}",
                first_name="Zanele",
                last_name="Quixote",
                dob=dob,
                sex="female",
                ethnicity="White British",
                looked_after=looked_after,
                uasc=False,
                out_of_area=False,
                preferred_language="en",
                interpreter_needed=False,
            )
        )


def add_episode(
    db: Database, eid: str, cid: str, start: str, end: str | None, category: str = "M"
) -> None:
    with db.transaction() as s:
        s.add(
            Episode(
                id=eid,
                child_id=cid,
                category=category,
                started_at=t(start),
                returned_at=t(end) if end else None,
                risk_grade="medium",
            )
        )


def add_interview(
    db: Database,
    iid: str,
    cid: str,
    episode_ids: list[str],
    *,
    revision: int = 1,
    state: str = "completed",
    offers: Sequence[tuple[str, str]] = (),
    sessions: Sequence[str] = (),
    referrals: Sequence[str] = (),
    risk_flags: Sequence[str] = (),
) -> None:
    payload: dict[str, Any] = {
        "form_id": "test-rhi",
        "form_version": "1",
        "child_id": cid,
        "episode_ids": episode_ids,
        "worker": "Amara Okafor",
        "created_at": "2026-01-01T09:00:00+00:00",
        "held_at": None,
        "completed_at": "2026-05-01T12:00:00+00:00",
        "answers": {"why_left": "Argument at home"},
        "offers": [
            {
                "id": f"{iid}-{revision}-o{n}",
                "at": at,
                "method": "phone",
                "outcome": outcome,
                "by_whom": "Amara Okafor",
                **(
                    {"declined_by": "child", "decline_reason": "does_not_want_to_talk"}
                    if outcome == "declined"
                    else {}
                ),
            }
            for n, (at, outcome) in enumerate(offers)
        ],
        "sessions": [
            {"id": f"{iid}-s{n}", "started_at": at, "interviewer": "Amara Okafor"}
            for n, at in enumerate(sessions)
        ],
        "referrals": [{"id": f"{iid}-r{n}", "kind": k} for n, k in enumerate(referrals)],
        "risk_flags": list(risk_flags),
    }
    with db.transaction() as s:
        s.add(
            Interview(
                interview_id=iid,
                revision=revision,
                device_id=None,
                worker="Amara Okafor",
                child_id=cid,
                form_id="test-rhi",
                form_version="1",
                state=state,
                completed_at=t("2026-05-01T12:00:00"),
                content_sha256=content_sha256(payload),
                payload=payload,
                received_at=t("2026-05-01T12:05:00"),
            )
        )


def audit_actions(db: Database) -> list[tuple[str, dict[str, Any] | None]]:
    with db.transaction() as s:
        rows = s.execute(select(AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id))
        return [(a, d) for a, d in rows]


def test_last_12_months_is_a_year_of_uk_days() -> None:
    # 23:30 UTC on 31 March in summer time is already 1 April in London.
    assert last_12_months(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == (
        date(2025, 4, 2),
        date(2026, 4, 1),
    )
    assert last_12_months(datetime(2028, 2, 29, 12, tzinfo=UTC)) == (
        date(2027, 3, 1),
        date(2028, 2, 29),
    )


def test_kpis_default_to_the_last_12_months(database_url: str, db: Database) -> None:
    code, _, err = cli(database_url, "demo", "seed")
    assert code == 0, err
    code, out, err = cli(database_url, "report", "kpis", "--now", NOW, "--format", "json")
    assert code == 0, err
    date_from, date_to = last_12_months(DEFAULT_NOW)
    assert json.loads(out) == compute_kpis(generate(), date_from, date_to, DEFAULT_NOW)
    # Only --to given: the 12 months ending on that day.
    code, _, err = cli(database_url, "report", "kpis", "--to", "2026-01-31", "--now", NOW)
    assert code == 0, err
    periods = [(d["from"], d["to"]) for a, d in audit_actions(db) if a == "report.kpis" and d]
    assert periods == [
        (date_from.isoformat(), date_to.isoformat()),
        ("2025-02-01", "2026-01-31"),
    ]


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- The demo year: the seed council's figures through the central store ------------------------


def test_demo_kpis_and_daily_missing(database_url: str, db: Database) -> None:
    code, _, err = cli(database_url, "demo", "seed")
    assert code == 0, err
    date_from, date_to = year_ending(DEFAULT_NOW)
    span = ("--from", date_from.isoformat(), "--to", date_to.isoformat(), "--now", NOW)

    code, out, err = cli(database_url, "report", "kpis", *span, "--format", "json")
    assert code == 0, err
    kpis = json.loads(out)
    assert kpis["offer_rate"] == pytest.approx(93, abs=2)
    assert kpis["completion_rate"] == pytest.approx(49, abs=2)
    assert kpis["in_care_share"] == pytest.approx(31, abs=2)
    assert kpis["top_n_share"] == pytest.approx(41, abs=2)
    # Central reads back exactly what the generator made: the same figures, the same keys.
    generated = generate()
    assert kpis == compute_kpis(generated, date_from, date_to, DEFAULT_NOW)
    assert set(FIGURE_DEFINITIONS) <= set(kpis)

    code, out, err = cli(database_url, "report", "kpis", *span, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "key",
        "title",
        "value",
        "numerator",
        "denominator",
        "unit",
        "definition",
    ]
    by_key = {r["key"]: r for r in rows}
    assert set(FIGURE_DEFINITIONS) <= set(by_key)
    assert float(by_key["offer_rate"]["value"]) == kpis["offer_rate"]
    assert by_key["offer_rate"]["numerator"] == str(kpis["episodes_offered"])
    assert by_key["offer_rate"]["title"] == "RHI offered"

    code, out, err = cli(database_url, "report", "kpis", *span)
    assert code == 0, err
    lines = out.splitlines()
    offered = next(line for line in lines if line.startswith("RHI offered"))
    completed = next(line for line in lines if line.startswith("RHI completed"))
    assert f"{kpis['offer_rate']:.1f}%" in offered
    assert offered.index("%") == completed.index("%")  # aligned columns

    code, out, err = cli(database_url, "report", "daily-missing", "--now", NOW, "--format", "json")
    assert code == 0, err
    listed = json.loads(out)["missing"]
    expected = daily_missing(generated, DEFAULT_NOW)
    assert [(r["case_number"], r["past_72h"], r["past_5_days"]) for r in listed] == [
        (e.local_id, e.past_72h, e.past_5_days) for e in expected
    ]
    for r in listed:
        assert r["past_72h"] == (r["hours_missing"] >= 72)
        assert r["past_5_days"] == (r["hours_missing"] > 120)
        assert ("Flag on the daily missing report" in " ".join(r["escalations"])) == r["past_72h"]
        assert ("Head of Service" in " ".join(r["escalations"])) == r["past_5_days"]
    # The demo has one of each: under 72 hours, 72 hours or longer, beyond 5 days.
    assert {(r["past_72h"], r["past_5_days"]) for r in listed} == {
        (False, False),
        (True, False),
        (True, True),
    }

    code, out, err = cli(database_url, "report", "daily-missing", "--now", NOW)
    assert code == 0, err
    assert "3 missing, 2 for 72 hours or longer, 1 beyond 5 days" in out
    for e in expected:
        assert e.local_id in out
    code, out, _ = cli(database_url, "report", "daily-missing", "--now", NOW, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("case_number,name,category,")
    assert len(out.splitlines()) == 1 + len(expected)

    actions = [a for a, _ in audit_actions(db)]
    assert actions.count("report.kpis") == 3 and actions.count("report.daily_missing") == 3
    code, _, err = cli(database_url, "audit", "verify")
    assert code == 0, err


# --- What the records hold ----------------------------------------------------------------------


def test_records_use_the_latest_revision_and_its_payload(database_url: str, db: Database) -> None:
    add_child(db, "0001")
    add_episode(db, "e1", "0001", "2026-04-01T20:00:00", "2026-04-03T09:00:00")
    add_episode(db, "e2", "0001", "2026-04-05T20:00:00", "2026-04-06T09:00:00")
    add_interview(db, "i1", "0001", ["e1"], offers=[("2026-04-03T10:00:00+00:00", "declined")])
    add_interview(
        db,
        "i1",
        "0001",
        ["e1", "e2"],
        revision=2,
        state="approved",
        offers=[("2026-04-03T10:00:00+00:00", "declined"), ("2026-04-06T10:00:00Z", "accepted")],
        sessions=["2026-04-08T10:00:00+01:00", "2026-04-07T15:00:00+00:00"],
        referrals=["mace", "camhs", "mace"],
        risk_flags=["cce"],
    )
    add_interview(db, "i2", "0001", ["e2"], state="not_started")
    with db.transaction() as s:
        ds = load_dataset(s, now=DEFAULT_NOW)
    assert len(ds.interviews) == 2
    i1 = ds.interview("i1")
    assert i1.revision == 2 and i1.episode_ids == ("e1", "e2")
    assert i1.state is InterviewState.APPROVED
    assert i1.held_at == t("2026-04-07T15:00:00")  # the earliest session
    assert i1.referrals == (ReferralKind.CAMHS, ReferralKind.MACE)
    assert i1.risk_flags == ("cce",)
    assert [o.outcome for o in ds.offers_for("i1")] == [
        OfferOutcome.DECLINED,
        OfferOutcome.ACCEPTED,
    ]
    assert ds.interview("i2").state is None and ds.interview("i2").held_at is None
    assert ds.child("0001").dob == date(2010, 5, 1)
    assert ds.episode("e1").returned_at == t("2026-04-03T09:00:00")


# --- SSDA903 Missing table ----------------------------------------------------------------------


def test_ssda903_missing_table(database_url: str, db: Database, tmp_path: Path) -> None:
    add_child(db, "0001")
    # Started before 1 April 2025 and returned after it: in the return with its real start.
    add_episode(db, "a1", "0001", "2025-03-30T20:00:00", "2025-04-02T10:00:00")
    add_episode(db, "a2", "0001", "2025-07-01T12:00:00", "2025-07-02T12:00:00", "A")
    # Still missing on 31 March 2026 (returned in April): end left blank.
    add_episode(db, "a3", "0001", "2026-03-30T10:00:00", "2026-04-02T10:00:00")
    add_child(db, "0002", dob=date(2011, 12, 31))
    add_episode(db, "b1", "0002", "2026-02-01T12:00:00", None)  # open: end blank
    add_child(db, "0003", looked_after=False)  # not looked after: never in the return
    add_episode(db, "c1", "0003", "2025-09-01T12:00:00", "2025-09-02T12:00:00")
    add_child(db, "0004")
    add_episode(db, "d1", "0004", "2024-06-01T12:00:00", "2024-06-02T12:00:00")  # year before
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: the next collection year.
    add_episode(db, "d2", "0004", "2026-03-31T23:30:00", None)

    out = tmp_path / "missing.csv"
    code, _, err = cli(
        database_url, "export", "ssda903-missing", "--year", "2026", "--out", str(out)
    )
    assert code == 0, err
    assert out.read_bytes().decode("utf-8").splitlines() == [
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "C0001,01/05/2010,M,30/03/2025,02/04/2025",
        "C0001,01/05/2010,A,01/07/2025,02/07/2025",
        "C0001,01/05/2010,M,30/03/2026,",
        "C0002,31/12/2011,M,01/02/2026,",
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert no_temp_files(tmp_path)
    assert "Wrote 4 episodes of 2 looked-after children" in err

    # The year before: d1 only for C0004, and a1 ends on 2 April (after 31 March 2025): blank.
    code, _, err = cli(
        database_url, "export", "ssda903-missing", "--year", "2025", "--out", str(out)
    )
    assert code == 0, err
    assert out.read_text(encoding="utf-8").splitlines() == [
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "C0001,01/05/2010,M,30/03/2025,",
        "C0004,01/05/2010,M,01/06/2024,02/06/2024",
    ]
    exports = [d for a, d in audit_actions(db) if a == "export.ssda903_missing"]
    assert [(d["year"], d["rows"], d["refused"]) for d in exports if d] == [
        (2026, 4, False),
        (2025, 2, False),
    ]


def test_ssda903_refuses_records_that_break_the_dfe_rules(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    add_child(db, "0005", dob=date(2012, 1, 1))
    add_episode(db, "o1", "0005", "2025-05-01T12:00:00", "2025-05-10T12:00:00")
    add_episode(db, "o2", "0005", "2025-05-05T12:00:00", "2025-05-06T12:00:00")  # inside o1
    add_child(db, "0006")
    add_episode(db, "r1", "0006", "2025-06-10T12:00:00", "2025-06-09T12:00:00")  # end < start
    add_child(db, "0007", dob=date(2025, 8, 1))
    add_episode(db, "b1", "0007", "2025-07-01T12:00:00", "2025-07-02T12:00:00")  # before birth
    add_child(db, "0008")  # fine on its own: still refused with the others
    add_episode(db, "f1", "0008", "2025-09-01T12:00:00", "2025-09-02T12:00:00")

    out = tmp_path / "missing.csv"
    code, stdout, err = cli(
        database_url, "export", "ssda903-missing", "--year", "2026", "--out", str(out)
    )
    assert code == 1
    assert stdout == ""
    assert not out.exists() and no_temp_files(tmp_path)
    assert "C0005: episode starting 05/05/2025: Episode overlaps an earlier episode." in err
    assert "C0006: episode starting 10/06/2025: Missing end date is before the start date." in err
    assert (
        "C0007: episode starting 01/07/2025: Missing start date is before the child's date" in err
    )
    assert "C0007: episode starting 01/07/2025: Missing end date is before the child's date" in err
    assert "C0008" not in err
    assert "Zanele" not in err and "Quixote" not in err  # case numbers, never names
    assert err.strip().splitlines()[-1] == (
        "rhi-central: Nothing was written: correct these 4 records and export again."
    )
    assert "Traceback" not in err
    (detail,) = [d for a, d in audit_actions(db) if a == "export.ssda903_missing"]
    assert detail is not None and detail["refused"] is True and detail["problems"] == 4


# --- Ofsted Annex A List 8 ----------------------------------------------------------------------


def test_annex_a_list8(database_url: str, db: Database, tmp_path: Path) -> None:
    now = "2026-06-15T08:30:00+00:00"
    add_child(db, "0001", dob=date(2010, 5, 1))
    add_episode(db, "a0", "0001", "2025-01-01T12:00:00", "2025-01-02T12:00:00")  # > 12 months
    add_episode(db, "a1", "0001", "2025-09-01T12:00:00", "2025-09-02T12:00:00")
    add_episode(db, "a2", "0001", "2025-12-01T12:00:00", "2025-12-02T12:00:00", "A")
    add_episode(db, "a3", "0001", "2026-05-01T12:00:00", "2026-05-02T12:00:00")
    # Revision 1: declined. Revision 2 (the latest): accepted and held.
    add_interview(db, "ia", "0001", ["a3"], offers=[("2026-05-02T14:00:00Z", "declined")])
    add_interview(
        db,
        "ia",
        "0001",
        ["a3"],
        revision=2,
        offers=[("2026-05-02T14:00:00Z", "declined"), ("2026-05-03T09:00:00Z", "accepted")],
        sessions=["2026-05-04T10:00:00Z"],
    )
    add_child(db, "0002", looked_after=False, dob=date(2012, 7, 1))
    add_episode(db, "b1", "0002", "2026-05-20T12:00:00", "2026-05-21T12:00:00")  # no offer
    add_child(db, "0003")
    add_episode(db, "c1", "0003", "2026-06-14T12:00:00", None)  # still missing
    add_child(db, "0004")
    add_episode(db, "d1", "0004", "2024-01-01T12:00:00", "2024-01-02T12:00:00")  # long ago

    out = tmp_path / "annex-a.csv"
    code, _, err = cli(database_url, "export", "annex-a", "--now", now, "--out", str(out))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == ANNEX_A_COLUMNS
    assert rows[1:] == [
        ["C0001", "Female", "White British", "16", "Yes", "2", "1", "Yes", "Yes"],
        ["C0002", "Female", "White British", "13", "No", "1", "0", "No", "Unknown"],
        ["C0003", "Female", "White British", "16", "Yes", "1", "0", "Unknown", "Unknown"],
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [d["rows"] for a, d in audit_actions(db) if a == "export.annex_a" and d] == [3]


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "ssda903-missing", "--year", "abc", "--out", "x.csv"], "collection year"),
        (["export", "ssda903-missing", "--year", "1999", "--out", "x.csv"], "collection year"),
        (["export", "ssda903-missing", "--year", "26", "--out", "x.csv"], "collection year"),
        (["report", "kpis", "--from", "2026-02-30", "--to", "2026-03-01"], "not a date"),
        (["report", "kpis", "--from", "1/4/2025", "--to", "2026-03-31"], "not a date"),
        (["report", "kpis", "--from", "2026-04-01", "--to", "2026-03-31"], "before --from"),
        (["report", "daily-missing", "--now", "yesterday"], "not a date and time"),
        (["report", "kpis", "--from", "2026-04-01", "--to", "2026-04-07", "--format", "xml"], ""),
        (["export", "annex-a", "--out", "/nonexistent/folder/a.csv"], "no folder"),
    ],
)
def test_bad_input_is_one_sentence(tmp_path: Path, args: list[str], says: str) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    r = CliRunner().invoke(main, [*args, "--database-url", url])
    assert r.exit_code != 0
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rhi-central: ") and says in lines[0]
    assert not list(tmp_path.glob("*.csv"))


def test_refusal_is_a_real_exit_code(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rhi_central.cli import main; main()",
            "export",
            "ssda903-missing",
            "--year",
            "twenty",
            "--out",
            str(tmp_path / "x.csv"),
            "--database-url",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "RHI_CENTRAL_DATA_DIR": str(tmp_path / "data")},
    )
    assert done.returncode == 1
    assert done.stderr.startswith("rhi-central: --year 'twenty' is not a collection year")
    assert "Traceback" not in done.stderr


def test_open_episode_hours_follow_now(database_url: str, db: Database) -> None:
    add_child(db, "0001")
    add_episode(db, "e1", "0001", "2026-06-10T08:30:00", None)
    at = t("2026-06-10T08:30:00") + timedelta(hours=72)
    code, out, err = cli(
        database_url, "report", "daily-missing", "--now", at.isoformat(), "--format", "json"
    )
    assert code == 0, err
    (row,) = json.loads(out)["missing"]
    assert row["hours_missing"] == 72.0 and row["past_72h"] and not row["past_5_days"]
    assert "Zanele" in row["name"]
    # Without an offset --now is UK time: 09:30 BST is 08:30 UTC.
    code, out, _ = cli(
        database_url, "report", "daily-missing", "--now", "2026-06-13T09:29", "--format", "json"
    )
    assert code == 0 and json.loads(out)["missing"][0]["past_72h"] is False
