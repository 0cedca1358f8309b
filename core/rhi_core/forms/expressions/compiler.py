"""Compile an expression AST into a tree of Python closures.

Evaluating a closure tree is several times faster than walking the AST on every keystroke, which
keeps a 200-question form well inside the wizard's frame budget.

Where a ``${name}`` is read from is decided here, once: from the entry of the repeat the
expression belongs to, from an enclosing repeat's entry, or from the top level. Inside the
node-set functions (``count``, ``sum``, ``join``...) a name may also be a question of a repeat
nested below, whose values are then gathered across its entries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rhi_core.forms.expressions.ast import (
    Binary,
    Call,
    Column,
    Current,
    Literal,
    Node,
    Parent,
    Ref,
    Unary,
)
from rhi_core.forms.expressions.functions import EAGER
from rhi_core.forms.expressions.values import (
    NAN,
    compare,
    equals,
    is_empty,
    to_bool,
    to_number,
    to_string,
)


class Frame:
    """One entry of a repeat (or the top level, ``repeat`` None) while a form is evaluated."""

    __slots__ = (
        "repeat",
        "index",
        "parent",
        "answers",
        "values",
        "rel",
        "states",
        "children",
        "scopes",
        "frames",
        "ctx",
    )

    def __init__(
        self,
        repeat: str | None,
        index: int,
        parent: Frame | None,
        answers: Mapping[str, Any],
        now: datetime,
        language: str | None = None,
    ) -> None:
        self.repeat = repeat
        self.index = index  # 0-based entry number
        self.parent = parent
        self.answers = answers
        self.values: dict[str, Any] = {}  # what expressions see: "" when not relevant
        self.rel: dict[str, bool] = {}
        self.states: dict[str, Any] = {}
        self.children: dict[str, list[Frame]] = {}  # nested repeat -> its entries
        if parent is None:
            self.scopes: dict[str | None, dict[str, Any]] = {repeat: self.values}
            self.frames: dict[str | None, Frame] = {repeat: self}
        else:
            self.scopes = parent.scopes.copy()
            self.scopes[repeat] = self.values
            self.frames = parent.frames.copy()
            self.frames[repeat] = self
        self.ctx = Context(self.scopes, self.frames, self, now, language)


class Context:
    """What an expression can see while it runs."""

    __slots__ = ("scopes", "frames", "frame", "now", "language", "current", "stored", "choice")

    def __init__(
        self,
        scopes: dict[str | None, dict[str, Any]],
        frames: dict[str | None, Frame],
        frame: Frame | None,
        now: datetime,
        language: str | None = None,
    ) -> None:
        self.scopes = scopes
        self.frames = frames
        self.frame = frame
        self.now = now
        self.language = language
        self.current: Any = ""  # ".": the answer a constraint checks
        self.stored: Any = ""  # the saved value of the calculation running (for once())
        self.choice: Mapping[str, str] = {}  # the choice a choice_filter is looking at


Compiled = Callable[[Context], Any]


@dataclass(frozen=True)
class Env:
    """What the compiler needs to know about the form around an expression."""

    scope: str | None = None  # the repeat the expression belongs to (None: top level)
    repeat_of: Mapping[str, str | None] = field(default_factory=dict)  # item -> its repeat
    parent_repeat: Mapping[str, str | None] = field(default_factory=dict)  # repeat -> outer
    repeats: frozenset[str] = frozenset()
    # select question -> choice value -> label by language (for jr:choice-name)
    choice_labels: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    default_language: str = "en"

    def chain(self, repeat: str | None) -> list[str | None]:
        """``repeat`` and the repeats around it, innermost first, ending with None (top)."""
        out: list[str | None] = []
        seen: set[str | None] = set()
        while repeat is not None and repeat not in seen:
            seen.add(repeat)
            out.append(repeat)
            repeat = self.parent_repeat.get(repeat)
        out.append(None)
        return out


def compile_expr(node: Node, env: Env | None = None) -> Compiled:
    """Compile ``node`` for the scope described by ``env``."""
    return _Compiler(env or Env()).compile(node)


def collect(frame: Frame, path: tuple[str, ...]) -> list[Frame]:
    """The entries reached from ``frame`` by going down the repeats in ``path``."""
    frames = [frame]
    for repeat in path:
        frames = [c for f in frames for c in f.children.get(repeat, ())]
    return frames


def ref_target(text: str) -> str | None:
    """The question named by jr:choice-name's second argument ('${q}' or '/data/g/q')."""
    text = text.strip()
    m = re.fullmatch(r"\$\{\s*([^}\s]+)\s*\}", text)
    if m:
        return m[1]
    if text.startswith("/") or text.startswith(".."):
        tail = text.rstrip("/").rsplit("/", 1)[-1]
        return tail or None
    return None


def _div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return NAN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _mod(x: float, y: float) -> float:
    if y == 0 or math.isinf(x):
        return NAN
    return math.fmod(x, y)


