"""The daily missing report: the page, a CSV and a PDF marked OFFICIAL-SENSITIVE."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from rhi_central.console.access import viewed
from rhi_central.console.errors import ConsoleError
from rhi_central.console.guard import get_central, guard
from rhi_central.console.web import render
from rhi_central.documents import PDF_EXTRA_MISSING, pdf_available
from rhi_central.oversight import daily
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import utcnow
from rhi_core.reports.period import UK

router = APIRouter()
Reader = guard(Permission.DAILY_REPORT)


def _stamp(now: object) -> str:
    return now.astimezone(UK).strftime("%Y-%m-%d-%H%M")  # type: ignore[attr-defined]


@router.get("/reports/daily-missing", name="console.daily")
def page(request: Request, staff: Reader) -> HTMLResponse:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        rows = daily.missing_rows(s, now)
        viewed(s, staff, "daily_missing", [r.child_id for r in rows])
    return render(
        request,
        "daily.html",
        {
            "title": "Daily missing report",
            "rows": rows,
            "now": now,
            "flagged": sum(r.past_72h for r in rows),
            "long_missing": sum(r.past_5_days for r in rows),
        },
    )


@router.get("/reports/daily-missing.csv", name="console.daily_csv")
def csv_file(request: Request, staff: Reader) -> Response:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        rows = daily.missing_rows(s, now)
        viewed(s, staff, "daily_missing_csv", [r.child_id for r in rows], export="csv")
    return Response(
        daily.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="daily-missing-{_stamp(now)}.csv"'},
    )


@router.get("/reports/daily-missing.pdf", name="console.daily_pdf")
def pdf_file(request: Request, staff: Reader) -> Response:
    if not pdf_available():
        raise ConsoleError(501, "PDF documents are not installed", PDF_EXTRA_MISSING)
    from rhi_central.documents.daily_pdf import to_pdf  # reportlab: the [pdf] extra

    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        rows = daily.missing_rows(s, now)
        viewed(s, staff, "daily_missing_pdf", [r.child_id for r in rows], export="pdf")
    return Response(
        to_pdf(rows, now, central.settings.council_name),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="daily-missing-{_stamp(now)}.pdf"'},
    )
