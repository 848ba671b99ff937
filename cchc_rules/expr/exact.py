"""Exact evaluation (explain stage): a formula on Fractions, and its arithmetic as text.

Used to show a planner the arithmetic behind a number (`246 / 4917 * 100`)
without floating-point noise; the columnar path (columnar.py) does the bulk work.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import cast

from .ast import Binary, Call, Compare, Name, Node, Number, Unary, names, walk
from .printer import decimal_text, to_text


class Invalid(ArithmeticError):
    """The inputs exist but give no number (the `invalid` status)."""


class DivisionByZero(Invalid):
    """A divisor is 0; `node` is the division, for the explanation."""

    def __init__(self, node: Binary) -> None:
        super().__init__(f"division by zero in {to_text(node)}")
        self.node = node


def as_fraction(value: Fraction | float | int) -> Fraction:
    """`value` as a Fraction; a float by its shortest repr, so 0.1 is 1/10."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def evaluate_exact(node: Node, values: Mapping[str, Fraction | float | int | None]
                   ) -> Fraction | bool | None:
    """The exact value of `node`, or None when an input it needs is missing.

    Raises DivisionByZero when every input is there but a divisor is 0, and
    Invalid when an input is NaN or infinite (a missing input wins, as null
    wins over NaN in columnar.py). A Compare node gives a bool, compared exactly.
    """
    used = names(node)
    if any(values.get(name) is None for name in used):
        return None
    for name in sorted(used):
        value = values[name]
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(f"'{name}' is {value}, not a number")
    if isinstance(node, Compare):   # a check's assert (the parser puts one only at the top)
        left, right = _value(node.left, values), _value(node.right, values)
        return {"==": left == right, "!=": left != right, "<": left < right,
                "<=": left <= right, ">": left > right, ">=": left >= right}[node.op]
    return _value(node, values)


def _value(node: Node, values: Mapping[str, Fraction | float | int | None]) -> Fraction:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):   # evaluate_exact returned None when one is missing
        return as_fraction(cast(Fraction | float | int, values[node.id]))
    if isinstance(node, Unary):
        return -_value(node.operand, values)
    if isinstance(node, Call):
        args = [_value(a, values) for a in node.args]
        if node.func == "abs":
            return abs(args[0])
        return min(args) if node.func == "min" else max(args)
    if not isinstance(node, Binary):   # a records condition: sql.py compiles it
        raise TypeError(f"{type(node).__name__} is not a formula node")
    left, right = _value(node.left, values), _value(node.right, values)
    if node.op == "/":
        if right == 0:
            raise DivisionByZero(node)
        return left / right
    return {"+": left + right, "-": left - right, "*": left * right}[node.op]


def display_number(value: Fraction | float | int, places: int = 6) -> str:
    """A readable number: exact when it is a short decimal, else rounded to `places`."""
    value = as_fraction(value)
    text = decimal_text(value)
    if text is not None and len(text.split(".")[-1]) <= places:
        return text
    return decimal_text(Fraction(round(value, places))) or str(float(value))


def substitute(node: Node, values: Mapping[str, Fraction | float | int | None]) -> str:
    """The formula with each known metric replaced by its value: `246 / 4917 * 100`.

    Missing metrics keep their name so the reader sees what is absent; a NaN
    or infinite value shows as such.
    """
    mapping = {n.id: _literal(value, n.col) for n in walk(node)
               if isinstance(n, Name) and (value := values.get(n.id)) is not None}
    return to_text(_replace(node, mapping), display_number)


def _literal(value: Fraction | float | int, col: int) -> Number | Name:
    if isinstance(value, float) and not math.isfinite(value):
        return Name(str(value), col)  # printed verbatim, never parsed back
    return Number(as_fraction(value), col)


def _replace(node: Node, mapping: Mapping[str, Number | Name]) -> Node:
    if isinstance(node, Name):
        return mapping.get(node.id, node)
    if isinstance(node, Unary):
        return Unary(node.op, _replace(node.operand, mapping), node.col)
    if isinstance(node, Call):
        return Call(node.func, tuple(_replace(a, mapping) for a in node.args), node.col)
    if isinstance(node, Binary | Compare):
        return type(node)(node.op, _replace(node.left, mapping), _replace(node.right, mapping),
                          node.col)
    return node
