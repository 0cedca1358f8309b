"""XLSForm expressions: tokenizer, parser to an AST, static analysis and a compiler to closures.

Expressions are never handed to Python's ``eval``: a form is data written by people outside the
development team, so the engine only understands the small XPath subset documented in
docs/forms.md.
"""

from rhi_core.forms.expressions.ast import Binary, Call, Current, Literal, Node, Ref, Unary
from rhi_core.forms.expressions.lexer import ExprSyntaxError, Token, tokenize
from rhi_core.forms.expressions.parser import parse, refs_in

__all__ = [
    "Binary",
    "Call",
    "Current",
    "ExprSyntaxError",
    "Literal",
    "Node",
    "Ref",
    "Token",
    "Unary",
    "parse",
    "refs_in",
    "tokenize",
]
