"""A small parser for the OData `$filter` subset that CBS clients use, for the fixture server.

Grammar (cbs.md §1.5, §2.3):

    expr   := term ("or" term)*
    term   := factor ("and" factor)*
    factor := "(" expr ")"
            | "startswith" "(" field "," string ")"
            | field ("eq" | "ne" | "ge" | "gt" | "le" | "lt") string

Strings are single-quoted, with '' for a quote inside. Comparison is exact, so a v3 `eq` needs the padded key,
as on the real service (cbs.md §1.7). Anything else raises FilterError, which the server answers with a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

Predicate = Callable[[dict], bool]

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*))")
_COMPARISONS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "ge": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
}


class FilterError(ValueError):
    """The filter is malformed or uses something this parser does not support."""


def parse_filter(text: str, fields: Collection[str]) -> Predicate:
    """A predicate over one record for `text`; `fields` are the names the records have."""
    parser = _Parser(_tokenize(text), set(fields))
    predicate = parser.expr()
    if (extra := parser.peek()) is not None:
        raise FilterError(f"unexpected {extra[1]!r} in $filter")
    return predicate


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise FilterError(f"cannot read $filter from position {pos}: {text[pos : pos + 20]!r}")
        lparen, rparen, comma, string, word = match.groups()
        if lparen:
            tokens.append(("(", "("))
        elif rparen:
            tokens.append((")", ")"))
        elif comma:
            tokens.append((",", ","))
        elif string is not None:
            tokens.append(("string", string.replace("''", "'")))
        else:
            tokens.append(("word", word))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], fields: set[str]):
        self.tokens = tokens
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            found = "the end" if token is None else repr(token[1])
            raise FilterError(f"expected {value or kind} in $filter, found {found}")
        self.pos += 1
        return token[1]

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word

    def expr(self) -> Predicate:
        parts = [self.term()]
        while self.at_word("or"):
            self.take("word", "or")
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def term(self) -> Predicate:
        parts = [self.factor()]
        while self.at_word("and"):
            self.take("word", "and")
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def factor(self) -> Predicate:
        token = self.peek()
        if token == ("(", "("):
            self.take("(")
            inner = self.expr()
            self.take(")")
            return inner
        if self.at_word("startswith"):
            self.take("word")
            self.take("(")
            field = self.field()
            self.take(",")
            prefix = self.take("string")
            self.take(")")
            return lambda row: str(row.get(field) or "").startswith(prefix)
        field = self.field()
        operator = self.take("word")
        if operator not in _COMPARISONS:
            raise FilterError(f"unsupported operator {operator!r} in $filter")
        value = self.take("string")
        compare = _COMPARISONS[operator]
        return lambda row: row.get(field) is not None and compare(str(row[field]), value)

    def field(self) -> str:
        name = self.take("word")
        if name not in self.fields:
            raise FilterError(f"unknown property {name!r} in $filter")
        return name
