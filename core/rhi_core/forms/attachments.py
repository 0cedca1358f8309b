"""Which answers are attachments: the image and file questions, in every repeat entry.

An image/file answer is the id of an attachment kept beside the answers (in the laptop's
encrypted store, in the payload sent to central). Both sides find them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rhi_core.forms.plan import plan_of
from rhi_core.forms.schema import ATTACHMENT_TYPES, FormDefinition, Group, Question


def attachment_answers(
    form: FormDefinition, answers: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """``(question, attachment id)`` for every answered image/file question."""
    plan = plan_of(form)

    def visit(scope: str | None, values: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        for name in plan.in_scope.get(scope, ()):
            item = plan.items[name]
            if isinstance(item, Group) and item.kind == "repeat":
                entries = values.get(name)
                if isinstance(entries, list):
                    for entry in entries:
                        if isinstance(entry, Mapping):
                            yield from visit(name, entry)
            elif isinstance(item, Question) and item.type in ATTACHMENT_TYPES:
                value = values.get(name)
                if isinstance(value, str) and value:
                    yield name, value

    yield from visit(None, answers)
