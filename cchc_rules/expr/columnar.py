"""Formula compilation (compile stage): AST -> polars expressions.

Value convention: Float64 where null = a needed input is missing (-> no_data)
and NaN = the inputs exist but give no number (-> invalid). Null wins over NaN.
"""
from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import polars as pl

from .ast import Binary, Call, Compare, Name, Node, Number, Unary
from .plan import TOLERANCE, approx_holds

__all__ = ["TOLERANCE", "approx_cmp", "approx_holds", "compare_to_polars", "to_polars"]

_NAN = float("nan")
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
    expr = _compile(node, column)
    return pl.when(expr.is_infinite()).then(_NAN).otherwise(expr)


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
        # min_horizontal/max_horizontal skip nulls; a missing input must stay missing.
        pick = pl.min_horizontal if node.func == "min" else pl.max_horizontal
        return (pl.when(pl.any_horizontal([a.is_null() for a in args])).then(_NULL_F64)
                .when(pl.any_horizontal([a.is_nan() for a in args])).then(_NAN)
                .otherwise(pick(args)))
    if isinstance(node, Binary):
        left, right = _compile(node.left, column), _compile(node.right, column)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        # polars gives ±inf for x/0; the convention wants NaN, and null first.
        return (pl.when(left.is_null() | right.is_null()).then(_NULL_F64)
                .when(right == 0).then(_NAN)
                .otherwise(left / right))
    raise TypeError(f"not a formula node: {node!r}")


def _float(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:  # a literal beyond 1e308; to_polars turns ±inf into NaN
        return float("inf") if value > 0 else float("-inf")


def approx_cmp(op: str, a: pl.Expr | float, b: pl.Expr | float,
               absolute: float = 0.0) -> pl.Expr:
    """`a op b` with relative tolerance TOLERANCE; null when either side is null or NaN.

    `op` is one of == != < <= > >=. Used for asserts and for target milestones,
    so "57 of 100" meets ">= 57" in both. `absolute` (a check's `tolerance`) is added to
    the relative slack: sides that far apart count as equal.
    """
    a = a if isinstance(a, pl.Expr) else pl.lit(float(a), dtype=pl.Float64)
    b = b if isinstance(b, pl.Expr) else pl.lit(float(b), dtype=pl.Float64)
    tol = TOLERANCE * pl.max_horizontal(pl.lit(1.0), a.abs(), b.abs())
    if absolute:
        tol = tol + absolute
    holds = {
        ">=": a >= b - tol, ">": a > b + tol, "<=": a <= b + tol, "<": a < b - tol,
        "==": (a - b).abs() <= tol, "!=": (a - b).abs() > tol,
    }[op]
    unknown = a.is_null() | b.is_null() | a.is_nan() | b.is_nan()
    return pl.when(unknown).then(_NULL_BOOL).otherwise(holds)


def compare_to_polars(node: Compare, column: Column) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(holds, left, right) for an assert: holds is Boolean, null when a side is null or NaN.

    left and right are the Float64 sides, for reporting what was compared.
    """
    left, right = to_polars(node.left, column), to_polars(node.right, column)
    return approx_cmp(node.op, left, right), left, right
