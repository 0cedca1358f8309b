"""Evaluate a form over answers: relevance, calculations, constraints, required, progress.

This is what the interview wizard calls on every change, so it is one pass over a precompiled
plan (values and relevance, in dependency order) and one over the input questions (type checks,
choice filters, required, constraints). Nothing here raises because of a form's expressions or
an answer's content: a run-time problem (say an invalid pattern in regex()) is reported on the
question's state as ``error``, the question stays visible, and the answers are untouched.

Answers format::

    {"question_name": value, ...,
     "repeat_name": [{"question_name": value, "inner_repeat": [{...}, ...]}, ...]}

Values are JSON: str, int, float, bool, list[str] (select_multiple, rank); dates, times and
date-times are ISO strings; image/file answers are attachment ids. Missing keys, None, "" and []
all mean "not answered".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rhi_core.forms.expressions.compiler import Compiled, Context, Frame
from rhi_core.forms.expressions.values import is_empty, to_bool, to_number, to_string
from rhi_core.forms.labels import interpolate, text_in
from rhi_core.forms.plan import MAX_REPEAT_COUNT, Step, plan_of
from rhi_core.forms.schema import FormDefinition, Question

Answers = Mapping[str, Any]
EntryPath = tuple[tuple[str, int], ...]  # ((repeat, 0-based entry), ...) outermost first


@dataclass(slots=True)
class QuestionState:
    """The verdict on one question (in one repeat entry)."""

    name: str
    relevant: bool
    value: Any = ""  # the answer, or the calculated value; "" when unanswered or not relevant
    required_missing: bool = False
    valid: bool = True  # False when the constraint fails or the answer has the wrong type
    message: str | None = None  # why it is not valid, in the requested language
    error: str | None = None  # a run-time problem in one of the question's expressions
    choices: tuple[str, ...] | None = None  # a choice_filter's pick (None: the whole list)


@dataclass(slots=True)
class InstanceState:
    """One entry of a repeat (one person, place or vehicle), or the top level."""

    questions: dict[str, QuestionState]
    groups: dict[str, bool]  # relevance of groups inside the entry
    repeats: dict[str, list[InstanceState]] = field(default_factory=dict)  # nested repeats
    values: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    path: EntryPath = ()
    scopes: tuple[Mapping[str, Any], ...] = ()  # values seen here, innermost first

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(entries) for name, entries in self.repeats.items()}

    def lookup(self, name: str) -> Any:
        """The value of ``name`` as an expression here would read it ("" if none)."""
        for values in self.scopes:
            if name in values:
                return values[name]
        return ""

    def fill(self, text: str) -> str:
        """``text`` with each ``${name}`` replaced by that answer, as seen from here."""
        return interpolate(text, self.lookup)


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
    path: EntryPath = ()  # every repeat level, for nested repeats


@dataclass(frozen=True, slots=True)
class PendingValue:
    """A calculated value the form wants kept with the answers (``once()``)."""

    path: EntryPath
    name: str
    value: Any


@dataclass(slots=True)
class Evaluation:
    questions: dict[str, QuestionState]  # questions outside repeats
    groups: dict[str, bool]  # relevance of sections, groups and repeats outside repeats
    repeats: dict[str, list[InstanceState]]
    sections: list[SectionProgress] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # effective top-level values
    counts: dict[str, int] = field(default_factory=dict)  # entries of each relevant repeat
    title: str = ""  # the record's title from the form's instance_name ("" without one)
    pending: list[PendingValue] = field(default_factory=list)
    root: InstanceState | None = None
    context: Context | None = None  # the top level's, for expressions run after evaluation

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

    def instance(self, path: EntryPath) -> InstanceState | None:
        """The entry at ``path`` (the top level for ``()``)."""
        node = self.root
        for repeat, index in path:
            if node is None:
                return None
            entries = node.repeats.get(repeat, [])
            node = entries[index] if 0 <= index < len(entries) else None
        return node

    def lookup(self, name: str, path: EntryPath = ()) -> Any:
        inst = self.instance(path)
        return inst.lookup(name) if inst is not None else ""

    def fill(self, text: str, path: EntryPath = ()) -> str:
        """``text`` with ``${name}`` filled in from the answers, as seen from entry ``path``."""
        inst = self.instance(path)
        return inst.fill(text) if inst is not None else interpolate(text, lambda _n: "")

    def problems(self, form: FormDefinition, language: str | None = None) -> list[Problem]:
        plan = plan_of(form)
        out: list[Problem] = []

        def add(state: QuestionState, path: EntryPath) -> None:
            section = plan.section_of[state.name]
            repeat, index = path[-1] if path else (None, None)
            if state.error:
                out.append(Problem("error", state.name, section, state.error, repeat, index, path))
            if state.required_missing:
                msg = _required_message(form, state.name, language)
                out.append(Problem("required", state.name, section, msg, repeat, index, path))
            if not state.valid:
                msg = state.message or "This answer is not valid."
                out.append(Problem("invalid", state.name, section, msg, repeat, index, path))

        # Form order: a repeat's entries come where the repeat is, entry by entry.
        def visit(inst: InstanceState, scope: str | None, path: EntryPath) -> None:
            for name in plan.in_scope.get(scope, ()):
                if name in inst.questions:
                    add(inst.questions[name], path)
                elif name in inst.repeats:
                    for i, child in enumerate(inst.repeats[name]):
                        visit(child, name, (*path, (name, i)))

        if self.root is not None:
            visit(self.root, None, ())
        return out


def _required_message(form: FormDefinition, name: str, language: str | None) -> str:
    item = plan_of(form).items[name]
    if isinstance(item, Question) and item.required_message:
        return text_in(item.required_message, form, language)
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


def _meta_value(step: Step, answers: Answers, ctx: Context) -> Any:
    """Metadata is saved by the app (interview start, completion, device); until it is, the
    engine shows what it would be now, so expressions using it work in a fresh interview."""
    stored = answers.get(step.name)
    if not is_empty(stored):
        return stored
    if step.meta in ("start", "end"):
        return ctx.now.isoformat(timespec="seconds")
    if step.meta == "today":
        return ctx.now.date().isoformat()
    return ""


def _entries(answers: Answers, name: str) -> list[Mapping[str, Any]]:
    raw = answers.get(name)
    if not isinstance(raw, list):
        return []
    return [e if isinstance(e, Mapping) else {} for e in raw]


def _count(fn: Compiled, ctx: Context) -> tuple[int, str | None]:
    value, error = _run(fn, ctx)
    n = to_number(value)
    if not math.isfinite(n):
        return 0, error
    return max(0, min(MAX_REPEAT_COUNT, int(n))), error


def _step(step: Step, frame: Frame, pending: list[PendingValue], path_of: Any) -> None:
    """Relevance and value of one item in one entry (and a repeat's entries below it)."""
    parent = step.parent
    # A step directly inside its repeat runs in an entry that exists only if the repeat is.
    ok = True if parent is None or step.parent_is_scope else frame.rel.get(parent, False)
    error: str | None = None
    relevant = step.relevant
    if ok and relevant is not None:
        try:
            ok = to_bool(relevant(frame.ctx))
        except Exception as exc:  # noqa: BLE001 - see _run
            # If relevance cannot be worked out, show the question: hiding it could lose answers.
            error = str(exc) or exc.__class__.__name__
    name = step.name
    if step.is_group:
        frame.rel[name] = ok
        if step.is_repeat:
            _entries_of(step, frame, ok)
        return
    if step.calculate is None and step.meta is None:  # an answer (the common case)
        value: Any = frame.answers.get(name, "") if ok else ""
        if value is None:
            value = ""
    elif step.meta is not None:
        value = _meta_value(step, frame.answers, frame.ctx) if ok else ""
    else:
        value = ""
        if ok:
            value, calc_error = _calculate(step, frame, pending, path_of)
            error = error or calc_error
    frame.values[name] = value
    frame.states[name] = QuestionState(name, ok, value, error=error)


def _entries_of(step: Step, frame: Frame, ok: bool) -> None:
    """A repeat's entries in ``frame``: one per answered entry, or as many as its count."""
    children: list[Frame] = []
    name = step.name
    if ok:
        ctx = frame.ctx
        entries = _entries(frame.answers, name)
        count = len(entries)
        if step.repeat_count is not None:
            count, _ = _count(step.repeat_count, ctx)
        for i in range(count):
            answers = entries[i] if i < len(entries) else {}
            children.append(Frame(name, i, frame, answers, ctx.now, ctx.language))
    frame.children[name] = children


def _calculate(
    step: Step, frame: Frame, pending: list[PendingValue], path_of: Any
) -> tuple[Any, str | None]:
    ctx = frame.ctx
    name = step.name
    stored = frame.answers.get(name, "")
    ctx.stored = ctx.current = "" if stored is None else stored  # once() and "."
    assert step.calculate is not None
    value, error = _run(step.calculate, ctx)
    ctx.stored = ctx.current = ""
    value = _normalise(value, step.integer)
    if step.persist and not is_empty(value) and value != stored:
        pending.append(PendingValue(path_of(frame), name, value))
    return value, error


def _check(
    step: Step, frame: Frame, state: QuestionState, form: FormDefinition, language: str | None
) -> None:
    """Type, choices, required and constraint of one relevant input question."""
    ctx = frame.ctx
    value = state.value
    allowed: tuple[str, ...] | None = None
    if step.choice_filter is not None:
        try:
            allowed = step.choice_filter(ctx)
        except Exception as exc:  # noqa: BLE001 - see _run
            state.error = state.error or str(exc) or exc.__class__.__name__
        else:
            question = step.item
            assert isinstance(question, Question)
            if question.other and "other" not in allowed:
                allowed = (*allowed, "other")
            state.choices = allowed
    if not step.is_input:
        return
    if is_empty(value):
        required = step.required
        if step.required_when is not None:
            result, r_error = _run(step.required_when, ctx)
            required = not r_error and to_bool(result)
        state.required_missing = required
        return
    if step.check is not None:
        problem = step.check(value)
        if problem:
            state.valid = False
            state.message = problem
            return
    if allowed is not None:
        picked = value if isinstance(value, list) else [value]
        if any(to_string(v) not in allowed for v in picked):
            state.valid = False
            state.message = "That option does not fit the earlier answers; please choose again."
            return
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


def _path(frame: Frame) -> EntryPath:
    out: list[tuple[str, int]] = []
    node: Frame | None = frame
    while node is not None and node.repeat is not None:
        out.append((node.repeat, node.index))
        node = node.parent
    return tuple(reversed(out))


def _state_of(frame: Frame, path: EntryPath) -> InstanceState:
    scopes = tuple(reversed(list(frame.scopes.values())))
    return InstanceState(
        questions=frame.states,
        groups=frame.rel,
        repeats={
            name: [_state_of(child, (*path, (name, i))) for i, child in enumerate(children)]
            for name, children in frame.children.items()
        },
        values=frame.values,
        index=frame.index,
        path=path,
        scopes=scopes,
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
    chooses the language of constraint messages and jr:choice-name() (default: the form's).
    """
    plan = plan_of(form)
    if not isinstance(answers, Mapping):
        answers = {}
    moment = now or datetime.now()
    root = Frame(None, 0, None, answers, moment, language)
    frames: dict[str | None, list[Frame]] = {None: [root]}
    pending: list[PendingValue] = []
    for step in plan.steps:
        if step.scope is None:
            _step(step, root, pending, _path)
        else:
            for frame in frames.get(step.scope, ()):
                _step(step, frame, pending, _path)
        if step.is_repeat:
            frames[step.name] = [
                c for f in frames.get(step.scope, ()) for c in f.children.get(step.name, ())
            ]
    answered = dict.fromkeys(plan.section_names, 0)
    total = dict.fromkeys(plan.section_names, 0)
    for step in plan.checks:
        section = step.section
        for frame in frames.get(step.scope, ()):
            state = frame.states[step.name]
            if not state.relevant:
                continue
            _check(step, frame, state, form, language)
            if step.is_input:
                total[section] += 1
                if not is_empty(state.value):
                    answered[section] += 1
    top = _state_of(root, ())
    title = ""
    if plan.instance_name is not None:
        value, error = _run(plan.instance_name, root.ctx)
        title = "" if error else to_string(_normalise(value, False))
    evaluation = Evaluation(
        questions=top.questions,
        groups=top.groups,
        repeats=top.repeats,
        values=root.values,
        counts=top.counts,
        title=title,
        pending=pending,
        root=top,
        context=root.ctx,
    )
    evaluation.sections = [
        SectionProgress(name, root.rel.get(name, False), answered[name], total[name])
        for name in plan.section_names
    ]
    return evaluation


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


def record_title(form: FormDefinition, answers: Answers, *, now: datetime | None = None) -> str:
    """The record's title from the form's ``instance_name`` ("" when it has none)."""
    if form.instance_name is None:
        return ""
    return evaluate(form, answers, now=now).title


def set_value(answers: dict[str, Any], path: EntryPath, name: str, value: Any) -> str:
    """Store ``value`` for ``name`` in the entry at ``path`` of ``answers`` (in place); returns
    the top-level answer key that changed (the repeat's name for a value inside one)."""
    target: dict[str, Any] = answers
    for repeat, index in path:
        entries = target.get(repeat)
        if not isinstance(entries, list):
            entries = []
        entries = [dict(e) if isinstance(e, Mapping) else {} for e in entries]
        while len(entries) <= index:
            entries.append({})
        target[repeat] = entries
        target = entries[index]
    target[name] = value
    return path[0][0] if path else name


class FormState:
    """Namespace kept for callers that prefer ``FormState.evaluate(form, answers)``."""

    evaluate = staticmethod(evaluate)
    completion_problems = staticmethod(completion_problems)
