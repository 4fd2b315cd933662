"""Evaluate trivial formulas so that a formula cell has a value.

Supported: numbers, "strings", TRUE/FALSE, references (``A1``, ``Sheet1!B2``, ``'Raw Data'!C3``,
ranges inside functions), ``+ - * / ^ &``, comparisons, parentheses and the functions SUM, MIN,
MAX, AVERAGE, COUNT, COUNTA, ROUND, IF, CONCATENATE, HYPERLINK. Anything else raises
:class:`Unsupported`; the caller then keeps the formula text as the cell's value.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .a1 import column_index

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w.]*!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|<=|>=|[-+*/^&=<>(),;:])
    )""", re.VERBOSE)


class Unsupported(Exception):
    pass


class FormulaError(Exception):
    """An evaluation error such as #DIV/0!; ``code`` is the text Sheets shows."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# A resolver gets (sheet title or None, r0, r1, c0, c1) and returns the cell values as rows.
Resolver = Callable[[str | None, int, int, int, int], list[list[Any]]]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise Unsupported(text)
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _ref_bounds(ref: str) -> tuple[str | None, int, int, int, int]:
    sheet = None
    if "!" in ref:
        sheet, _, ref = ref.rpartition("!")
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
    parts = [re.match(r"\$?([A-Za-z]+)\$?(\d+)", p) for p in ref.split(":")]
    cols = [column_index(m.group(1)) for m in parts]
    rows = [int(m.group(2)) - 1 for m in parts]
    return sheet, min(rows), max(rows) + 1, min(cols), max(cols) + 1


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: Resolver):
        self.tokens, self.pos, self.resolve = tokens, 0, resolve

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Unsupported(str(token))
        self.pos += 1
        return token

    def expression(self) -> Any:
        left = self.concat()
        while self.peek() and self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.concat()
            a, b = _scalar(left), _scalar(right)
            left = {"=": a == b, "<>": a != b, "<": a < b, ">": a > b,
                    "<=": a <= b, ">=": a >= b}[op]
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek() and self.peek()[1] == "&":
            self.take()
            left = _text(left) + _text(self.additive())
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() and self.peek()[1] in "+-":
            op = self.take()[1]
            right = _number(self.term())
            left = _number(left) + right if op == "+" else _number(left) - right
        return left

    def term(self) -> Any:
        left = self.power()
        while self.peek() and self.peek()[1] in "*/":
            op = self.take()[1]
            right = _number(self.power())
            if op == "/" and right == 0:
                raise FormulaError("#DIV/0!")
            left = _number(left) * right if op == "*" else _number(left) / right
        return left

    def power(self) -> Any:
        left = self.unary()
        while self.peek() and self.peek()[1] == "^":
            self.take()
            left = _number(left) ** _number(self.unary())
        return left

    def unary(self) -> Any:
        if self.peek() and self.peek()[1] in "+-":
            op = self.take()[1]
            value = _number(self.unary())
            return -value if op == "-" else value
        return self.atom()

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            rows = self.resolve(*_ref_bounds(text))
            return rows if ":" in text else (rows[0][0] if rows and rows[0] else None)
        if kind == "name":
            upper = text.upper()
            if upper in ("TRUE", "FALSE") and not (self.peek() and self.peek()[1] == "("):
                return upper == "TRUE"
            return self.call(upper)
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        raise Unsupported(text)

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        if self.peek() and self.peek()[1] != ")":
            args.append(self.expression())
            while self.peek() and self.peek()[1] in (",", ";"):
                self.take()
                args.append(self.expression())
        self.take(")")
        return _FUNCTIONS.get(name, _unsupported)(args)


def _unsupported(args: list) -> Any:
    raise Unsupported("function")


def _flat(args: list) -> list:
    out = []
    for arg in args:
        if isinstance(arg, list):
            out.extend(v for row in arg for v in row)
        else:
            out.append(arg)
    return out


def _numbers(args: list) -> list[float]:
    return [v for v in _flat(args) if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0][0] if value and value[0] else None
    return value


def _number(value: Any) -> float:
    value = _scalar(value)
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        raise FormulaError("#VALUE!") from None


def _text(value: Any) -> str:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _average(args: list) -> float:
    numbers = _numbers(args)
    if not numbers:
        raise FormulaError("#DIV/0!")
    return sum(numbers) / len(numbers)


_FUNCTIONS: dict[str, Callable[[list], Any]] = {
    "SUM": lambda a: float(sum(_numbers(a))),
    "MIN": lambda a: float(min(_numbers(a), default=0)),
    "MAX": lambda a: float(max(_numbers(a), default=0)),
    "AVERAGE": _average,
    "COUNT": lambda a: float(len(_numbers(a))),
    "COUNTA": lambda a: float(sum(1 for v in _flat(a) if v not in (None, ""))),
    "ROUND": lambda a: float(round(_number(a[0]), int(_number(a[1])) if len(a) > 1 else 0)),
    "IF": lambda a: (a[1] if len(a) > 1 else True) if _scalar(a[0]) else (a[2] if len(a) > 2 else False),
    "CONCATENATE": lambda a: "".join(_text(v) for v in _flat(a)),
    "HYPERLINK": lambda a: _scalar(a[1]) if len(a) > 1 else _text(a[0]),
}


def evaluate(formula: str, resolve: Resolver) -> Any:
    """Value of ``formula`` (with its leading "="). Raises Unsupported or FormulaError."""
    parser = _Parser(_tokens(formula[1:]), resolve)
    value = parser.expression()
    if parser.peek() is not None:
        raise Unsupported(formula)
    if isinstance(value, list):
        value = _scalar(value)
    return value
