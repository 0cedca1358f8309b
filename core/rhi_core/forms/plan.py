"""Static analysis of a form's expressions and the evaluation plan built from it.

At load time every expression is parsed, every ``${name}`` resolved against the form (also those
in labels and hints), repeat scoping checked, and calculate/relevant dependencies sorted; cycles
are errors. The result is a ``Plan``: compiled closures in dependency order, so evaluation is a
single pass (plus one for checks) with no lookups by name beyond plain dict reads.

Scopes: every item lives at the top level or in a repeat (repeats may be nested: people within
places). An expression sees its own entry, the entries of the repeats around it and the top
level; a question of a repeat below is reached only through the node-set functions
(``count``, ``sum``, ``min``, ``max``, ``join``, ``count-non-empty``, ``indexed-repeat``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rhi_core.forms.answer_types import Checker, checker
from rhi_core.forms.errors import WARNING, FormError, FormLoadError, Place
from rhi_core.forms.expressions.ast import Binary, Call, Column, Current, Literal, Node, Ref
from rhi_core.forms.expressions.compiler import Compiled, Context, Env, compile_expr, ref_target
from rhi_core.forms.expressions.functions import NODESET_FUNCTIONS, check_regex
from rhi_core.forms.expressions.lexer import ExprSyntaxError
from rhi_core.forms.expressions.parser import parse, walk
from rhi_core.forms.expressions.values import to_bool
from rhi_core.forms.schema import (
    META_TYPES,
    Choice,
    FormDefinition,
    Group,
    Item,
    Question,
    RiskFlagDef,
)

REF_IN_TEXT = re.compile(r"\$\{([^}]*)\}")
# A counted repeat never gets more entries than this, whatever its expression says.
MAX_REPEAT_COUNT = 500
ChoiceFilter = Callable[[Context], tuple[str, ...]]


@dataclass(slots=True)
class Step:
    """One item to evaluate, in dependency order, in every entry of its scope."""

    name: str
    item: Item
    is_group: bool
    parent: str | None  # nearest enclosing group, section or repeat
    parent_is_scope: bool  # that parent is the repeat whose entry this step runs in
    section: str
    scope: str | None  # the repeat whose entries hold this item (None: top level)
    relevant: Compiled | None = None
    calculate: Compiled | None = None
    constraint: Compiled | None = None
    required_when: Compiled | None = None
    choice_filter: ChoiceFilter | None = None
    repeat_count: Compiled | None = None
    check: Checker | None = None
    required: bool = False
    is_input: bool = False
    is_repeat: bool = False
    integer: bool = False  # round calculated results for integer questions
    meta: str | None = None  # metadata type (start, end, today, deviceid, username)
    persist: bool = False  # a calculation using once(): its value is saved with the answers


@dataclass
class Plan:
    items: dict[str, Item]
    parents: dict[str, tuple[Group, ...]]
    section_of: dict[str, str]
    repeat_of: dict[str, str | None]  # item -> the repeat holding it (a repeat -> the outer one)
    parent_repeat: dict[str, str | None]  # repeat -> the repeat around it
    steps: list[Step]  # dependency order
    checks: list[Step]  # input questions and their constraints, checked after all values
    section_names: list[str]
    flags: list[tuple[RiskFlagDef, Compiled]]
    other_of: dict[str, str] = field(default_factory=dict)  # free-text name -> select name
    document_order: list[str] = field(default_factory=list)  # every item, as written
    in_scope: dict[str | None, list[str]] = field(default_factory=dict)  # scope -> its items
    instance_name: Compiled | None = None
    texts_with_refs: dict[str, frozenset[str]] = field(default_factory=dict)  # item -> attrs

    @property
    def top_steps(self) -> list[Step]:
        return [s for s in self.steps if s.scope is None]

    def repeat_chain(self, repeat: str | None) -> list[str]:
        """``repeat`` and the repeats around it, outermost first."""
        out: list[str] = []
        while repeat is not None:
            out.append(repeat)
            repeat = self.parent_repeat.get(repeat)
        return list(reversed(out))


def plan_of(form: FormDefinition) -> Plan:
    """The form's plan, built (and its expressions checked) on first use."""
    plan = form._plan
    if plan is None:
        plan = build_plan(form)
        object.__setattr__(form, "_plan", plan)
    return plan  # type: ignore[no-any-return]