_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "div": _div,
    "mod": _mod,
}


def _pick_label(labels: Mapping[str, str], language: str | None, default: str) -> str:
    for code in (language, default, "en"):
        if code and labels.get(code):
            return labels[code]
    return next(iter(labels.values()), "")


class _Compiler:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.chain = env.chain(env.scope)

    # -- where names are read from -------------------------------------------------------

    def _target(self, name: str) -> str | None:
        """The repeat whose entries hold ``name``'s values (a repeat holds its own entries)."""
        if name in self.env.repeats:
            return name
        return self.env.repeat_of.get(name)

    def path_to(self, repeat: str | None) -> tuple[str | None, tuple[str, ...]]:
        """From which frame of the current chain, and down which repeats, ``repeat``'s entries
        are reached."""
        if repeat is None:
            return None, ()
        target_chain = self.env.chain(repeat)
        if repeat in self.chain:  # inside it: all of its entries, siblings included
            anchor = self.env.parent_repeat.get(repeat)
            return anchor, (repeat,)
        anchor = next((r for r in self.chain if r in target_chain), None)
        down = target_chain[: target_chain.index(anchor)]
        return anchor, tuple(r for r in reversed(down) if r is not None)

    def compile(self, node: Node) -> Compiled:
        if isinstance(node, Literal):
            value = node.value
            return lambda ctx: value
        if isinstance(node, Ref):
            return self.ref(node.name)
        if isinstance(node, Current):
            return lambda ctx: ctx.current
        if isinstance(node, Column):
            column = node.name
            return lambda ctx: ctx.choice.get(column, "")
        if isinstance(node, Parent):
            return lambda ctx: ""
        if isinstance(node, Unary):
            operand = self.compile(node.operand)
            return lambda ctx: -to_number(operand(ctx))
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def ref(self, name: str) -> Compiled:
        target = self._target(name)
        if name in self.env.repeats:
            return self.count_of(name)
        if target in self.chain:
            return lambda ctx: ctx.scopes[target].get(name, "")
        # A question of a repeat this expression is not inside: its first entry, as XPath
        # reads a node set where one value is expected (the loader only allows it in node-set
        # functions, so this is a fallback).
        values = self.values_of(name)
        return lambda ctx: next(iter(values(ctx)), "")

    def frames_of(self, repeat: str) -> Callable[[Context], list[Frame]]:
        anchor, path = self.path_to(repeat)
        return lambda ctx: collect(ctx.frames[anchor], path) if anchor in ctx.frames else []

    def count_of(self, repeat: str) -> Compiled:
        frames = self.frames_of(repeat)
        return lambda ctx: float(len(frames(ctx)))

    def values_of(self, name: str) -> Callable[[Context], list[Any]]:
        """Every value of ``name`` this expression can see (one, or one per repeat entry)."""
        target = self._target(name)
        if target in self.chain:
            return lambda ctx: [ctx.scopes[target].get(name, "")]
        frames = self.frames_of(target)  # type: ignore[arg-type]
        return lambda ctx: [f.values.get(name, "") for f in frames(ctx)]

    def nodeset(self, node: Node) -> Callable[[Context], list[Any]]:
        if isinstance(node, Ref):
            return self.values_of(node.name)
        fn = self.compile(node)
        return lambda ctx: [fn(ctx)]

    # -- operators and functions ---------------------------------------------------------

    def binary(self, node: Binary) -> Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op == "and":
            return lambda ctx: to_bool(left(ctx)) and to_bool(right(ctx))
        if op == "or":
            return lambda ctx: to_bool(left(ctx)) or to_bool(right(ctx))
        if op == "=":
            return lambda ctx: equals(left(ctx), right(ctx))
        if op == "!=":
            return lambda ctx: not equals(left(ctx), right(ctx))
        if op in ("<", "<=", ">", ">="):
            return lambda ctx: compare(op, left(ctx), right(ctx))
        arith = _ARITH[op]
        return lambda ctx: arith(to_number(left(ctx)), to_number(right(ctx)))

    def call(self, node: Call) -> Compiled:
        name = node.name
        special = getattr(self, "fn_" + name.replace("-", "_").replace(":", "_"), None)
        if special is not None:
            return special(node)  # type: ignore[no-any-return]
        args = [self.compile(a) for a in node.args]
        func = EAGER[name]
        if not args:
            return lambda ctx: func()
        if len(args) == 1:
            (only,) = args
            return lambda ctx: func(only(ctx))
        if len(args) == 2:
            a, b = args
            return lambda ctx: func(a(ctx), b(ctx))
        return lambda ctx: func(*(f(ctx) for f in args))

    def fn_today(self, node: Call) -> Compiled:
        return lambda ctx: ctx.now.date().isoformat()

    def fn_now(self, node: Call) -> Compiled:
        return lambda ctx: ctx.now.isoformat(timespec="seconds")

    def fn_if(self, node: Call) -> Compiled:
        cond, yes, no = (self.compile(a) for a in node.args)
        return lambda ctx: yes(ctx) if to_bool(cond(ctx)) else no(ctx)

    def fn_coalesce(self, node: Call) -> Compiled:
        first, second = (self.compile(a) for a in node.args)

        def run(ctx: Context) -> Any:
            value = first(ctx)
            return second(ctx) if is_empty(value) else value

        return run

    def fn_once(self, node: Call) -> Compiled:
        inner = self.compile(node.args[0])
        return lambda ctx: inner(ctx) if is_empty(ctx.stored) else ctx.stored

    def fn_position(self, node: Call) -> Compiled:
        # position(..): the number (from 1) of the repeat entry being evaluated.
        return lambda ctx: float(ctx.frame.index + 1) if ctx.frame is not None else 1.0

    def fn_count(self, node: Call) -> Compiled:
        arg = node.args[0]
        if isinstance(arg, Ref):
            target = self._target(arg.name)
            if target is not None and (arg.name in self.env.repeats or target not in self.chain):
                return self.count_of(target)
        inner = self.compile(arg)  # count of a plain value: 1 if answered, as ODK does
        return lambda ctx: 0.0 if is_empty(inner(ctx)) else 1.0

    def fn_count_non_empty(self, node: Call) -> Compiled:
        values = self.nodeset(node.args[0])
        return lambda ctx: float(sum(1 for v in values(ctx) if not is_empty(v)))

    def fn_sum(self, node: Call) -> Compiled:
        values = self.nodeset(node.args[0])
        return lambda ctx: math.fsum(to_number(v) for v in values(ctx))

    def _extreme(self, node: Call, pick: Callable[[list[float]], float]) -> Compiled:
        if len(node.args) == 1:
            values = self.nodeset(node.args[0])
        else:
            parts = [self.compile(a) for a in node.args]

            def values(ctx: Context) -> list[Any]:
                return [p(ctx) for p in parts]

        def run(ctx: Context) -> float:
            numbers = [to_number(v) for v in values(ctx)]
            if not numbers or any(math.isnan(x) for x in numbers):
                return NAN
            return pick(numbers)

        return run

    def fn_max(self, node: Call) -> Compiled:
        return self._extreme(node, max)

    def fn_min(self, node: Call) -> Compiled:
        return self._extreme(node, min)

    def fn_join(self, node: Call) -> Compiled:
        sep = self.compile(node.args[0])
        if len(node.args) == 2:
            values = self.nodeset(node.args[1])
        else:
            parts = [self.compile(a) for a in node.args[1:]]

            def values(ctx: Context) -> list[Any]:
                return [p(ctx) for p in parts]

        return lambda ctx: to_string(sep(ctx)).join(to_string(v) for v in values(ctx))

    def fn_indexed_repeat(self, node: Call) -> Compiled:
        """indexed-repeat(${q}, ${repeat}, n[, ${inner}, m...]): q in the n-th entry (from 1)."""
        target, *rest = node.args
        name = target.name if isinstance(target, Ref) else ""
        levels: list[tuple[str, Compiled]] = []
        for i in range(0, len(rest) - 1, 2):
            rep = rest[i]
            levels.append((rep.name if isinstance(rep, Ref) else "", self.compile(rest[i + 1])))
        env = self.env
        goal = self._target(name)

        def run(ctx: Context) -> Any:
            frame: Frame | None = ctx.frames.get(None)
            at: str | None = None
            for repeat, index in levels:
                if frame is None:
                    return ""
                chain = env.chain(repeat)
                path = [r for r in reversed(chain[: chain.index(at)]) if r is not None]
                candidates = collect(frame, tuple(path))
                n = to_number(index(ctx))
                if not math.isfinite(n) or not 1 <= int(n) <= len(candidates):
                    return ""
                frame, at = candidates[int(n) - 1], repeat
            if frame is None:
                return ""
            if goal != at:
                chain = env.chain(goal)
                if at not in chain:
                    return ""
                path = [r for r in reversed(chain[: chain.index(at)]) if r is not None]
                below = collect(frame, tuple(path))
                if not below:
                    return ""
                frame = below[0]
            return frame.values.get(name, "")

        return run

    def fn_jr_choice_name(self, node: Call) -> Compiled:
        value = self.compile(node.args[0])
        ref = node.args[1]
        question = ref_target(str(ref.value)) if isinstance(ref, Literal) else None
        labels = self.env.choice_labels.get(question or "", {})
        default = self.env.default_language

        def run(ctx: Context) -> str:
            v = value(ctx)
            codes = [to_string(x) for x in v] if isinstance(v, list) else [to_string(v)]
            out = [
                _pick_label(labels[c], ctx.language, default) if c in labels else c
                for c in codes
                if c
            ]
            return " ".join(out)

        return run
