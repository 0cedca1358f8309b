"""CSV import in the console: upload the file and its mapping, see what would happen (every
problem by row number), then apply it whole. The same operation as `rhi-central import
episodes`; the file waits between preview and apply in ``episode_imports`` and is dropped once
applied."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rhi_central.console.access import viewed
from rhi_central.console.errors import ConsoleError
from rhi_central.console.formdata import read_form, text, upload
from rhi_central.console.guard import Staff, get_central, guard
from rhi_central.console.web import PREFIX, render
from rhi_central.episodes.fields import FIELDS, REQUIRED_FIELDS
from rhi_central.episodes.service import ImportResult, import_csv, sha256
from rhi_central.models import EpisodeImport
from rhi_central.staff.roles import Permission
from rhi_central.timeutil import new_id, utcnow

router = APIRouter()
Importer = guard(Permission.EPISODE_IMPORT)
Form = Annotated[FormData, Depends(read_form)]
PREVIEW_ROWS = 200

EXAMPLE_MAPPING = """columns:
  case_number: Child ID
  first_name: Forename
  last_name: Surname
  date_of_birth: DOB
  police_reference: Police Ref
  category: Type
  started_at: Missing from
  returned_at: Returned
  risk_grade: Risk
  allocated_worker: Worker
date_format: "%d/%m/%Y %H:%M"
values:
  category: {"Missing": M, "Absent": A}
"""


def _form_page(
    request: Request, errors: dict[str, str], mapping_text: str, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "import.html",
        {
            "title": "Import episodes from a CSV file",
            "errors": errors,
            "mapping_text": mapping_text,
            "example": EXAMPLE_MAPPING,
            "fields": FIELDS,
            "required": REQUIRED_FIELDS,
        },
        status=status,
    )


@router.get("/import", name="console.import")
def import_form(request: Request, staff: Importer) -> HTMLResponse:
    return _form_page(request, {}, "")


@router.post("/import", name="console.import_preview")
def preview(request: Request, staff: Importer, form: Form) -> HTMLResponse:
    errors: dict[str, str] = {}
    file = upload(form, "file")
    mapping_file = upload(form, "mapping_file")
    mapping_text = text(form, "mapping", 20_000)
    if mapping_file is not None:
        try:
            mapping_text = mapping_file[1].decode("utf-8-sig")
        except UnicodeDecodeError:
            errors["mapping_file"] = "The mapping file is not UTF-8 text"
    if file is None:
        errors["file"] = "Choose the CSV file to import"
    if not mapping_text and "mapping_file" not in errors:
        errors["mapping_file"] = "Choose the mapping file, or paste the mapping below"
    if errors:
        return _form_page(request, errors, mapping_text, status=422)
    assert file is not None
    name, data = file
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        result = import_csv(
            s, data, mapping_text, file_name=name, actor=staff.actor, now=now, dry_run=True
        )
        row = EpisodeImport(
            id=new_id(),
            created_by=staff.actor,
            created_at=now,
            file_name=name[:255],
            file_sha256=sha256(data),
            file_base64=None if result.refused else base64.b64encode(data).decode("ascii"),
            mapping_text=None if result.refused else mapping_text,
            state="refused" if result.refused else "previewed",
            summary=_summary(result),
        )
        s.add(row)
    return _preview_page(request, staff, row, result)


def _summary(result: ImportResult) -> dict[str, object]:
    if result.file_problem:
        return {"file_problem": result.file_problem}
    assert result.plan is not None
    return result.plan.counts()


def _preview_page(
    request: Request, staff: Staff, row: EpisodeImport, result: ImportResult
) -> HTMLResponse:
    plan = result.plan
    return render(
        request,
        "import_preview.html",
        {
            "title": "Check the import" if not result.refused else "The file cannot be imported",
            "import_row": row,
            "result": result,
            "counts": plan.counts() if plan else {},
            "outcomes": plan.outcomes[:PREVIEW_ROWS] if plan else [],
            "more_rows": max(0, len(plan.outcomes) - PREVIEW_ROWS) if plan else 0,
            "problems": plan.problems if plan else [],
        },
        status=422 if result.refused else 200,
    )


@router.post("/import/{import_id}/apply", name="console.import_apply")
def apply(request: Request, import_id: str, staff: Importer, form: Form) -> Response:
    central = get_central(request)
    now = utcnow()
    with central.db.transaction() as s:
        row = s.get(EpisodeImport, import_id)
        if row is None or row.created_by != staff.actor:
            raise ConsoleError(404, "Page not found", "There is no such import waiting for you.")
        if row.state != "previewed" or row.file_base64 is None or row.mapping_text is None:
            raise ConsoleError(
                409,
                "This import is finished",
                "It was applied or refused already: upload the file again to import it again.",
            )
        data = base64.b64decode(row.file_base64)
        result = import_csv(
            s,
            data,
            row.mapping_text,
            file_name=row.file_name,
            actor=staff.actor,
            now=now,
            dry_run=False,
        )
        row.summary = _summary(result)
        if result.applied:
            row.state, row.applied_at = "applied", now
            row.file_base64 = row.mapping_text = None  # the file is not kept once applied
            assert result.plan is not None
            viewed(s, staff, "import_applied", result.plan.child_ids, import_id=row.id)
    if not result.applied:
        # Central changed since the preview (someone recorded an overlapping episode): show why.
        return _preview_page(request, staff, row, result)
    return RedirectResponse(f"{PREFIX}/import/{import_id}?done=imported", status_code=303)


@router.get("/import/{import_id}", name="console.import_done")
def done(request: Request, import_id: str, staff: Importer) -> HTMLResponse:
    central = get_central(request)
    with central.db.transaction() as s:
        row = s.get(EpisodeImport, import_id)
        if row is None or row.created_by != staff.actor:
            raise ConsoleError(404, "Page not found", "There is no such import.")
    return render(
        request,
        "import_done.html",
        {"title": "Import", "import_row": row, "counts": row.summary or {}},
    )
