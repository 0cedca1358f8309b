"""Static analysis of a form's expressions and the evaluation plan built from it.

At load time every expression is parsed, every ``${name}`` resolved against the form, repeat
scoping checked, and calculate/relevant dependencies sorted; cycles are errors. The result is a
``Plan``: compiled closures in dependency order, so evaluation is a single pass with no lookups
by name beyond plain dict reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rhi_core.forms.errors import FormError, FormLoadError, Place
from rhi_core.forms.expressions.ast import Call, Current, Literal, Node, Ref
from rhi_core.forms.expressions.compiler import Compiled, compile_expr
from rhi_core.forms.expressions.functions import check_regex
from rhi_core.forms.expressions.lexer import ExprSyntaxError
from rhi_core.forms.expressions.parser import parse, walk
from rhi_core.forms.schema import FormDefinition, Group, Item, Question, RiskFlagDef

Checker = Callable[[Any], str | None]


@dataclass(slots=True)
class Step:
    """One item to evaluate, in dependency order."""

    name: str
    item: Item
    is_group: bool
    parent: str | None  # nearest enclosing group, section or repeat
    parent_in_instance: bool  # parent is a group inside the same repeat instance
    section: str
    repeat: str | None
    relevant: Compiled | None = None
    calculate: Compiled | None = None
    constraint: Compiled | None = None
    check: Checker | None = None
    required: bool = False
    is_input: bool = False
    integer: bool = False  # round calculated results for integer questions


@dataclass
class Plan:
    items: dict[str, Item]
    parents: dict[str, tuple[Group, ...]]
    section_of: dict[str, str]
    repeat_of: dict[str, str | None]
    top_steps: list[Step]
    repeat_steps: dict[str, list[Step]]
    section_names: list[str]
    flags: list[tuple[RiskFlagDef, Compiled]]
    other_of: dict[str, str] = field(default_factory=dict)  # free-text name -> select name
    document_order: list[str] = field(default_factory=list)  # every item, as written


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
) -> tuple[Plan, list[FormError]]:
    return _Analyser(form, places or {}, set(known_names)).run()


class _Analyser:
    def __init__(
        self, form: FormDefinition, places: Mapping[tuple[str, str], Place], known: set[str]
    ) -> None:
        self.form = form
        self.places = places
        self.known = known
        self.errors: list[FormError] = []
        self.items: dict[str, Item] = {}
        self.parents: dict[str, tuple[Group, ...]] = {}
        self.order: list[str] = []  # document order
        self.other_of: dict[str, str] = {}
        self.asts: dict[tuple[str, str], Node] = {}

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
        repeat_of = {
            name: next((p.name for p in self.parents[name] if p.kind == "repeat"), None)
            for name in self.order
        }
        self.repeat_of = repeat_of
        for name in self.order:
            item = self.items[name]
            attrs = (
                ("relevant",)
                if isinstance(item, Group)
                else ("relevant", "calculate", "constraint")
            )
            for attr in attrs:
                text = getattr(item, attr)
                if text is not None:
                    self.check_expression(
                        name, attr, text, repeat_of[name] if not _is_repeat(item) else None
                    )
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

    def describe(self, owner: str) -> str:
        if owner.startswith("flag:"):
            return f"risk flag '{owner[5:]}'"
        item = self.items[owner]
        kind = item.kind if isinstance(item, Group) else "question"
        return f"{kind} '{owner}'"

    def check_expression(
        self, owner: str, attr: str, text: str, scope: str | None, place: Place | None = None
    ) -> Node | None:
        where = self.places.get((owner, attr)) or place or self.place(owner, attr)
        what = f"{self.describe(owner)}: {attr}"
        try:
            ast = parse(text)
        except ExprSyntaxError as exc:
            self.errors.append(FormError(f"{what}: {exc.message} at column {exc.column}", where))
            return None
        ok = True
        count_args = {id(n.args[0]) for n in walk(ast) if isinstance(n, Call) and n.name == "count"}
        for node in walk(ast):
            problem = self.node_problem(node, attr, scope, id(node) in count_args)
            if problem:
                self.errors.append(FormError(f"{what}: {problem}", where))
                ok = False
        if not ok:
            return None
        self.asts[(owner, attr)] = ast
        return ast

    def node_problem(self, node: Node, attr: str, scope: str | None, in_count: bool) -> str | None:
        if isinstance(node, Current) and attr != "constraint":
            return f"'.' (this answer) can only be used in a constraint (column {node.column})"
        if isinstance(node, Call):
            if node.name == "count" and not (
                isinstance(node.args[0], Ref) and _is_repeat(self.items.get(node.args[0].name))
            ):
                return f"count() needs a repeat, like count(${{people}}) (column {node.column})"
            if node.name == "regex" and isinstance(node.args[1], Literal):
                bad = check_regex(str(node.args[1].value))
                if bad:
                    return f"{bad} (column {node.args[1].column})"
            return None
        if not isinstance(node, Ref):
            return None
        name, col = node.name, node.column
        target = self.items.get(name)
        if target is None:
            if name in self.known:
                return None  # reported already where that item is defined
            return f"${{{name}}} at column {col} is not a question in this form"
        if isinstance(target, Group):
            if target.kind == "repeat":
                return (
                    None
                    if in_count
                    else (
                        f"${{{name}}} at column {col} is a repeat; use count(${{{name}}}) "
                        "for the number of entries"
                    )
                )
            return f"${{{name}}} at column {col} is a {target.kind}, which has no value"
        target_repeat = self.repeat_of[name]
        if target_repeat is not None and target_repeat != scope:
            return (
                f"${{{name}}} at column {col} is inside repeat '{target_repeat}'; only questions "
                "in the same repeat can use it"
            )
        return None

    def deps(self, name: str) -> list[str]:
        out: list[str] = []
        parents = self.parents[name]
        if parents:
            out.append(parents[-1].name)
        for attr in ("relevant", "calculate"):
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

    def make_plan(self, order: list[str], flag_asts: list[tuple[RiskFlagDef, Node]]) -> Plan:
        top: list[Step] = []
        repeats: dict[str, list[Step]] = {}
        inner_names: dict[str, set[str]] = {}
        for name in self.order:
            rep = self.repeat_of[name]
            if rep is not None:
                inner_names.setdefault(rep, set()).add(name)
        section_of: dict[str, str] = {}
        for name in order:
            item = self.items[name]
            parents = self.parents[name]
            section = parents[0].name if parents else name
            section_of[name] = section
            rep = self.repeat_of[name]
            scope_names = inner_names.get(rep, set()) if rep is not None else set()
            parent = parents[-1].name if parents else None

            def comp(
                attr: str, _name: str = name, _scope: set[str] = scope_names
            ) -> Compiled | None:
                ast = self.asts.get((_name, attr))
                return compile_expr(ast, _scope) if ast is not None else None

            step = Step(
                name=name,
                item=item,
                is_group=isinstance(item, Group),
                parent=parent,
                parent_in_instance=parent is not None and parent in scope_names,
                section=section,
                repeat=rep,
                relevant=comp("relevant"),
            )
            if isinstance(item, Question):
                step.calculate = comp("calculate")
                step.constraint = comp("constraint")
                step.required = item.required
                step.is_input = item.is_input
                step.integer = item.type == "integer"
                if item.is_input:
                    step.check = _checker(item, self.form)
            (repeats.setdefault(rep, []) if rep is not None else top).append(step)
        flags = [(flag, compile_expr(ast)) for flag, ast in flag_asts]
        return Plan(
            items=self.items,
            parents=self.parents,
            section_of=section_of,
            repeat_of=self.repeat_of,
            top_steps=top,
            repeat_steps=repeats,
            section_names=[s.name for s in self.form.sections],
            flags=flags,
            other_of=self.other_of,
            document_order=list(self.order),
        )


def _is_repeat(item: Item | None) -> bool:
    return isinstance(item, Group) and item.kind == "repeat"


# -- answer type checks: a wrong type is shown like a failed constraint ------------------------

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$")


def _is_int(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    if isinstance(v, float):
        return v.is_integer()
    return isinstance(v, str) and re.fullmatch(r"\s*[-+]?\d+\s*", v) is not None


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return v == v
    if isinstance(v, str):
        try:
            return float(v) == float(v)
        except ValueError:
            return False
    return False


def _is_date(v: Any) -> bool:
    if not isinstance(v, str) or len(v) != 10:
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_datetime(v: Any) -> bool:
    if not isinstance(v, str) or len(v) < 16:
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


def _checker(question: Question, form: FormDefinition) -> Checker | None:
    kind = question.type
    if kind in ("text", "long_text"):
        return lambda v: None if isinstance(v, str) else "Please enter text."
    if kind == "integer":
        return lambda v: None if _is_int(v) else "Please enter a whole number."
    if kind == "decimal":
        return lambda v: None if _is_number(v) else "Please enter a number."
    if kind == "date":
        return lambda v: None if _is_date(v) else "Please enter a date (YYYY-MM-DD)."
    if kind == "time":
        return lambda v: (
            None if isinstance(v, str) and _TIME.match(v) else "Please enter a time (HH:MM)."
        )
    if kind == "datetime":
        return lambda v: None if _is_datetime(v) else "Please enter a date and time."
    values = frozenset(c.value for c in form.choices.get(question.choices or "", ()))
    if kind == "select_multiple":

        def check_many(v: Any) -> str | None:
            if not isinstance(v, list) or any(not isinstance(x, str) or x not in values for x in v):
                return "Please choose from the list."
            return None

        return check_many
    # select_one, yes_no and scale: scale answers may be stored as numbers
    return lambda v: (
        None
        if not isinstance(v, bool | list | dict) and str(v) in values
        else "Please choose one of the options."
    )