def build_plan(form: FormDefinition) -> Plan:
    """Plan for a form built in code; raises FormLoadError if its expressions are wrong."""
    plan, errors = analyse(form)
    if errors:
        raise FormLoadError(errors)
    return plan


def other_question(question: Question) -> Question:
    """The implicit free-text question that goes with a select's "other" choice."""
    return Question(
        name=question.other_name,
        type="text",
        label=question.other_label,
        relevant=f"selected(${{{question.name}}}, 'other')",
        place=question.place,
    )


def analyse(
    form: FormDefinition,
    places: Mapping[tuple[str, str], Place] | None = None,
    known_names: Collection[str] = (),
    text_places: Mapping[tuple[str, str], Place] | None = None,
) -> tuple[Plan, list[FormError]]:
    return _Analyser(form, places or {}, set(known_names), text_places or {}).run()


_QUESTION_EXPRESSIONS = ("relevant", "calculate", "constraint", "required_when", "choice_filter")
_GROUP_EXPRESSIONS = ("relevant", "repeat_count")
_TEXT_ATTRS = ("label", "label_yp", "hint", "guidance", "constraint_message", "required_message")


class _Analyser:
    def __init__(
        self,
        form: FormDefinition,
        places: Mapping[tuple[str, str], Place],
        known: set[str],
        text_places: Mapping[tuple[str, str], Place],
    ) -> None:
        self.form = form
        self.places = places
        self.text_places = text_places
        self.known = known
        self.errors: list[FormError] = []
        self.items: dict[str, Item] = {}
        self.parents: dict[str, tuple[Group, ...]] = {}
        self.order: list[str] = []  # document order
        self.other_of: dict[str, str] = {}
        self.asts: dict[tuple[str, str], Node] = {}
        self.repeat_of: dict[str, str | None] = {}
        self.parent_repeat: dict[str, str | None] = {}

    def place(self, name: str, attr: str) -> Place:
        if (name, attr) in self.places:
            return self.places[(name, attr)]
        item = self.items.get(name)
        return item.place if item is not None else Place(self.form.source)

    def run(self) -> tuple[Plan, list[FormError]]:
        for item, parents in self.form.walk():
            self.add(item, parents)
            if isinstance(item, Question) and item.other:
                extra = other_question(item)
                self.add(extra, parents)
                self.other_of[extra.name] = item.name
        for name in self.order:
            repeats = [p.name for p in self.parents[name] if p.kind == "repeat"]
            self.repeat_of[name] = repeats[-1] if repeats else None
            if _is_repeat(self.items[name]):
                self.parent_repeat[name] = self.repeat_of[name]
        self.repeats = frozenset(self.parent_repeat)
        for name in self.order:
            item = self.items[name]
            scope = self.scope_of(name)
            attrs = _GROUP_EXPRESSIONS if isinstance(item, Group) else _QUESTION_EXPRESSIONS
            for attr in attrs:
                text = getattr(item, attr, None)
                if text is not None:
                    # A repeat's relevance and count are worked out in the entry around it.
                    where = self.repeat_of[name] if isinstance(item, Group) else scope
                    self.check_expression(name, attr, text, where)
        self.texts_with_refs = self.check_texts()
        if self.form.instance_name:
            before = len(self.errors)
            self.check_expression(
                "form:instance_name", "instance_name", self.form.instance_name, None
            )
            # The title is a convenience: a broken one is left out, not a reason to refuse.
            self.errors[before:] = [
                FormError(f"{e.message}; records get the usual title", e.place, WARNING)
                for e in self.errors[before:]
            ]
        flag_asts: list[tuple[RiskFlagDef, Node]] = []
        for flag in self.form.risk_flags:
            owner = f"flag:{flag.code}"
            ast = self.check_expression(owner, "when", flag.when, None, flag.place)
            if ast is not None:
                flag_asts.append((flag, ast))
        order = self.sort()
        plan = self.make_plan(order, flag_asts)
        return plan, self.errors

    def add(self, item: Item, parents: tuple[Group, ...]) -> None:
        # Duplicates were reported by the builder; the first one wins here.
        if item.name not in self.items:
            self.items[item.name] = item
            self.parents[item.name] = parents
            self.order.append(item.name)

    def scope_of(self, name: str) -> str | None:
        """The repeat whose entries an item's own expressions run in (a repeat: itself)."""
        return name if _is_repeat(self.items.get(name)) else self.repeat_of.get(name)

    def chain(self, repeat: str | None) -> list[str | None]:
        out: list[str | None] = []
        while repeat is not None:
            out.append(repeat)
            repeat = self.parent_repeat.get(repeat)
        return [*out, None]

    def describe(self, owner: str) -> str:
        if owner.startswith("flag:"):
            return f"risk flag '{owner[5:]}'"
        if owner.startswith("form:"):
            return "the form"
        item = self.items[owner]
        kind = item.kind if isinstance(item, Group) else "question"
        return f"{kind} '{owner}'"

    def check_expression(
        self, owner: str, attr: str, text: str, scope: str | None, place: Place | None = None
    ) -> Node | None:
        where = self.places.get((owner, attr)) or place or self.place(owner, attr)
        shown = "required" if attr == "required_when" else attr
        what = f"{self.describe(owner)}: {shown}"
        try:
            ast = parse(text, columns=attr == "choice_filter")
        except ExprSyntaxError as exc:
            self.errors.append(FormError(f"{what}: {exc.message} at column {exc.column}", where))
            return None
        ok = True
        nodeset_args = {
            id(arg)
            for n in walk(ast)
            if isinstance(n, Call) and n.name in NODESET_FUNCTIONS
            for arg in n.args
        }
        for node in walk(ast):
            if isinstance(node, Column):
                # A column no choice has reads as empty, as in ODK: worth a warning, not a refusal.
                problem = self.column_problem(node, owner)
                if problem:
                    self.errors.append(FormError(f"{what}: {problem}", where, WARNING))
                continue
            problem = self.node_problem(node, owner, attr, scope, id(node) in nodeset_args)
            if problem:
                self.errors.append(FormError(f"{what}: {problem}", where))
                ok = False
        if not ok:
            return None
        self.asts[(owner, attr)] = ast
        return ast

    def node_problem(
        self, node: Node, owner: str, attr: str, scope: str | None, in_nodeset: bool
    ) -> str | None:
        if isinstance(node, Current) and attr not in ("constraint", "calculate"):
            return f"'.' (this answer) can only be used in a constraint (column {node.column})"
        if isinstance(node, Call):
            return self.call_problem(node)
        if not isinstance(node, Ref):
            return None
        return self.ref_problem(node.name, node.column, scope, in_nodeset)

    def call_problem(self, node: Call) -> str | None:
        if node.name == "count":
            arg = node.args[0]
            target = self.items.get(arg.name) if isinstance(arg, Ref) else None
            if not (
                _is_repeat(target)
                or (isinstance(target, Question) and self.repeat_of.get(target.name))
            ):
                return f"count() needs a repeat, like count(${{people}}) (column {node.column})"
        if node.name == "indexed-repeat":
            first, *rest = node.args
            if not isinstance(first, Ref) or self.repeat_of.get(first.name) is None:
                return (
                    "indexed-repeat() needs a question inside a repeat first, like "
                    f"indexed-repeat(${{age}}, ${{people}}, 1) (column {node.column})"
                )
            if len(rest) % 2 or any(
                not (isinstance(r, Ref) and _is_repeat(self.items.get(r.name))) for r in rest[::2]
            ):
                return (
                    "indexed-repeat() takes a question, then pairs of a repeat and an entry "
                    f"number (column {node.column})"
                )
        if node.name == "jr:choice-name":
            ref = node.args[1]
            quoted = ref_target(str(ref.value)) if isinstance(ref, Literal) else None
            question = self.items.get(quoted or "")
            if not isinstance(question, Question) or not question.choices:
                return (
                    "jr:choice-name() needs the select question quoted as its second argument, "
                    f"like jr:choice-name(${{town}}, '${{town}}') (column {node.column})"
                )
        if node.name == "regex" and isinstance(node.args[1], Literal):
            bad = check_regex(str(node.args[1].value))
            if bad:
                return f"{bad} (column {node.args[1].column})"
        return None

    def column_problem(self, node: Column, owner: str) -> str | None:
        question = self.items.get(owner)
        if not isinstance(question, Question):
            return None
        choices = self.form.choices.get(question.choices or "", ())
        columns = {"name", "label"} | {k for c in choices for k in c.extra}
        if node.name in columns:
            return None
        known = ", ".join(sorted(columns))
        return (
            f"'{node.name}' at column {node.column} is not a column of choice list "
            f"'{question.choices}' (its columns: {known}), so it reads as empty; write "
            f"${{{node.name}}} for a question"
        )

    def ref_problem(self, name: str, col: int, scope: str | None, in_nodeset: bool) -> str | None:
        target = self.items.get(name)
        if target is None:
            if name in self.known:
                return None  # reported already where that item is defined
            return f"${{{name}}} at column {col} is not a question in this form"
        if isinstance(target, Group):
            if target.kind == "repeat":
                if in_nodeset:
                    return None
                return (
                    f"${{{name}}} at column {col} is a repeat; use count(${{{name}}}) "
                    "for the number of entries"
                )
            return f"${{{name}}} at column {col} is a {target.kind}, which has no value"
        target_repeat = self.repeat_of[name]
        if target_repeat is None or target_repeat in self.chain(scope) or in_nodeset:
            return None
        return (
            f"${{{name}}} at column {col} is inside repeat '{target_repeat}'; only questions "
            "in the same repeat can use it (from outside, use sum(), count(), join() or "
            "indexed-repeat() over its entries)"
        )

    def check_texts(self) -> dict[str, frozenset[str]]:
        """``${name}`` in labels and hints: each must be a question this item can see."""
        found: dict[str, frozenset[str]] = {}
        for name in self.order:
            item = self.items[name]
            scope = self.scope_of(name)
            attrs: set[str] = set()
            for attr in _TEXT_ATTRS:
                text = getattr(item, attr, None) or {}
                refs = {m.strip() for t in text.values() for m in REF_IN_TEXT.findall(t)}
                if not refs:
                    continue
                attrs.add(attr)
                where = self.text_places.get((name, attr), item.place)
                for ref in sorted(refs):
                    problem = self.ref_problem(ref, 0, scope, in_nodeset=False)
                    if problem:
                        problem = problem.replace(" at column 0", "")
                        self.errors.append(
                            FormError(f"{self.describe(name)}: {attr}: {problem}", where)
                        )
            if attrs:
                found[name] = frozenset(attrs)
        return found

    def deps(self, name: str) -> list[str]:
        out: list[str] = []
        parents = self.parents[name]
        if parents:
            out.append(parents[-1].name)
        for attr in ("relevant", "calculate", "repeat_count"):
            ast = self.asts.get((name, attr))
            if ast is not None:
                out.extend(n.name for n in walk(ast) if isinstance(n, Ref) and n.name in self.items)
        if name in self.other_of:
            out.append(self.other_of[name])
        return out

    def sort(self) -> list[str]:
        """Dependency order (document order where free); reports each cycle once."""
        state: dict[str, int] = {}  # 1 = visiting, 2 = done
        order: list[str] = []
        reported: set[frozenset[str]] = set()

        def visit(name: str, path: list[str]) -> None:
            mark = state.get(name)
            if mark == 2:
                return
            if mark == 1:
                cycle = path[path.index(name) :] + [name]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    first = cycle[0]
                    chain = " → ".join(cycle)
                    self.errors.append(
                        FormError(
                            f"{self.describe(first)}: calculate/relevant expressions depend on "
                            f"each other in a cycle: {chain}",
                            self.place(
                                first,
                                "calculate" if (first, "calculate") in self.asts else "relevant",
                            ),
                        )
                    )
                return
            state[name] = 1
            path.append(name)
            for dep in self.deps(name):
                visit(dep, path)
            path.pop()
            state[name] = 2
            order.append(name)

        for name in self.order:
            visit(name, [])
        return order

    def env(self, scope: str | None) -> Env:
        labels: dict[str, dict[str, Mapping[str, str]]] = {}
        for name in self.order:
            item = self.items[name]
            if isinstance(item, Question) and item.choices:
                labels[name] = {c.value: c.label for c in self.form.choices_of(item)}
        return Env(
            scope=scope,
            repeat_of=self.repeat_of,
            parent_repeat=self.parent_repeat,
            repeats=self.repeats,
            choice_labels=labels,
            default_language=self.form.default_language,
        )

    def make_plan(self, order: list[str], flag_asts: list[tuple[RiskFlagDef, Node]]) -> Plan:
        envs: dict[str | None, Env] = {}

        def env_for(scope: str | None) -> Env:
            if scope not in envs:
                envs[scope] = (
                    self.env(scope) if not envs else replace(next(iter(envs.values())), scope=scope)
                )
            return envs[scope]

        steps: list[Step] = []
        checks: list[Step] = []
        section_of: dict[str, str] = {}
        in_scope: dict[str | None, list[str]] = {}
        for name in self.order:
            in_scope.setdefault(self.repeat_of[name], []).append(name)
        for name in order:
            item = self.items[name]
            parents = self.parents[name]
            section = parents[0].name if parents else name
            section_of[name] = section
            scope = self.repeat_of[name]
            parent = parents[-1].name if parents else None

            def comp(attr: str, _name: str = name, _scope: str | None = scope) -> Compiled | None:
                ast = self.asts.get((_name, attr))
                return compile_expr(ast, env_for(_scope)) if ast is not None else None

            step = Step(
                name=name,
                item=item,
                is_group=isinstance(item, Group),
                parent=parent,
                parent_is_scope=parent is not None and parent == scope,
                section=section,
                scope=scope,
                relevant=comp("relevant"),
            )
            if isinstance(item, Group):
                step.is_repeat = item.kind == "repeat"
                step.repeat_count = comp("repeat_count")
            else:
                step.calculate = comp("calculate")
                step.constraint = comp("constraint")
                step.required_when = comp("required_when")
                step.required = item.required
                step.is_input = item.is_input
                step.integer = item.type == "integer"
                step.meta = item.type if item.type in META_TYPES else None
                calc_ast = self.asts.get((name, "calculate"))
                step.persist = calc_ast is not None and any(
                    isinstance(n, Call) and n.name == "once" for n in walk(calc_ast)
                )
                filter_ast = self.asts.get((name, "choice_filter"))
                if filter_ast is not None:
                    step.choice_filter = _choice_filter(
                        filter_ast, self.form.choices_of(item), env_for(scope)
                    )
                if item.is_input:
                    step.check = checker(item, self.form)
                if item.is_input or step.choice_filter is not None:
                    checks.append(step)
            steps.append(step)
        # Checks run in document order so problems come out in the order of the form.
        position = {name: i for i, name in enumerate(self.order)}
        checks.sort(key=lambda s: position[s.name])
        flags = [(flag, compile_expr(ast, env_for(None))) for flag, ast in flag_asts]
        title_ast = self.asts.get(("form:instance_name", "instance_name"))
        return Plan(
            items=self.items,
            parents=self.parents,
            section_of=section_of,
            repeat_of=self.repeat_of,
            parent_repeat=self.parent_repeat,
            steps=steps,
            checks=checks,
            section_names=[s.name for s in self.form.sections],
            flags=flags,
            other_of=self.other_of,
            document_order=list(self.order),
            in_scope=in_scope,
            instance_name=compile_expr(title_ast, env_for(None)) if title_ast else None,
            texts_with_refs=self.texts_with_refs,
        )


