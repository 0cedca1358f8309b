"""Evaluate a form over answers: relevance, calculations, constraints, required, progress.

This is what the interview wizard calls on every change, so it is one pass over a precompiled
plan. Nothing here raises because of a form's expressions or an answer's content: a run-time
problem (say an invalid pattern in regex()) is reported on the question's state as ``error``,
the question stays visible, and the answers are untouched.

Answers format::

    {"question_name": value, ...,
     "repeat_name": [{"question_name": value, ...}, ...]}

Values are JSON: str, int, float, bool, list[str] (select_multiple); dates, times and date-times
are ISO strings. Missing keys, None, "" and [] all mean "not answered".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rhi_core.forms.expressions.compiler import Compiled, Context
from rhi_core.forms.expressions.values import is_empty, to_bool
from rhi_core.forms.labels import text_in
from rhi_core.forms.plan import Step
from rhi_core.forms.schema import FormDefinition, Question

Answers = Mapping[str, Any]


@dataclass(slots=True)
class QuestionState:
    """The verdict on one question (in one repeat instance)."""

    name: str
    relevant: bool
    value: Any = ""  # the answer, or the calculated value; "" when unanswered or not relevant
    required_missing: bool = False
    valid: bool = True  # False when the constraint fails or the answer has the wrong type
    message: str | None = None  # why it is not valid, in the requested language
    error: str | None = None  # a run-time problem in one of the question's expressions


@dataclass(slots=True)
class InstanceState:
    """One entry of a repeat (one person, place or vehicle)."""

    questions: dict[str, QuestionState]
    groups: dict[str, bool]  # relevance of groups inside the instance


@dataclass(frozen=True, slots=True)
class SectionProgress:
    name: str
    relevant: bool
    answered: int  # relevant input questions with an answer
    total: int  # relevant input questions (counting every repeat instance)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that stops an interview being completed."""

    kind: str  # "required", "invalid" or "error"
    question: str
    section: str
    message: str
    repeat: str | None = None
    index: int | None = None  # 0-based repeat instance


@dataclass(slots=True)
class Evaluation:
    questions: dict[str, QuestionState]  # questions outside repeats
    groups: dict[str, bool]  # relevance of sections, groups and repeats outside repeats
    repeats: dict[str, list[InstanceState]]
    sections: list[SectionProgress] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # effective top-level values
    counts: dict[str, int] = field(default_factory=dict)  # instances of each relevant repeat

    def state(
        self, name: str, index: int | None = None, repeat: str | None = None
    ) -> QuestionState:
        """The state of question ``name`` (in instance ``index`` of its repeat)."""
        if index is None:
            return self.questions[name]
        if repeat is None:
            repeat = next(
                r for r, insts in self.repeats.items() if insts and name in insts[0].questions
            )
        return self.repeats[repeat][index].questions[name]

    def problems(self, form: FormDefinition, language: str | None = None) -> list[Problem]:
        plan = form.plan
        out: list[Problem] = []

        def add(state: QuestionState, repeat: str | None, index: int | None) -> None:
            section = plan.section_of[state.name]
            if state.error:
                out.append(Problem("error", state.name, section, state.error, repeat, index))
            if state.required_missing:
                msg = _required_message(form, state.name, language)
                out.append(Problem("required", state.name, section, msg, repeat, index))
            if not state.valid:
                msg = state.message or "This answer is not valid."
                out.append(Problem("invalid", state.name, section, msg, repeat, index))

        # Form order: a repeat's entries come where the repeat is, entry by entry.
        for name in plan.document_order:
            if plan.repeat_of[name] is not None:
                continue
            if name in self.questions:
                add(self.questions[name], None, None)
            elif name in self.repeats:
                inner = [n for n in plan.document_order if plan.repeat_of[n] == name]
                for index, inst in enumerate(self.repeats[name]):
                    for q in inner:
                        if q in inst.questions:
                            add(inst.questions[q], name, index)
        return out


def _required_message(form: FormDefinition, name: str, language: str | None) -> str:
    item = form.plan.items[name]
    label = text_in(item.label, form, language) or name
    return f"Please answer: {label}"


