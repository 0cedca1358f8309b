"""Safeguarding risk flags defined in the form data (``risk_flags`` in the YAML).

A flag is raised when its ``when`` expression is true over the interview's answers (evaluated
after relevance, so answers to questions that no longer apply do not count). A flag whose
expression fails at run time is returned with ``error`` set rather than dropped: in
safeguarding, "could not be checked" must be seen, never silently read as "no concern".

Each raised flag also says *why*: the parts of its expression (the top-level ``or`` branches)
that are true, in the worker's words ("How were they contacted?: Social media"), so a worker
and a reviewer can see what the flag keyed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rhi_core.forms.evaluate import Answers, Evaluation, evaluate
from rhi_core.forms.expressions.ast import Binary, Call, Literal, Node, Ref
from rhi_core.forms.expressions.compiler import Compiled, Context, Env, compile_expr
from rhi_core.forms.expressions.parser import parse, refs_in
from rhi_core.forms.expressions.values import to_bool
from rhi_core.forms.labels import choice_label, text_in
from rhi_core.forms.plan import plan_of
from rhi_core.forms.schema import FormDefinition, Question, Text


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    label: Text
    prompts: tuple[Text, ...]
    error: str | None = None  # set when the flag's expression could not be evaluated
    reasons: tuple[str, ...] = ()  # the answers that raised it, in the worker's words


def compute_risk_flags(
    form: FormDefinition,
    answers: Answers,
    *,
    now: datetime | None = None,
    evaluation: Evaluation | None = None,
) -> list[RiskFlag]:
    """The form's flags that are raised by ``answers``, in form order.

    ``evaluation``: the answers' evaluation when the caller has it already (evaluating a big
    form twice on every keystroke is most of the cost of a keystroke)."""
    if evaluation is None:
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
            reasons = _reasons(form, flag.when, ctx, evaluation.values)
            raised.append(RiskFlag(flag.code, flag.label, flag.prompts, reasons=reasons))
    return raised


# --- why a flag was raised --------------------------------------------------------------------


def _branches(node: Node) -> list[Node]:
    if isinstance(node, Binary) and node.op == "or":
        return _branches(node.left) + _branches(node.right)
    return [node]


# (id of the form's plan, expression) -> (that plan, its compiled branches). The entry holds the
# plan, so its id cannot be reused by another plan while the entry exists.
_BRANCHES: dict[tuple[int, str], tuple[object, tuple[tuple[Node, Compiled], ...]]] = {}


def _compiled_branches(form: FormDefinition, expression: str) -> tuple[tuple[Node, Compiled], ...]:
    plan = plan_of(form)
    key = (id(plan), expression)
    hit = _BRANCHES.get(key)
    if hit is None:
        env = _top_env(form)
        hit = (plan, tuple((b, compile_expr(b, env)) for b in _branches(parse(expression))))
        if len(_BRANCHES) > 512:
            _BRANCHES.clear()
        _BRANCHES[key] = hit
    return hit[1]


def _top_env(form: FormDefinition) -> Env:
    """The compiler's view of the top level, as the form's own flags are compiled."""
    plan = plan_of(form)
    return Env(
        scope=None,
        repeat_of=plan.repeat_of,
        parent_repeat=plan.parent_repeat,
        repeats=frozenset(plan.parent_repeat),
        default_language=form.default_language,
    )


def _reasons(
    form: FormDefinition, expression: str, ctx: Context, values: dict[str, Any]
) -> tuple[str, ...]:
    out: list[str] = []
    try:
        branches = _compiled_branches(form, expression)
    except Exception:  # noqa: BLE001 - the flag itself evaluated; its explanation is a bonus
        return ()
    for node, fn in branches:
        try:
            if not to_bool(fn(ctx)):
                continue
        except Exception:  # noqa: BLE001
            continue
        text = _describe(form, node, values)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _question(form: FormDefinition, name: str) -> Question | None:
    item = form.item(name)
    return item if isinstance(item, Question) else None


def _label(form: FormDefinition, name: str) -> str:
    q = _question(form, name)
    text = (text_in(q.label, form, None) if q is not None else "") or name
    return text.rstrip(" ?")


def _value_text(form: FormDefinition, name: str, value: Any) -> str:
    q = _question(form, name)
    if q is not None and q.choices:
        for choice in form.choices.get(q.choices, ()):
            if choice.value == str(value):
                return choice_label(choice, form)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _describe(form: FormDefinition, node: Node, values: dict[str, Any]) -> str:
    if isinstance(node, Binary) and node.op == "and":
        parts = [_describe(form, n, values) for n in (node.left, node.right)]
        return " and ".join(p for p in parts if p)
    if isinstance(node, Binary) and node.op == "or":
        parts = [_describe(form, n, values) for n in _branches(node)]
        return " or ".join(p for p in parts if p)
    if isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
        ref, choice = node.args
        if isinstance(ref, Ref) and isinstance(choice, Literal):
            return f"{_label(form, ref.name)}: {_value_text(form, ref.name, choice.value)}"
    if isinstance(node, Binary) and node.op == "=":
        ref, lit = node.left, node.right
        if isinstance(ref, Literal) and isinstance(lit, Ref):
            ref, lit = lit, ref
        if isinstance(ref, Ref) and isinstance(lit, Literal):
            return f"{_label(form, ref.name)}: {_value_text(form, ref.name, lit.value)}"
    names = list(dict.fromkeys(r.name for r in refs_in(node)))
    shown = []
    for name in names:
        value = values.get(name)
        if value not in (None, "", []):
            shown.append(f"{_label(form, name)}: {_value_text(form, name, value)}")
    return "; ".join(shown)