def _is_repeat(item: Item | None) -> bool:
    return isinstance(item, Group) and item.kind == "repeat"


def _choice_filter(ast: Node, choices: tuple[Choice, ...], env: Env) -> ChoiceFilter:
    """The choices a filter keeps, in list order. ``column = expression`` (the usual cascading
    select) is answered from an index, so a list of thousands of villages stays fast."""
    columns = [(c.value, c.columns()) for c in choices]
    general = compile_expr(ast, env)

    def scan(ctx: Context) -> tuple[str, ...]:
        kept: list[str] = []
        try:
            for value, cols in columns:
                ctx.choice = cols
                if to_bool(general(ctx)):
                    kept.append(value)
        finally:
            ctx.choice = {}
        return tuple(kept)

    if isinstance(ast, Binary) and ast.op == "=":
        column, other = (
            (ast.left, ast.right) if isinstance(ast.left, Column) else (ast.right, ast.left)
        )
        if isinstance(column, Column) and not any(isinstance(n, Column) for n in walk(other)):
            index: dict[str, list[str]] = {}
            for value, cols in columns:
                index.setdefault(cols.get(column.name, ""), []).append(value)
            frozen = {k: tuple(v) for k, v in index.items()}
            key_fn = compile_expr(other, env)

            def indexed(ctx: Context) -> tuple[str, ...]:
                key: Any = key_fn(ctx)
                if isinstance(key, str):
                    return frozen.get(key, ())
                return scan(ctx)

            return indexed
    return scan
