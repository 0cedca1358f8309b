"""Tokenizer, parser and evaluator of XLSForm expressions."""

from __future__ import annotations

import contextlib
import math
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhi_core.forms.expressions import Binary, Call, ExprSyntaxError, Literal, Ref, parse
from rhi_core.forms.expressions.compiler import Env, Frame, compile_expr
from rhi_core.forms.expressions.values import EvalError

NOW = datetime(2024, 5, 17, 14, 30, 0)


def run(text: str, top: dict | None = None, current: object = "", inst: dict | None = None):
    """Evaluate ``text`` at the top level (three entries in repeat ``people``), or in the
    first entry of ``people`` holding ``inst``."""
    env = Env(
        scope="people" if inst is not None else None,
        repeat_of=dict.fromkeys(inst or {}, "people"),
        parent_repeat={"people": None},
        repeats=frozenset({"people"}),
    )
    fn = compile_expr(parse(text), env)
    root = Frame(None, 0, None, {}, NOW)
    root.values.update(top or {})
    root.children["people"] = [Frame("people", i, root, {}, NOW) for i in range(3)]
    frame = root
    if inst is not None:
        frame = root.children["people"][0]
        frame.values.update(inst)
    frame.ctx.current = current
    return fn(frame.ctx)


def test_precedence_follows_xpath() -> None:
    tree = parse("1 + 2 * 3 = 7 and not(${a})")
    assert isinstance(tree, Binary) and tree.op == "and"
    left = tree.left
    assert isinstance(left, Binary) and left.op == "="
    assert isinstance(left.left, Binary) and left.left.op == "+"
    assert isinstance(tree.right, Call) and tree.right.name == "not"
    assert tree.right.args == (Ref("a", 23),)


