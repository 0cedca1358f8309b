"""Expression syntax tree. Every node keeps its 1-based column for error messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | float
    column: int


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the value of another question."""

    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer being checked (only meaningful in a constraint)."""

    column: int


@dataclass(frozen=True, slots=True)
class Parent:
    """``..``: only as ``position(..)``, the number of the repeat entry being evaluated."""

    column: int


@dataclass(frozen=True, slots=True)
class Column:
    """A bare word in a ``choice_filter``: that column of the choice being filtered
    (``name`` is the choice's value), e.g. ``county = ${county}``."""

    name: str
    column: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # only "-"
    operand: Node
    column: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # or and = != < <= > >= + - * div mod
    left: Node
    right: Node
    column: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    column: int


Node = Literal | Ref | Current | Parent | Column | Unary | Binary | Call
