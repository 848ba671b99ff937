"""Row plans → plain Python (compile stage): evaluates the plan AST of `plan.py` on one row.

A second generator beside `plan_polars`, with no dataframe library: it keeps the value
semantics written in `plan.py`, so tests can hold both generators to the same answers.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import nodes as n


def evaluate(node: n.Node, row: Mapping[str, Any]) -> Any:
    """The value of `node` on `row` (column -> value; None is null)."""
    if isinstance(node, n.Col):
        return row[node.name]
    if isinstance(node, n.Lit):
        return node.value
    if isinstance(node, n.Case):
        for cond, value in node.whens:
            if evaluate(cond, row) is True:
                return evaluate(value, row)
        return evaluate(node.otherwise, row)
    if isinstance(node, n.And | n.Or):
        return _kleene(isinstance(node, n.And), [evaluate(a, row) for a in node.args])
    if isinstance(node, n.Max):
        values = [v for v in (evaluate(a, row) for a in node.args)
                  if v is not None and not math.isnan(v)]
        return max(values) if values else None
    if isinstance(node, n.Arith | n.Cmp | n.ApproxCmp):
        a, b = evaluate(node.left, row), evaluate(node.right, row)
        if a is None or b is None:
            return None
        if isinstance(node, n.Arith):
            return _arith(node.op, float(a), float(b))
        if isinstance(node, n.Cmp):
            return _cmp(node.op, a, b)
        return None if math.isnan(a) or math.isnan(b) else n.approx_holds(node.op, a, b)
    if isinstance(node, n.Lookup):
        index = evaluate(node.index, row)
        return None if index is None else node.table[index]
    if not isinstance(node, n.Unary | n.In):
        raise TypeError(f"{type(node).__name__} is not a plan node")
    value = evaluate(node.arg, row)
    if isinstance(node, n.IsNull):
        return value is None
    if value is None:
        return None
    if isinstance(node, n.In):
        return value in node.values
    if isinstance(node, n.Not):
        return not value
    if isinstance(node, n.IsNaN):
        return math.isnan(value)
    if math.isnan(value) or math.isinf(value):
        if isinstance(node, n.Abs):
            return abs(value)
        return value
    if isinstance(node, n.Floor):
        return float(math.floor(value))
    if isinstance(node, n.Ceil):
        return float(math.ceil(value))
    if isinstance(node, n.Round):
        return float(round(value))  # half to even, as polars
    if isinstance(node, n.Abs):
        return abs(value)
    raise TypeError(f"not a plan node: {node!r}")


def _kleene(conjunction: bool, values: list) -> bool | None:
    decisive = not conjunction  # False decides an n.And, True decides an n.Or
    if any(v is decisive for v in values):
        return decisive
    return None if any(v is None for v in values) else conjunction


def _arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * \
            math.copysign(1.0, b)
    return a / b


def _cmp(op: str, a, b) -> bool:
    """IEEE comparison, except that NaN is above every number and equal to itself."""
    if isinstance(a, float | int) and isinstance(b, float | int) and \
            (math.isnan(a) or math.isnan(b)):
        a, b = (math.isnan(a), a if not math.isnan(a) else 0.0), \
            (math.isnan(b), b if not math.isnan(b) else 0.0)
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
            ">=": a >= b}[op]


def apply(row: Mapping[str, Any], stages: n.Plan) -> dict[str, Any]:
    """`row` with every stage's columns added (or replaced), stage after stage."""
    out = dict(row)
    for stage in stages:
        out |= {name: evaluate(node, out) for name, node in stage}
    return out
