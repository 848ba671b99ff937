"""Row plans → polars: one generator of the plan nodes in `nodes.py`, and the tolerant
comparison every polars comparison of the tool uses."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl

from . import nodes as n

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

_CMP = {"==": pl.Expr.__eq__, "!=": pl.Expr.__ne__, "<": pl.Expr.__lt__,
        "<=": pl.Expr.__le__, ">": pl.Expr.__gt__, ">=": pl.Expr.__ge__}
_UNARY = {n.Not: pl.Expr.__invert__, n.IsNull: pl.Expr.is_null, n.IsNaN: pl.Expr.is_nan,
          n.Floor: pl.Expr.floor, n.Ceil: pl.Expr.ceil, n.Abs: pl.Expr.abs,
          n.Round: lambda e: e.round(0)}
_ARITH = {"+": pl.Expr.__add__, "-": pl.Expr.__sub__, "*": pl.Expr.__mul__,
          "/": pl.Expr.__truediv__}


def to_polars(node: n.Node, suffix: str = "", given: Mapping[str, pl.Expr] | None = None,
              made: dict[int, tuple[n.Node, pl.Expr]] | None = None) -> pl.Expr:
    """The polars expression of `node`; columns are read by name, `suffix` appended (one
    frame can then hold many copies of a plan's columns, `name#k`), except the columns
    `given` holds an expression for (a value one for all rows, written in the expression
    instead of read from a column of the frame). `made` (by node id, for one `suffix` and
    `given`): a node met again — a plan shares subtrees — is built once (an expression is
    immutable, so it can be part of many)."""
    if made is None:
        made = {}
    found = made.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    expr = _built(node, suffix, given, made)
    made[id(node)] = (node, expr)
    return expr


def _built(node: n.Node, suffix: str, given: Mapping[str, pl.Expr] | None,
           made: dict[int, tuple[n.Node, pl.Expr]]) -> pl.Expr:
    """`to_polars` of one node, its parts through `to_polars`."""
    def sub(part: n.Node) -> pl.Expr:
        return to_polars(part, suffix, given, made)
    if isinstance(node, n.Col):
        if given is not None and node.name in given:
            return given[node.name]
        return pl.col(node.name + suffix)
    if isinstance(node, n.Lit):
        return _lit(node.value)
    if isinstance(node, n.Arith):
        return _ARITH[node.op](sub(node.left), sub(node.right))
    if isinstance(node, n.Cmp):
        return _CMP[node.op](sub(node.left), sub(node.right))
    if isinstance(node, n.ApproxCmp):
        return approx_cmp(node.op, sub(node.left), sub(node.right))
    if isinstance(node, n.And | n.Or):
        args = [sub(a) for a in node.args]
        out = args[0]
        for arg in args[1:]:
            out = out & arg if isinstance(node, n.And) else out | arg
        return out
    if isinstance(node, n.Case):
        if len(node.whens) > 2 and isinstance(node.otherwise, n.Lit) and all(
                isinstance(value, n.Lit) and value.value is not None for _, value in node.whens):
            # Every branch a code (the status plan's reason, its trajectory): the first
            # branch whose condition holds is the first non-null of the when-thens. polars
            # takes them in one pass where a chain is a ternary per branch, each over the
            # whole column (issue 28: the national decision 48 → 41 ms, the same values).
            return pl.coalesce([pl.when(sub(cond)).then(sub(value))
                                for cond, value in node.whens] + [sub(node.otherwise)])
        chain: Then | ChainedThen | None = None
        for cond, value in node.whens:
            chain = (pl.when(sub(cond)) if chain is None
                     else chain.when(sub(cond))).then(sub(value))
        otherwise = sub(node.otherwise)
        return otherwise if chain is None else chain.otherwise(otherwise)
    if isinstance(node, n.Lookup):
        # typed key: (1, 2) and (1.0, 2.0) are equal tuples but not the same table
        return _table(tuple((type(v), v) for v in node.table)).gather(sub(node.index))
    if isinstance(node, n.In):
        return sub(node.arg).is_in(list(node.values))
    if isinstance(node, n.Max):
        return pl.max_horizontal(*(sub(a) for a in node.args))
    if isinstance(node, n.Unary):
        return _UNARY[type(node)](sub(node.arg))
    raise TypeError(f"not a plan node: {node!r}")


@functools.lru_cache(maxsize=256)
def _table(typed: tuple[tuple[type, object], ...]) -> pl.Expr:
    """A lookup table of `typed` ((type, value) pairs) as a literal; names become an Enum
    (one byte a row, not a string). Made once per table: every target's plan holds the
    same few tables (a Series built per target was a third of compiling the national
    plans)."""
    values = [value for _, value in typed]
    names = [v for v in values if isinstance(v, str)]
    if len(names) == len(values) and len(set(names)) == len(names):
        return pl.lit(pl.Series(names, dtype=pl.Enum(names)))
    return pl.lit(pl.Series(values))


def _lit(value) -> pl.Expr:
    # A bare null takes the type of the other branches; a float stays a float.
    return literal(value, pl.Float64() if isinstance(value, float) else None)


_LITERALS: dict[tuple, pl.Expr] = {}


def literal(value: object, dtype: pl.DataType | None = None) -> pl.Expr:
    """`pl.lit(value, dtype)`, made once per process for each value and type: the national
    plans write ~1,800 constants into their expressions, and polars builds a Series for
    each literal (~20 µs). Keyed by the value's type and text, so 0.0 and -0.0, 1 and
    True, stay apart."""
    key = (type(value), repr(value), repr(dtype))
    found = _LITERALS.get(key)
    if found is None:
        if len(_LITERALS) >= 4096:   # a long-running process seeing ever new values
            _LITERALS.clear()
        found = _LITERALS[key] = pl.lit(value, dtype=dtype)
    return found


Compiled = list[list[pl.Expr]]


def compile_plan(stages: n.Plan, suffix: str = "",
                 given: Mapping[str, pl.Expr] | None = None) -> Compiled:
    """Every stage's expressions, built once: an expression can be applied to many frames.
    With `suffix`, every column the plan reads or makes is `name + suffix`: the wide
    evaluation gives each target's plan its own columns (`#k`) of one frame. A column in
    `given` is read as its expression there (see to_polars) until a stage makes it."""
    given = dict(given or {})
    out = []
    for stage in stages:
        made: dict[int, tuple[n.Node, pl.Expr]] = {}   # per stage: `given` changes between
        out.append([to_polars(node, suffix, given, made).alias(name + suffix)
                    for name, node in stage])
        for name, _ in stage:
            given.pop(name, None)
    return out


def apply(frame: pl.LazyFrame, stages: n.Plan | Compiled) -> pl.LazyFrame:
    """`frame` with every stage's columns added (or replaced), stage after stage; `stages`
    may be compiled already (compile_plan)."""
    compiled = stages if isinstance(stages, list) else compile_plan(stages)   # a Plan is tuples
    for exprs in compiled:
        frame = frame.with_columns(exprs)
    return frame


def approx_cmp(op: str, a: pl.Expr | float, b: pl.Expr | float,
               absolute: float = 0.0) -> pl.Expr:
    """`a op b` with relative tolerance TOLERANCE; null when either side is null or NaN.

    `op` is one of == != < <= > >=. Used for asserts and for target milestones,
    so "57 of 100" meets ">= 57" in both. `absolute` (a check's `tolerance`) is added to
    the relative slack: sides that far apart count as equal.
    """
    a = a if isinstance(a, pl.Expr) else literal(float(a), pl.Float64())
    b = b if isinstance(b, pl.Expr) else literal(float(b), pl.Float64())
    tol = literal(n.TOLERANCE) * pl.max_horizontal(literal(1.0), a.abs(), b.abs())
    if absolute:
        tol = tol + absolute
    holds = {
        ">=": a >= b - tol, ">": a > b + tol, "<=": a <= b + tol, "<": a < b - tol,
        "==": (a - b).abs() <= tol, "!=": (a - b).abs() > tol,
    }[op]
    # a null side makes `holds` null by itself; a NaN does not (polars orders NaN above
    # every number), so only NaN is asked for: fewer nodes in each of the national plans'
    # ~100 comparisons (their planning is half the status decision)
    return pl.when(a.is_nan() | b.is_nan()).then(literal(None, pl.Boolean())).otherwise(holds)
