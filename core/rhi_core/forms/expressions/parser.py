"""Pratt parser for XLSForm expressions.

Precedence follows XPath 1.0, lowest first: ``or``, ``and``, ``= !=``, ``< <= > >=``, ``+ -``,
``* div mod``, unary minus. Function names and arities are checked here, so a misspelt function is
a load-time error with its column rather than a surprise in the middle of an interview.
"""

from __future__ import annotations

from collections.abc import Iterator

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
from rhi_core.forms.expressions.functions import ARITY, UNSUPPORTED
from rhi_core.forms.expressions.lexer import ExprSyntaxError, Token, tokenize

# Binding power of infix operators; "name" tokens double as the word operators.
_INFIX: dict[str, int] = {
    "or": 10,
    "and": 20,
    "=": 30,
    "!=": 30,
    "<": 40,
    "<=": 40,
    ">": 40,
    ">=": 40,
    "+": 50,
    "-": 50,
    "*": 60,
    "div": 60,
    "mod": 60,
}
_UNARY_POWER = 70
MAX_DEPTH = 200  # deeper nesting than any real form; keeps Python's stack safe on hostile input


def parse(text: str, *, columns: bool = False) -> Node:
    """Parse ``text`` into an AST. Raises only :class:`ExprSyntaxError`.

    With ``columns`` (a choice_filter), a bare word is a column of the choice being filtered."""
    if not isinstance(text, str) or not text.strip():
        raise ExprSyntaxError("the expression is empty", 1)
    parser = _Parser(tokenize(text), columns)
    node = parser.expression(0)
    tok = parser.peek()
    if tok.kind != "end":
        raise ExprSyntaxError(f"unexpected {_describe(tok)}", tok.column)
    for sub in walk(node):
        if isinstance(sub, Parent) and not _is_position_arg(node, sub):
            raise ExprSyntaxError(
                "'..' (parent) is only understood as position(..); use ${name}", sub.column
            )
    return node


def _is_position_arg(root: Node, target: Parent) -> bool:
    return any(
        isinstance(n, Call) and n.name == "position" and any(a is target for a in n.args)
        for n in walk(root)
    )


def refs_in(node: Node) -> Iterator[Ref]:
    """Every ``${name}`` reference in ``node``, in source order."""
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Unary):
        yield from refs_in(node.operand)
    elif isinstance(node, Binary):
        yield from refs_in(node.left)
        yield from refs_in(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from refs_in(arg)


def walk(node: Node) -> Iterator[Node]:
    """Every node in ``node``, parents before children."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    if tok.kind == "string":
        return f"text '{tok.text}'"
    if tok.kind == "ref":
        return f"${{{tok.text}}}"
    return f"'{tok.text}'"


class _Parser:
    def __init__(self, tokens: list[Token], columns: bool = False) -> None:
        self.tokens = tokens
        self.columns = columns
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != "end":
            self.pos += 1
        return tok

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            raise ExprSyntaxError(f"expected {what} but found {_describe(tok)}", tok.column)
        return self.next()

    def expression(self, min_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprSyntaxError("the expression is nested too deeply", self.peek().column)
        left = self.prefix()
        while True:
            tok = self.peek()
            op = tok.text if tok.kind in ("op", "name") else None
            power = _INFIX.get(op) if op is not None else None
            if power is None:
                if tok.kind == "name":
                    raise ExprSyntaxError(f"unexpected word '{tok.text}'", tok.column)
                break
            if power <= min_power:
                break
            self.next()
            right = self.expression(power)
            left = Binary(op, left, right, tok.column)  # type: ignore[arg-type]
        self.depth -= 1
        return left

    def prefix(self) -> Node:
        tok = self.next()
        if tok.kind == "number":
            return Literal(float(tok.text), tok.column)
        if tok.kind == "string":
            return Literal(tok.text, tok.column)
        if tok.kind == "ref":
            return Ref(tok.text, tok.column)
        if tok.kind == "dot":
            return Current(tok.column)
        if tok.kind == "parent":
            return Parent(tok.column)
        if tok.kind == "op" and tok.text == "-":
            return Unary("-", self.expression(_UNARY_POWER), tok.column)
        if tok.kind == "(":
            inner = self.expression(0)
            self.expect(")", "')'")
            return inner
        if tok.kind == "name":
            if self.peek().kind != "(":
                if self.columns and tok.text not in _INFIX:
                    return Column(tok.text, tok.column)
                raise ExprSyntaxError(
                    f"unexpected word '{tok.text}' (write ${{{tok.text}}} to use a field, "
                    f"or quote it as text)",
                    tok.column,
                )
            return self.call(tok)
        raise ExprSyntaxError(f"unexpected {_describe(tok)}", tok.column)

    def call(self, name_tok: Token) -> Call:
        name = name_tok.text
        arity = ARITY.get(name)
        if arity is None:
            why = UNSUPPORTED.get(name)
            if why is None and ":" in name:
                prefix = name.split(":", 1)[0]
                why = f"it is a '{prefix}:' extension of one app, not an XLSForm function"
            if why is not None:
                raise ExprSyntaxError(f"{name}() is not supported: {why}", name_tok.column)
            raise ExprSyntaxError(f"unknown function '{name}()'", name_tok.column)
        self.expect("(", "'('")
        args: list[Node] = []
        if self.peek().kind != ")":
            args.append(self.expression(0))
            while self.peek().kind == ",":
                self.next()
                args.append(self.expression(0))
        self.expect(")", "',' or ')'")
        for arg in args:
            if isinstance(arg, Parent) and name != "position":
                raise ExprSyntaxError(
                    "'..' (parent) is only understood as position(..); use ${name}", arg.column
                )
        low, high = arity
        if len(args) < low or (high is not None and len(args) > high):
            if high is None:
                wanted = f"at least {low}"
            elif low == high:
                wanted = str(low)
            else:
                wanted = f"{low} to {high}"
            noun = "argument" if wanted == "1" else "arguments"
            raise ExprSyntaxError(
                f"{name}() takes {wanted} {noun} but was given {len(args)}", name_tok.column
            )
        return Call(name, tuple(args), name_tok.column)
