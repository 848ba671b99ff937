"""Formula compilation (compile stage): AST -> polars expressions.

Value convention: Float64 where null = a needed input is missing (-> no_data)
and NaN = the inputs exist but give no number (-> invalid). Null wins over NaN.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import polars as pl

from ..plan.nodes import TOLERANCE, approx_holds
from ..plan.polars import approx_cmp
from .ast import Binary, Call, Compare, Name, Node, Number, Unary

__all__ = ["TOLERANCE", "approx_cmp", "approx_holds", "compare_to_polars", "to_polars"]

_NAN = float("nan")
_INF = float("inf")
_NULL_F64 = pl.lit(None, dtype=pl.Float64)
_NULL_BOOL = pl.lit(None, dtype=pl.Boolean)

Column = Callable[[str], pl.Expr]


def to_polars(node: Node, column: Column) -> pl.Expr:
    """A Float64 expression for `node` (Boolean for a Compare, see compare_to_polars).

    `column(metric_id)` gives the expression holding that metric's value.
    Overflow to ±inf is turned into NaN: it is not a number a planner can use.
    """
    if isinstance(node, Compare):
        return compare_to_polars(node, column)[0]
    return _finite(_compile(node, column))


def _finite(expr: pl.Expr) -> pl.Expr:
    """±inf -> NaN, referring to `expr` once: an expression used twice per node doubles the
    plan at every level (a chain of 16 divisions took minutes before)."""
    return expr.replace([_INF, -_INF], _NAN)


def _compile(node: Node, column: Column) -> pl.Expr:
    if isinstance(node, Number):
        return pl.lit(_float(node.value), dtype=pl.Float64)
    if isinstance(node, Name):
        return column(node.id).cast(pl.Float64)
    if isinstance(node, Unary):
        return -_compile(node.operand, column)
    if isinstance(node, Call):
        args = [_compile(a, column) for a in node.args]
        if node.func == "abs":
            return args[0].abs()
        # A missing input stays missing, then NaN wins; each argument is referred to once
        # (inside one list), so nested min/max stay linear in size.
        item = pl.element()
        pick = item.min() if node.func == "min" else item.max()
        return pl.concat_list(args).list.eval(
            pl.when(item.is_null().any()).then(_NULL_F64)
            .when(item.is_nan().any()).then(_NAN)
            .otherwise(pick)).list.first()
    if isinstance(node, Binary):
        left, right = _compile(node.left, column), _compile(node.right, column)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        # polars gives null for a null side, NaN for 0/0 and ±inf for x/0: the convention
        # wants NaN for every division by zero.
        return _finite(left / right)
    raise TypeError(f"not a formula node: {node!r}")


def _float(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:  # a literal beyond 1e308; to_polars turns ±inf into NaN
        return float("inf") if value > 0 else float("-inf")


def compare_to_polars(node: Compare, column: Column) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(holds, left, right) for an assert: holds is Boolean, null when a side is null or NaN.

    left and right are the Float64 sides, for reporting what was compared.
    """
    left, right = to_polars(node.left, column), to_polars(node.right, column)
    return approx_cmp(node.op, left, right), left, right
