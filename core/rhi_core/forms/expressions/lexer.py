"""Tokenizer for XLSForm expressions (the XPath subset we support)."""

from __future__ import annotations

import re
from dataclasses import dataclass


class ExprSyntaxError(Exception):
    """A malformed expression; ``column`` is 1-based within the expression text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "ref", "number", "string", "name", "op", "dot", "parent", "(", ")", ",", "end"
    text: str
    column: int  # 1-based


_TWO_CHAR_OPS = ("!=", "<=", ">=")
_ONE_CHAR_OPS = "=<>+-*"
_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | set("0123456789-")
_DIGITS = set("0123456789")
# XPath paths people write in XLSForm cells: /data/group/name, ../name, current()/../name.
# Names are unique in a form, so the last step names the question: read as ${name}.
_PATH = re.compile(r"(?:current\(\)\s*)?(?:\.{1,2})?(?:/(?:\.\.|[A-Za-z_][\w.\-]*))+")
# Spreadsheet apps turn straight quotes into curly ones; XLSForm tools read them as straight.
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token; raises ExprSyntaxError."""
    text = text.translate(_SMART_QUOTES)
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch in " \t\r\n\xa0":
            i += 1
        elif ch == "$":
            if not text.startswith("${", i):
                raise ExprSyntaxError("'$' must start a field reference like ${name}", col)
            end = text.find("}", i + 2)
            if end < 0:
                raise ExprSyntaxError("field reference is missing its closing '}'", col)
            name = text[i + 2 : end].strip()
            if not name or not _is_name(name):
                raise ExprSyntaxError(f"'{text[i : end + 1]}' is not a valid field reference", col)
            tokens.append(Token("ref", name, col))
            i = end + 1
        elif (ch in "/." or text.startswith("current()", i)) and (path := _path_at(text, i)):
            end, name = path
            tokens.append(Token("ref", name, col))
            i = end
        elif ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExprSyntaxError("text is missing its closing quote", col)
            tokens.append(Token("string", text[i + 1 : end], col))
            i = end + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            j = i
            while j < n and text[j] in _DIGITS:
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j] in _DIGITS:
                    j += 1
            tokens.append(Token("number", text[i:j], col))
            i = j
        elif ch == ".":
            if text.startswith("..", i):
                tokens.append(Token("parent", "..", col))
                i += 2
            else:
                tokens.append(Token("dot", ".", col))
                i += 1
        elif ch in _NAME_START:
            j = i + 1
            # A hyphen belongs to a name only when a letter follows ("count-selected"), so
            # "${a} - 1" and "x-1" style arithmetic is still tokenised as subtraction.
            while j < n and (
                text[j] in _NAME_CHARS and (text[j] != "-" or (j + 1 < n and text[j + 1].isalpha()))
            ):
                j += 1
            # A namespace prefix: "jr:choice-name(...)".
            if j + 1 < n and text[j] == ":" and text[j + 1].isalpha():
                k = j + 1
                while k < n and (
                    text[k] in _NAME_CHARS
                    and (text[k] != "-" or (k + 1 < n and text[k + 1].isalpha()))
                ):
                    k += 1
                j = k
            tokens.append(Token("name", text[i:j], col))
            i = j
        elif text.startswith(_TWO_CHAR_OPS, i):
            tokens.append(Token("op", text[i : i + 2], col))
            i += 2
        elif ch in _ONE_CHAR_OPS:
            tokens.append(Token("op", ch, col))
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, col))
            i += 1
        elif ch == "/" and tokens and tokens[-1].kind in ("parent", "dot"):
            raise ExprSyntaxError(
                "relative paths such as '../name' are not supported; write ${name}",
                tokens[-1].column,
            )
        elif ch == "/":
            raise ExprSyntaxError(
                "XPath paths such as '/data/name' are not supported; write ${name}", col
            )
        elif ch in "[]|":
            raise ExprSyntaxError(
                f"{ch!r}: XPath node sets and predicates are not supported; "
                "use ${name} and the functions listed in docs/forms.md",
                col,
            )
        else:
            raise ExprSyntaxError(f"unexpected character {ch!r}", col)
    tokens.append(Token("end", "", n + 1))
    return tokens


def _path_at(text: str, i: int) -> tuple[int, str] | None:
    """A path starting at ``i`` whose last step is a name: (end, name)."""
    m = _PATH.match(text, i)
    if not m or "/" not in m[0]:
        return None
    last = m[0].rstrip().rsplit("/", 1)[-1]
    if last == ".." or not last or not _is_name(last):
        return None
    return m.end(), last


def _is_name(name: str) -> bool:
    return name[0] in _NAME_START and all(c in _NAME_CHARS or c == "." for c in name)
