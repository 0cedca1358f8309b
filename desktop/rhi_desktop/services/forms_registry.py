"""Which questionnaire versions this laptop can open.

An interview is pinned to the (form id, version) it started on, so a draft never changes under
the worker when a newer questionnaire arrives. Built-in versions ship with the app; versions
published centrally arrive with sync and are kept in the encrypted store.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhi_core.forms.bundled import load_builtin
from rhi_core.forms.errors import FormLoadError
from rhi_core.forms.loader_yaml import load_yaml_text
from rhi_core.forms.schema import FormDefinition
from rhi_desktop.store.errors import StoreError
from rhi_desktop.store.models import FormVersion

DEFAULT_FORM = "rhi-v1"


class FormNotAvailable(StoreError):
    pass


@lru_cache(maxsize=8)
def _builtin(form_id: str) -> FormDefinition:
    return load_builtin(form_id)


@lru_cache(maxsize=16)
def _parsed(sha256: str, text: str, name: str) -> FormDefinition:
    return load_yaml_text(text, name)


def _missing(form_id: str, version: str) -> FormNotAvailable:
    return FormNotAvailable(
        f"This interview uses questionnaire {form_id} {version}, which is not on this laptop; "
        "sync to fetch it."
    )


def current_form(session: Session | None = None) -> FormDefinition:
    """The questionnaire new interviews start on: the newest one published to this laptop,
    or the built-in one."""
    if session is not None:
        row = session.execute(
            select(FormVersion.sha256, FormVersion.definition, FormVersion.form_id)
            .where(FormVersion.form_id == DEFAULT_FORM)
            .order_by(FormVersion.published_at.desc(), FormVersion.received_at.desc())
            .limit(1)
        ).first()
        if row is not None:
            return _parsed(row.sha256, row.definition, f"{row.form_id} (published)")
    return _builtin(DEFAULT_FORM)


def get_form(form_id: str, version: str, session: Session | None = None) -> FormDefinition:
    try:
        builtin = _builtin(form_id)
    except Exception:  # not a built-in id: it may have been published
        builtin = None
    if builtin is not None and builtin.version == version:
        return builtin
    if session is not None:
        row = session.execute(
            select(FormVersion.sha256, FormVersion.definition).where(
                FormVersion.form_id == form_id, FormVersion.version == version
            )
        ).first()
        if row is not None:
            return _parsed(row.sha256, row.definition, f"{form_id} {version}")
    raise _missing(form_id, version)


def store_published_form(
    session: Session, text: str, *, published_at: datetime | None = None
) -> FormDefinition:
    """Keep a centrally published version (validated first: a broken form is refused whole)."""
    try:
        form = load_yaml_text(text, "published form")
    except FormLoadError as exc:
        raise StoreError(f"The published questionnaire is not valid: {exc}") from exc
    sha = hashlib.sha256(text.encode()).hexdigest()
    existing = session.scalar(
        select(FormVersion).where(
            FormVersion.form_id == form.id, FormVersion.version == form.version
        )
    )
    if existing is None:
        session.add(
            FormVersion(
                form_id=form.id,
                version=form.version,
                sha256=sha,
                definition=text,
                published_at=published_at,
            )
        )
    elif existing.sha256 != sha:
        raise StoreError(
            f"Questionnaire {form.id} {form.version} was published again with different "
            "content; it was not replaced (ask the administrator to publish a new version)."
        )
    return form
