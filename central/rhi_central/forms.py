"""Published questionnaire definitions: stored as opaque YAML, keyed by their id and version.

The forms engine (rhi_core.forms) belongs to the desktop; when it is importable central
uses it to refuse a broken form at publish time and to check required answers at intake.
Without it central still checks what it can: the YAML parses and names its id and version.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

try:  # the engine is optional for central: a thin deployment may ship without it
    from rhi_core.forms import FormLoadError, completion_problems, load_yaml_text
    from rhi_core.forms.attachments import attachment_answers
except ImportError:  # pragma: no cover - exercised only in a stripped deployment
    load_yaml_text = None  # type: ignore[assignment]
    completion_problems = None  # type: ignore[assignment]
    attachment_answers = None  # type: ignore[assignment]
    FormLoadError = Exception  # type: ignore[assignment,misc]

ENGINE_AVAILABLE = load_yaml_text is not None
# Forms evaluate today()/now() in local time; RHIs are held in England.
FORMS_TIMEZONE = ZoneInfo("Europe/London")


class FormProblem(ValueError):
    """The form definition is not acceptable; one sentence for a human."""


def form_sha256(yaml_text: str) -> str:
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def read_identity(yaml_text: str) -> tuple[str, str]:
    """The form's top-level ``id`` and ``version``."""
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FormProblem(f"The form is not valid YAML{where}.") from None
    if not isinstance(data, dict):
        raise FormProblem("The form must be a YAML mapping with top-level 'id' and 'version'.")
    form_id, version = data.get("id"), data.get("version")
    if not isinstance(form_id, str) or not form_id.strip():
        raise FormProblem("The form has no top-level 'id'.")
    if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version):
        raise FormProblem("The form has no top-level 'version'.")
    return form_id.strip(), str(version).strip()


def parse(yaml_text: str) -> Any | None:
    """The engine's FormDefinition, or None without the engine; FormProblem if it is broken."""
    if load_yaml_text is None:
        return None
    try:
        return load_yaml_text(yaml_text, "<published form>")
    except FormLoadError as exc:
        errors = getattr(exc, "errors", ())
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        first = errors[0].message if errors else str(exc)
        raise FormProblem(f"The form has problems: {first}{more}.") from None


def answer_problems(definition: Any, answers: dict[str, Any], completed_at: datetime) -> list[str]:
    """Why these answers could not have been completed on this form (empty: fine)."""
    if definition is None or completion_problems is None:
        return []
    local_now = completed_at.astimezone(FORMS_TIMEZONE).replace(tzinfo=None)
    problems = completion_problems(definition, answers, now=local_now)
    return [f"{p.question}: {p.kind}" for p in problems]


def missing_attachments(definition: Any, answers: dict[str, Any], sent: set[str]) -> list[str]:
    """The image/file questions whose attachment is not among those ``sent`` with the payload."""
    if definition is None or attachment_answers is None:
        return []
    return [q for q, ref in attachment_answers(definition, answers) if ref not in sent]