def _normalise(value: Any, integer: bool) -> Any:
    """A calculated result as a JSON value: NaN/infinite numbers become unanswered."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if integer or value.is_integer():
            return int(round(value)) if integer else int(value)
    return value


def _run(fn: Compiled, ctx: Context) -> tuple[Any, str | None]:
    try:
        return fn(ctx), None
    except Exception as exc:  # noqa: BLE001 - a form's expression must never break the interview
        return "", str(exc) or exc.__class__.__name__


def _eval_steps(
    steps: list[Step],
    answers: Answers,
    values: dict[str, Any],
    rel: dict[str, bool],
    states: dict[str, QuestionState],
    ctx: Context,
    outer_rel: dict[str, bool],
    counts: dict[str, int] | None,
    language: str | None,
    form: FormDefinition,
) -> None:
    """Evaluate ``steps`` in order, filling ``values`` (seen by expressions), ``rel`` and
    ``states``. Runs once for the top level and once per repeat instance."""
    for step in steps:
        parent = step.parent
        if parent is None:
            ok = True
        elif step.parent_in_instance:
            ok = rel.get(parent, False)
        else:
            ok = outer_rel.get(parent, False)
        error: str | None = None
        if ok and step.relevant is not None:
            result, error = _run(step.relevant, ctx)
            # If relevance cannot be worked out, show the question: hiding it could lose answers.
            ok = True if error else to_bool(result)
        name = step.name
        if step.is_group:
            rel[name] = ok
            if counts is not None and name in form.plan.repeat_steps:
                instances = answers.get(name)
                counts[name] = len(instances) if ok and isinstance(instances, list) else 0
            continue
        if step.calculate is not None:
            value: Any = ""
            if ok:
                value, calc_error = _run(step.calculate, ctx)
                value = _normalise(value, step.integer)
                error = error or calc_error
        else:
            value = answers.get(name, "") if ok else ""
            if value is None:
                value = ""
        values[name] = value
        state = QuestionState(name, ok, value, error=error)
        states[name] = state
        if not ok or not step.is_input:
            continue
        if is_empty(value):
            state.required_missing = step.required
            continue
        if step.check is not None:
            problem = step.check(value)
            if problem:
                state.valid = False
                state.message = problem
                continue
        if step.constraint is not None:
            ctx.current = value
            verdict, c_error = _run(step.constraint, ctx)
            ctx.current = ""
            if c_error:
                state.error = state.error or c_error
            elif not to_bool(verdict):
                state.valid = False
                item = step.item
                assert isinstance(item, Question)
                state.message = text_in(item.constraint_message, form, language) or (
                    "This answer is not allowed."
                )


def evaluate(
    form: FormDefinition,
    answers: Answers,
    *,
    now: datetime | None = None,
    language: str | None = None,
) -> Evaluation:
    """Evaluate every question of ``form`` over ``answers`` (see the module doc for the format).

    ``now`` fixes today()/now() (local time, naive) for reproducible results; ``language``
    chooses the language of constraint messages (default: the form's default language).
    """
    plan = form.plan
    if not isinstance(answers, Mapping):
        answers = {}
    moment = now or datetime.now()
    values: dict[str, Any] = {}
    rel: dict[str, bool] = {}
    counts: dict[str, int] = {}
    states: dict[str, QuestionState] = {}
    ctx = Context(values, moment, counts)
    _eval_steps(plan.top_steps, answers, values, rel, states, ctx, rel, counts, language, form)
    repeats: dict[str, list[InstanceState]] = {}
    for repeat, steps in plan.repeat_steps.items():
        instances = answers.get(repeat)
        if not isinstance(instances, list):
            instances = []
        out: list[InstanceState] = []
        for raw in instances:
            inst_answers = raw if isinstance(raw, Mapping) else {}
            inst_values: dict[str, Any] = {}
            inst_rel: dict[str, bool] = {}
            inst_states: dict[str, QuestionState] = {}
            inst_ctx = Context(values, moment, counts, inst_values)
            _eval_steps(
                steps, inst_answers, inst_values, inst_rel, inst_states, inst_ctx, rel, None,
                language, form,
            )  # fmt: skip
            out.append(InstanceState(inst_states, inst_rel))
        repeats[repeat] = out
    evaluation = Evaluation(states, rel, repeats, values=values, counts=counts)
    evaluation.sections = _progress(form, evaluation)
    return evaluation


def _progress(form: FormDefinition, ev: Evaluation) -> list[SectionProgress]:
    plan = form.plan
    answered = dict.fromkeys(plan.section_names, 0)
    total = dict.fromkeys(plan.section_names, 0)

    def count(step: Step, state: QuestionState) -> None:
        if step.is_input and state.relevant:
            total[step.section] += 1
            if not is_empty(state.value):
                answered[step.section] += 1

    for step in plan.top_steps:
        if not step.is_group:
            count(step, ev.questions[step.name])
    for repeat, steps in plan.repeat_steps.items():
        for inst in ev.repeats.get(repeat, ()):
            for step in steps:
                if not step.is_group:
                    count(step, inst.questions[step.name])
    return [
        SectionProgress(name, ev.groups.get(name, False), answered[name], total[name])
        for name in plan.section_names
    ]


def completion_problems(
    form: FormDefinition,
    answers: Answers,
    *,
    now: datetime | None = None,
    language: str | None = None,
) -> list[Problem]:
    """Everything that stops completion: missing required answers, invalid answers and
    expression errors, in form order, with question, section and repeat index."""
    return evaluate(form, answers, now=now, language=language).problems(form, language)


class FormState:
    """Namespace kept for callers that prefer ``FormState.evaluate(form, answers)``."""

    evaluate = staticmethod(evaluate)
    completion_problems = staticmethod(completion_problems)
