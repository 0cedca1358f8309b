"""The line of sight: the board's sections and counts, escalation tasks raised once and closed
only with a coded decision, and the daily missing report as a page, a CSV and a PDF marked
OFFICIAL-SENSITIVE on every page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from console.kit import ConsoleServer, put_child
from pypdf import PdfReader
from sqlalchemy import select

from rhi_central.models import EscalationTask
from rhi_central.ops import OpError
from rhi_central.oversight import tasks
from rhi_central.oversight.board import build_board

NOW = datetime.now(UTC).replace(microsecond=0)


def _world(console: ConsoleServer) -> None:
    c = console.central
    put_child(c, "00000000-0000-4000-8000-0000000d0001", worker="Jane Smith", case_number="L01",
              started=NOW - timedelta(hours=5), returned=None, first_name="Ana", last_name="Hours")  # fmt: skip
    put_child(c, "00000000-0000-4000-8000-0000000d0002", worker="Jane Smith", case_number="L02",
              started=NOW - timedelta(hours=80), returned=None, first_name="Bo", last_name="Three")  # fmt: skip
    put_child(c, "00000000-0000-4000-8000-0000000d0003", worker="Otto Other", case_number="L03",
              started=NOW - timedelta(days=6), returned=None, first_name="Cy", last_name="Six")  # fmt: skip
    put_child(c, "00000000-0000-4000-8000-0000000d0004", worker=None, case_number="L04",
              started=NOW - timedelta(hours=100), returned=NOW - timedelta(hours=90),
              first_name="Di", last_name="Late")  # fmt: skip
    put_child(c, "00000000-0000-4000-8000-0000000d0005", worker="Jane Smith", case_number="L05",
              started=NOW - timedelta(hours=12), returned=NOW - timedelta(hours=10),
              first_name="Ed", last_name="Back")  # fmt: skip


def test_the_board_sorts_children_into_its_sections(fresh: ConsoleServer) -> None:
    _world(fresh)
    with fresh.central.db.transaction() as s:
        board = build_board(s, NOW)
        jane = build_board(s, NOW, "Jane Smith")
    assert [m.child.case_number for m in board.missing] == ["L03", "L02", "L01"]
    assert [m.child.case_number for m in board.past_72h] == ["L03", "L02"]
    assert [m.child.case_number for m in board.past_5_days] == ["L03"]
    assert [a.child.case_number for a in board.awaiting] == ["L04", "L05"]
    assert [a.child.case_number for a in board.overdue] == ["L04"]
    assert board.awaiting[1].remaining == timedelta(hours=62)
    assert {m.child.case_number for m in jane.missing} == {"L01", "L02"}
    assert "L03" not in {m.child.case_number for m in jane.missing}


def test_escalations_become_tasks_once_with_owners_and_due_times(fresh: ConsoleServer) -> None:
    _world(fresh)
    with fresh.central.db.transaction() as s:
        raised = tasks.raise_due(s, NOW)
    kinds = sorted((r.kind.value, r.child_id[-1]) for r in raised)
    assert kinds == [("missing_5_days", "3"), ("missing_72h", "2"), ("missing_72h", "3")]
    with fresh.central.db.transaction() as s:
        assert tasks.raise_due(s, NOW + timedelta(minutes=1)) == []  # once, whatever the rounds
        rows = {t.kind + t.child_id[-1]: t for t in s.scalars(select(EscalationTask))}
    five = rows["missing_5_days3"]
    assert five.owner_role == "manager" and five.owner_user_id is not None
    assert five.due_at == NOW - timedelta(days=6) + timedelta(days=5, hours=24)
    assert rows["missing_72h2"].due_at == NOW - timedelta(hours=80) + timedelta(hours=96)


def test_three_episodes_in_thirty_days_raise_one_strategy_task(fresh: ConsoleServer) -> None:
    from rhi_central.episodes.service import record_from_form

    for n, days in enumerate((25, 15, 5)):
        with fresh.central.db.transaction() as s:
            result = record_from_form(
                s,
                {
                    "case_number": "L10", "first_name": "Flo", "last_name": "Often",
                    "date_of_birth": "2011-01-01", "category": "M", "risk_grade": "low",
                    "started_at": (NOW - timedelta(days=days)).isoformat(),
                    "returned_at": (NOW - timedelta(days=days) + timedelta(hours=6)).isoformat(),
                    "police_reference": f"REP-{n}",
                },
                actor="test", now=NOW,
            )  # fmt: skip
            assert result.applied, result.plan and result.plan.problems
    with fresh.central.db.transaction() as s:
        raised = tasks.raise_due(s, NOW)
        assert [r.kind.value for r in raised] == ["repeat_3_in_30"]
        assert tasks.raise_due(s, NOW) == []
        board = build_board(s, NOW)
    assert [(r.child.case_number, r.episodes_30_days) for r in board.repeat] == [("L10", 3)]


def test_a_task_closes_only_with_a_complete_coded_decision(fresh: ConsoleServer) -> None:
    _world(fresh)
    with fresh.central.db.transaction() as s:
        raised = {r.kind.value + r.child_id[-1]: r.id for r in tasks.raise_due(s, NOW)}
    today = NOW.date()
    cases = [
        (raised["missing_72h2"], None, None, None, "Choose the decision that closes this task."),
        (raised["missing_72h2"], "head_of_service_updated", today, None,
         "This task can only be closed with 'Strategy meeting convened' or 'Strategy meeting not needed'."),
        (raised["missing_72h2"], "strategy_meeting_not_needed", None, "no", "Say why a strategy meeting is not needed."),
        (raised["missing_72h2"], "strategy_meeting_convened", None, None, "Enter when the strategy meeting is or was held."),
        (raised["missing_5_days3"], "head_of_service_updated", today + timedelta(days=2), None,
         "The update cannot be in the future."),
    ]  # fmt: skip
    for task_id, decision, on, reason, message in cases:
        with fresh.central.db.transaction() as s, pytest.raises(tasks.DecisionRefused) as refused:
            tasks.close(s, task_id, decision=decision, decided_on=on, reason=reason,
                        actor="staff:lead@test.example", now=NOW)  # fmt: skip
        assert [m for _, m in refused.value.problems] == [message]
    with fresh.central.db.transaction() as s:
        tasks.close(s, raised["missing_72h2"], decision="strategy_meeting_convened",
                    decided_on=today + timedelta(days=1), reason=None,
                    actor="staff:lead@test.example", now=NOW)  # fmt: skip
    with fresh.central.db.transaction() as s, pytest.raises(OpError, match="already closed"):
        tasks.close(s, raised["missing_72h2"], decision="strategy_meeting_not_needed",
                    decided_on=None, reason="Changed my mind about it.", actor="x", now=NOW)  # fmt: skip
    decisions = [d for a, _, d in fresh.audit_actions() if a == "task.close"]
    assert decisions == [
        {
            "kind": "missing_72h",
            "child": "00000000-0000-4000-8000-0000000d0002",
            "decision": "strategy_meeting_convened",
            "decided_on": (today + timedelta(days=1)).isoformat(),
            "reason": None,
        }
    ]


def test_the_daily_report_as_page_csv_and_official_sensitive_pdf(fresh: ConsoleServer) -> None:
    _world(fresh)
    lead = fresh.client("missing-lead")
    page = lead.get("/console/reports/daily-missing")
    assert page.status_code == 200
    assert "3 children missing; 2 for 72 hours or longer; 1 for more than 5 days" in page.text
    csv = lead.get("/console/reports/daily-missing.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("case_number,name,category,risk_grade,police_reference")
    assert [line.split(",")[0] for line in lines[1:]] == ["L03", "L02", "L01"]
    pdf = lead.get("/console/reports/daily-missing.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    for pdf_page in reader.pages:
        text = pdf_page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") == 2  # top and bottom of every page
    assert "Cy Six" in reader.pages[0].extract_text()
    views = [a for a, _, _ in fresh.audit_actions() if a.startswith("view.daily_missing")]
    assert views == ["view.daily_missing", "view.daily_missing_csv", "view.daily_missing_pdf"]
    # Performance officers see no names: not this report.
    assert fresh.client("performance").get("/console/reports/daily-missing").status_code == 403


def test_performance_sees_the_board_as_counts_without_a_name(fresh: ConsoleServer) -> None:
    _world(fresh)
    page = fresh.client("performance").get("/console/board")
    assert page.status_code == 200
    assert "missing 72 hours or longer" in page.text
    for name in ("Ana Hours", "Bo Three", "Cy Six", "L01", "L03"):
        assert name not in page.text
