"""`rhi-central report ...` and `rhi-central export ...`: the figures a service is judged on.

The figures themselves are the pure functions of ``rhi_core.reports`` (one definition for the
desktop dashboard and the server, written out in docs/figures.md); this module only reads the
central tables into their records (``rhi_central.records``), formats the answer and leaves an
audit event for every report and export, refused ones included.

- ``report daily-missing``: children missing at ``--now`` with hours missing and escalations.
- ``report kpis --from --to``: the weekly performance tracker (JSON keys = figure names).
- ``export ssda903-missing --year --out``: the DfE SSDA903 Missing table; refuses (exit 1,
  nothing written) while any record would break the DfE validation rules.
- ``export annex-a --out``: Ofsted Annex A List 8 columns.

Exports are written atomically (a temp file in the same folder, then a rename) with mode 0600.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import click

from rhi_central import audit
from rhi_central.records import load_dataset, paused_gc
from rhi_central.settings import ENV_DATABASE_URL
from rhi_central.timeutil import utcnow
from rhi_core.domain.codes import DeclinedBy, DeclineReason
from rhi_core.reports.annex_a import AnnexAList8Row, annex_a_list8
from rhi_core.reports.daily import MissingNow, daily_missing
from rhi_core.reports.definitions import FIGURE_DEFINITIONS
from rhi_core.reports.figures import compute_kpis
from rhi_core.reports.period import UK, last_12_months, uk_date, uk_midnight
from rhi_core.reports.ssda903 import COLUMNS as SSDA903_COLUMNS
from rhi_core.reports.ssda903 import ssda903_missing, ssda903_problems

__all__ = ["ANNEX_A_COLUMNS", "export", "mount", "report"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "csv", "json")
KPI_CSV_COLUMNS = ("key", "title", "value", "numerator", "denominator", "unit", "definition")
DAILY_COLUMNS = (
    "case_number",
    "name",
    "category",
    "risk_grade",
    "police_reference",
    "missing_since",
    "hours_missing",
    "past_72h",
    "past_5_days",
    "escalations",
)
# Ofsted Annex A, List 8: one row per child missing or absent in the last 12 months.
ANNEX_A_COLUMNS = (
    "Child unique ID",
    "Gender",
    "Ethnicity",
    "Age",
    "Looked after",
    "Number of missing episodes in the last 12 months",
    "Number of absent episodes in the last 12 months",
    "Offered a return interview after the last episode",
    "Accepted a return interview after the last episode",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
FIRST_YEAR = 2000


# --- Plumbing shared with rhi_central.cli ------------------------------------------------------


# What rhi_central.cli lends these commands (who is acting, one migrated transaction), handed
# over by mount(): this module never imports cli, so the two stay free of an import cycle.
_plumbing: dict[str, Any] = {}


def mount(
    group: click.Group,
    *,
    actor: Callable[[], str],
    session: Callable[[str | None], AbstractContextManager[Any]],
) -> None:
    """Add ``report`` and ``export`` to the ``rhi-central`` command group."""
    _plumbing["actor"] = actor
    _plumbing["session"] = session
    group.add_command(report)
    group.add_command(export)


def _database_option(fn: F) -> F:
    # The same option as rhi_central.cli.database_option (this module does not import cli).
    return click.option(
        "--database-url",
        envvar=ENV_DATABASE_URL,
        metavar="URL",
        help=f"sqlite:///FILE or postgresql://... (env {ENV_DATABASE_URL}; "
        "default: a SQLite file in the data dir).",
    )(fn)


def _now_option(fn: F) -> F:
    return click.option(
        "--now",
        "now_text",
        metavar="DATETIME",
        help="The instant to report for (ISO 8601; without an offset it is UK time). Default: now.",
    )(fn)


def _format_option(fn: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="A table for the terminal, CSV with a header row, or JSON.",
    )(fn)


def _cli() -> Any:
    """The actor and session rhi_central.cli lent at mount(), as ``cli._actor()`` and
    ``cli._session(url)``."""
    if not _plumbing:
        raise click.ClickException("The report commands run only from rhi-central.")
    return SimpleNamespace(_actor=_plumbing["actor"], _session=_plumbing["session"])


# --- Parsing -----------------------------------------------------------------------------------


def _parse_day(option: str, text: str) -> date:
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(
            f"{option} '{text}' is not a date: write it as YYYY-MM-DD."
        ) from None


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return utcnow()
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.ClickException(
            f"--now '{text}' is not a date and time: write it as e.g. 2026-06-15T08:30+01:00."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UK)
    return value.astimezone(UTC)


def _parse_year(text: str) -> int:
    latest = utcnow().year + 1
    year = int(text) if _YEAR.match(text.strip()) else None
    if year is None or not FIRST_YEAR <= year <= latest:
        raise click.ClickException(
            f"--year '{text}' is not a collection year: give the year it ends in, from "
            f"{FIRST_YEAR} to {latest} (2026 means 1 April 2025 to 31 March 2026)."
        )
    return year


# --- Output helpers ----------------------------------------------------------------------------


def _safe_cell(value: object) -> object:
    """Free text that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Aligned columns (the last one left ragged)."""
    widths = [max([len(header[i]), *(len(r[i]) for r in rows)]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            last = i == len(cells) - 1
            if i in right:
                out.append(cell.rjust(widths[i]))
            else:
                out.append(cell if last else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` all at once: a 0600 temp file in the same folder, renamed."""
    if path.is_dir():
        raise click.ClickException(f"{path} is a folder: give a file name for --out.")
    folder = path.parent
    if not folder.is_dir():
        raise click.ClickException(f"There is no folder {folder} to write {path.name} in.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise click.ClickException(f"Cannot write in {folder}: {exc.strerror}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {path}: {exc.strerror}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable; not every filesystem lets a folder be fsynced
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# --- report ------------------------------------------------------------------------------------


@click.group()
def report() -> None:
    """Operational reports: the daily missing report and the weekly performance tracker."""


def _hours(value: float) -> str:
    return f"{value:.1f}"


def _daily_json(row: MissingNow) -> dict[str, Any]:
    return {
        "case_number": row.local_id,
        "child_id": row.child_id,
        "name": row.name,
        "episode_id": row.episode_id,
        "category": row.category.value,
        "risk_grade": row.risk_grade.value,
        "police_reference": row.police_reference,
        "missing_since": row.started_at.replace(microsecond=0).isoformat(),
        "hours_missing": row.hours_missing,
        "past_72h": row.past_72h,
        "past_5_days": row.past_5_days,
        "escalations": list(row.escalations),
    }


def _daily_text(rows: list[MissingNow], now: datetime) -> str:
    when = now.astimezone(UK).strftime("%d/%m/%Y %H:%M")
    if not rows:
        return f"No child is missing at {when} (UK time)."
    body = [
        (
            r.local_id,
            r.name,
            r.category.label,
            r.risk_grade.label,
            r.police_reference or "-",
            r.started_at.astimezone(UK).strftime("%d/%m/%Y %H:%M"),
            _hours(r.hours_missing),
            "yes" if r.past_72h else "",
            "yes" if r.past_5_days else "",
            "; ".join(r.escalations) or "-",
        )
        for r in rows
    ]
    header = (
        "CASE",
        "NAME",
        "CATEGORY",
        "RISK",
        "POLICE REF",
        "MISSING SINCE",
        "HOURS",
        "72H+",
        "5 DAYS+",
        "ESCALATION",
    )
    flagged = sum(r.past_72h for r in rows)
    long_missing = sum(r.past_5_days for r in rows)
    title = (
        f"Daily missing report, {when} (UK time): {len(rows)} missing, {flagged} for 72 hours "
        f"or longer, {long_missing} beyond 5 days. OFFICIAL-SENSITIVE"
    )
    return f"{title}\n\n{_table(header, body, right={6})}"


@report.command("daily-missing")
@_database_option
@_now_option
@_format_option
def daily_missing_cmd(database_url: str | None, now_text: str | None, fmt: str) -> None:
    """Children missing now: hours missing, flags at 72 hours and 5 days, escalation needed."""
    now = _parse_now(now_text)
    cli = _cli()
    actor = cli._actor()
    with cli._session(database_url) as session:
        rows = daily_missing(load_dataset(session, now=now), now)
        audit.record(
            session,
            actor=actor,
            action="report.daily_missing",
            detail={
                "now": now.isoformat(),
                "format": fmt,
                "missing": len(rows),
                "past_72h": sum(r.past_72h for r in rows),
                "past_5_days": sum(r.past_5_days for r in rows),
            },
        )
    if fmt == "json":
        doc = {"now": now.isoformat(), "missing": [_daily_json(r) for r in rows]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(
            _csv(
                DAILY_COLUMNS,
                (
                    (
                        _safe_cell(r.local_id),
                        _safe_cell(r.name),
                        r.category.value,
                        r.risk_grade.value,
                        _safe_cell(r.police_reference or ""),
                        r.started_at.replace(microsecond=0).isoformat(),
                        _hours(r.hours_missing),
                        "yes" if r.past_72h else "no",
                        "yes" if r.past_5_days else "no",
                        "; ".join(r.escalations),
                    )
                    for r in rows
                ),
            ),
            nl=False,
        )
    else:
        click.echo(_daily_text(rows, now))


def _value_text(kind: str, value: float | int) -> str:
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "decimal":
        return f"{value:.2f}"
    return f"{int(value):,}"


def _breakdown() -> list[tuple[str, str, str]]:
    """(key, title, definition) of the declines split by who and why."""
    rows = [
        (
            f"declined_by_{who.value}",
            f"Declined by: {who.label}",
            f"RHIs declined (rhis_declined) where the decline that stood was by the "
            f"{who.label.lower()}.",
        )
        for who in DeclinedBy
    ]
    rows += [
        (
            f"declined_reason_{why.value}",
            f"Decline reason: {why.label}",
            f"RHIs declined (rhis_declined) whose standing decline gave the reason: {why.label}.",
        )
        for why in DeclineReason
    ]
    return rows


def _kpi_rows(
    kpis: dict[str, float | int],
) -> list[tuple[str, str, float | int, Any, Any, str, str]]:
    rows: list[tuple[str, str, float | int, Any, Any, str, str]] = []
    for d in FIGURE_DEFINITIONS.values():
        if d.key not in kpis:
            continue
        num = kpis.get(d.numerator) if d.numerator else None
        den = kpis.get(d.denominator) if d.denominator else None
        rows.append((d.key, d.title, kpis[d.key], num, den, d.kind, d.definition))
    for key, title, definition in _breakdown():
        if key in kpis:
            rows.append((key, title, kpis[key], None, None, "count", definition))
    return rows


def _kpis_text(kpis: dict[str, float | int], date_from: date, date_to: date, now: datetime) -> str:
    rows = _kpi_rows(kpis)
    body = [
        (
            title,
            _value_text(kind, value),
            f"{num:,} of {den:,}" if num is not None and den is not None else "",
        )
        for key, title, value, num, den, kind, _ in rows
        if not key.startswith("declined_")
    ]
    split = [
        ("  " + title, _value_text(kind, value), "")
        for key, title, value, _n, _d, kind, _ in rows
        if key.startswith("declined_") and value
    ]
    when = now.astimezone(UK).strftime("%d/%m/%Y %H:%M")
    title = (
        f"Performance tracker, {date_from:%d/%m/%Y} to {date_to:%d/%m/%Y} (UK days, both "
        f"included); open episodes as at {when}"
    )
    table = _table(("FIGURE", "VALUE", "COUNTS"), body + split, right={1})
    return f"{title}\n\n{table}\n\nDefinitions: docs/figures.md (or --format csv)."


@report.command("kpis")
@_database_option
@click.option(
    "--from", "from_text", metavar="YYYY-MM-DD", help="First day (default: 12 months before --to)."
)
@click.option(
    "--to", "to_text", metavar="YYYY-MM-DD", help="Last day, included (default: today, UK)."
)
@_now_option
@_format_option
def kpis_cmd(
    database_url: str | None,
    from_text: str | None,
    to_text: str | None,
    now_text: str | None,
    fmt: str,
) -> None:
    """The weekly performance tracker for a period (UK calendar days, both included).

    Without --from/--to it covers the last 12 months ending today (or on --to).
    """
    now = _parse_now(now_text)
    date_to = _parse_day("--to", to_text) if to_text else last_12_months(now)[1]
    # The default start is 12 months before the (given or default) last day.
    date_from = (
        _parse_day("--from", from_text) if from_text else last_12_months(uk_midnight(date_to))[0]
    )
    if date_to < date_from:
        raise click.ClickException(
            f"--to {date_to.isoformat()} is before --from {date_from.isoformat()}."
        )
    cli = _cli()
    actor = cli._actor()
    with cli._session(database_url) as session:
        dataset = load_dataset(session, now=now)
        with paused_gc():
            kpis = compute_kpis(dataset, date_from, date_to, now)
        audit.record(
            session,
            actor=actor,
            action="report.kpis",
            detail={
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "now": now.isoformat(),
                "format": fmt,
            },
        )
    if fmt == "json":
        click.echo(json.dumps(kpis, indent=2))
    elif fmt == "csv":
        click.echo(
            _csv(
                KPI_CSV_COLUMNS,
                (
                    (key, title, value, "" if num is None else num, "" if den is None else den)
                    + (kind, definition)
                    for key, title, value, num, den, kind, definition in _kpi_rows(kpis)
                ),
            ),
            nl=False,
        )
    else:
        click.echo(_kpis_text(kpis, date_from, date_to, now))


# --- export ------------------------------------------------------------------------------------


@click.group()
def export() -> None:
    """Statutory returns as CSV files: the DfE SSDA903 Missing table and Ofsted Annex A."""


def _out_option(fn: F) -> F:
    return click.option(
        "--out",
        "out",
        required=True,
        metavar="FILE.csv",
        type=click.Path(path_type=Path),
        help="Where to write the CSV (replaced atomically; readable by you only).",
    )(fn)


@export.command("ssda903-missing")
@_database_option
@click.option("--year", "year_text", required=True, metavar="YYYY", help="Collection year.")
@_out_option
def ssda903_cmd(database_url: str | None, year_text: str, out: Path) -> None:
    """The DfE SSDA903 Missing table for a collection year (1 April YYYY-1 to 31 March YYYY).

    Looked-after children only. Refuses, writing nothing, while any record would break the DfE
    validation rules (overlapping episodes, end before start, dates before birth).
    """
    year = _parse_year(year_text)
    now = utcnow()
    cli = _cli()
    actor = cli._actor()
    problems_text: list[str] = []
    with cli._session(database_url) as session:
        ds = load_dataset(session, now=now)
        problems = ssda903_problems(ds, year)
        rows = [] if problems else ssda903_missing(ds, year)
        if problems:
            for p in problems:
                start = uk_date(ds.episode(p.episode_id).started_at)
                problems_text.append(
                    f"  {p.local_id}: episode starting {start:%d/%m/%Y}: {p.reason}."
                )
        else:
            write_atomic(
                out, _csv(SSDA903_COLUMNS, ([getattr(r, c) for c in SSDA903_COLUMNS] for r in rows))
            )
        audit.record(
            session,
            actor=actor,
            action="export.ssda903_missing",
            detail={
                "year": year,
                "file": str(out),
                "rows": len(rows),
                "refused": bool(problems),
                "problems": len(problems),
                "children": sorted({p.local_id for p in problems}),
            },
        )
    if problems_text:
        click.echo(
            f"rhi-central: the SSDA903 Missing table for {year} would break the DfE validation "
            "rules here (case number: episode: problem):",
            err=True,
        )
        for line in problems_text:
            click.echo(line, err=True)
        raise click.ClickException(
            f"Nothing was written: correct these {len(problems_text)} records and export again."
        )
    click.echo(
        f"Wrote {len(rows)} episodes of {len({r.CHILD for r in rows})} looked-after children "
        f"for 1 April {year - 1} to 31 March {year} to {out}.",
        err=True,
    )


def _annex_row(r: AnnexAList8Row) -> tuple[object, ...]:
    return (
        _safe_cell(r.child_id),
        r.sex,
        _safe_cell(r.ethnicity),
        r.age,
        "Yes" if r.looked_after else "No",
        r.missing_episodes,
        r.absent_episodes,
        r.offered_rhi_after_last,
        r.accepted_rhi_after_last,
    )


@export.command("annex-a")
@_database_option
@_now_option
@_out_option
def annex_a_cmd(database_url: str | None, now_text: str | None, out: Path) -> None:
    """Ofsted Annex A List 8: children missing or absent in the 12 months before --now."""
    now = _parse_now(now_text)
    cli = _cli()
    actor = cli._actor()
    with cli._session(database_url) as session:
        rows = annex_a_list8(load_dataset(session, now=now), now)
        write_atomic(out, _csv(ANNEX_A_COLUMNS, (_annex_row(r) for r in rows)))
        audit.record(
            session,
            actor=actor,
            action="export.annex_a",
            detail={"now": now.isoformat(), "file": str(out), "rows": len(rows)},
        )
    click.echo(f"Wrote {len(rows)} children to {out}.", err=True)
