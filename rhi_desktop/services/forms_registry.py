"""Which questionnaire versions this laptop can open.

An interview is pinned to the (form id, version) it started on, so a draft never changes under
the worker when a newer questionnaire arrives. Built-in versions ship with the app; versions
published centrally arrive with sync.
"""

from __future__ import annotations

from functools import lru_cache

from rhi_desktop.forms.bundled import load_builtin
from rhi_desktop.forms.schema import FormDefinition
from rhi_desktop.store.errors import StoreError

DEFAULT_FORM = "rhi-v1"


class FormNotAvailable(StoreError):
    pass


@lru_cache(maxsize=8)
def _builtin(form_id: str) -> FormDefinition:
    return load_builtin(form_id)


def current_form() -> FormDefinition:
    """The questionnaire new interviews start on."""
    return _builtin(DEFAULT_FORM)


def get_form(form_id: str, version: str) -> FormDefinition:
    try:
        form = _builtin(form_id)
    except Exception as exc:  # an unknown id: the bundled loader says why
        raise FormNotAvailable(
            f"This interview uses questionnaire {form_id} {version}, which is not on this laptop; "
            "sync to fetch it."
        ) from exc
    if form.version != version:
        raise FormNotAvailable(
            f"This interview uses questionnaire {form_id} {version}, which is not on this laptop; "
            "sync to fetch it."
        )
    return form
