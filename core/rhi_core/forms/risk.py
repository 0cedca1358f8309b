"""Safeguarding risk flags defined in the form data (``risk_flags`` in the YAML).

A flag is raised when its ``when`` expression is true over the interview's answers (evaluated
after relevance, so answers to questions that no longer apply do not count). A flag whose
expression fails at run time is returned with ``error`` set rather than dropped: in
safeguarding, "could not be checked" must be seen, never silently read as "no concern".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rhi_core.forms.evaluate import Answers, evaluate
from rhi_core.forms.expressions.values import to_bool
from rhi_core.forms.plan import plan_of
from rhi_core.forms.schema import FormDefinition, Text


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    label: Text
    prompts: tuple[Text, ...]
    error: str | None = None  # set when the flag's expression could not be evaluated


def compute_risk_flags(
    form: FormDefinition, answers: Answers, *, now: datetime | None = None
) -> list[RiskFlag]:
    """The form's flags that are raised by ``answers``, in form order."""
    evaluation = evaluate(form, answers, now=now)
    ctx = evaluation.context
    assert ctx is not None
    raised: list[RiskFlag] = []
    for flag, fn in plan_of(form).flags:
        try:
            hit = to_bool(fn(ctx))
        except Exception as exc:  # noqa: BLE001 - see module doc
            raised.append(RiskFlag(flag.code, flag.label, flag.prompts, str(exc) or "error"))
            continue
        if hit:
            raised.append(RiskFlag(flag.code, flag.label, flag.prompts))
    return raised