def test_hyphenated_function_names_and_subtraction() -> None:
    assert isinstance(parse("count-selected(${x})"), Call)
    tree = parse("${a}-1")
    assert isinstance(tree, Binary) and tree.op == "-" and tree.right == Literal(1.0, 6)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("${a} = ", "unexpected end of expression", 8),
        ("${a", "field reference is missing its closing '}'", 1),
        ("foo(1)", "unknown function 'foo()'", 1),
        ("if(1, 2)", "if() takes 3 arguments but was given 2", 1),
        ("not(1, 2)", "not() takes 1 argument but was given 2", 1),
        ("today(1)", "today() takes 0 arguments but was given 1", 1),
        ("1 = 'abc", "text is missing its closing quote", 5),
        ("age > 3", "unexpected word 'age' (write ${age} to use a field, or quote it as text)", 1),
        ("${a} ${b}", "unexpected ${b}", 6),
        ("1 # 2", "unexpected character '#'", 3),
        ("(1 + 2", "expected ')' but found end of expression", 7),
        ("../", "relative paths such as '../name' are not supported; write ${name}", 1),
        (
            "cht:difference-in-days(1, 2)",
            "cht:difference-in-days() is not supported: it is a "
            "'cht:' extension of one app, not an XLSForm function",
            1,
        ),
        ("1 + ..", "'..' (parent) is only understood as position(..); use ${name}", 5),
        (
            "pulldata('a', 'b', 'c', 'd')",
            "pulldata() is not supported: it reads an external CSV "
            "file, which the spreadsheet does not carry",
            1,
        ),
        ("", "the expression is empty", 1),
        ("${1abc}", "'${1abc}' is not a valid field reference", 1),
    ],
)
def test_syntax_errors_have_message_and_column(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert info.value.message == message
    assert info.value.column == column


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse("(" * 5000 + "1" + ")" * 5000)


@pytest.mark.parametrize(
    ("text", "top", "expected"),
    [
        ("1 + 2 * 3", {}, 7.0),
        ("7 div 2", {}, 3.5),
        ("7 mod 3", {}, 1.0),
        ("-${a} + 1", {"a": 4}, -3.0),
        ("${a} = 'yes'", {"a": "yes"}, True),
        ("${a} = 'yes'", {}, False),
        ("${a} = ''", {}, True),
        ("${n} = 3", {"n": "3"}, True),
        ("${n} > 2", {"n": 3}, True),
        ("${n} > 2", {}, False),  # empty is not greater than anything
        ("${n} < 2", {}, False),  # ...nor smaller
        ("${n} != 2", {}, True),
        ("${d} < '2024-06-01'", {"d": "2024-05-01"}, True),  # ISO dates compare as text
        ("${d} < today()", {"d": "2024-05-18"}, False),
        ("selected(${s}, 'b')", {"s": ["a", "b"]}, True),
        ("selected(${s}, 'c')", {"s": ["a", "b"]}, False),
        ("selected(${s}, 'b')", {"s": "a b"}, True),
        ("count-selected(${s})", {"s": ["a", "b"]}, 2.0),
        ("count-selected(${s})", {}, 0.0),
        ("count(${people})", {}, 3.0),
        ("string-length(${t})", {"t": "hello"}, 5.0),
        ("if(${a} = 'yes', 'y', 'n')", {"a": "no"}, "n"),
        ("coalesce(${a}, 'fallback')", {}, "fallback"),
        ("coalesce(${a}, 'fallback')", {"a": "x"}, "x"),
        ("today()", {}, "2024-05-17"),
        ("now()", {}, "2024-05-17T14:30:00"),
        ("regex(${p}, '^07[0-9]{9}$')", {"p": "07700900123"}, True),
        ("regex(${p}, '^07[0-9]{9}$')", {"p": "123"}, False),
        ("int(7.9)", {}, 7.0),
        ("int(-7.9)", {}, -7.0),
        ("number('2.5') + 1", {}, 3.5),
        ("string(3)", {}, "3"),
        ("concat('a', ${x}, 1)", {"x": "b"}, "ab1"),
        ("contains(${t}, 'ell')", {"t": "hello"}, True),
        ("true() and not(false())", {}, True),
        ("${a} = 'yes' or ${b} = 'yes'", {"b": "yes"}, True),
        ("int((today() - ${dob}) div 365.25)", {"dob": "2010-05-16"}, 14.0),
        ("round(2.5)", {}, 3.0),
        ("${flag}", {"flag": True}, True),
        ("${mood} <= 2", {"mood": 2}, True),
        ("${mood} = '2'", {"mood": 2}, True),
    ],
)
def test_evaluation(text: str, top: dict, expected: object) -> None:
    assert run(text, top) == expected


def test_empty_in_arithmetic_is_nan() -> None:
    assert math.isnan(run("${a} + 1"))
    assert math.isnan(run("1 mod 0"))
    assert run("1 div 0") == math.inf


def test_current_value_and_repeat_instance_scope() -> None:
    assert run(". >= 5 and . < 19", current=12) is True
    assert run(". >= 5 and . < 19", current=3) is False
    assert run("${age} + ${base}", {"base": 10}, inst={"age": 5}) == 15.0


def test_bad_regex_in_an_answer_is_an_eval_error() -> None:
    with pytest.raises(EvalError, match="invalid regular expression"):
        run("regex('x', ${p})", {"p": "("})


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("${}()., '\"=!<>+-*abcdivmodornt0123456789_#\\")), max_size=40
    )
)
def test_parser_only_raises_its_own_error(text: str) -> None:
    with contextlib.suppress(ExprSyntaxError):
        parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parser_only_raises_its_own_error_on_any_unicode(text: str) -> None:
    try:
        parse(text)
    except ExprSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.integers(-50, 50).map(str),
            st.sampled_from(["${a}", "${b}", "'x'", "''", "."]),
        ),
        lambda inner: st.one_of(
            st.tuples(
                inner,
                st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", ">=", "and", "or"]),
                inner,
            ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda x: f"not({x})"),
            inner.map(lambda x: f"int({x})"),
            inner.map(lambda x: f"string-length({x})"),
        ),
        max_leaves=12,
    ),
    st.one_of(
        st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5), st.booleans()
    ),
)
def test_valid_expressions_evaluate_without_raising(text: str, a: object) -> None:
    value = run(text, {"a": a, "b": [["x"], "y"][0]}, current=a)
    assert isinstance(value, str | float | bool | int | list) or value is None
