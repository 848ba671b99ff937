"""Evaluate stage: sums along child → parent edges — a parent's raw counts from its children
(spec §2), and, with the same `aggregate`, a longer period from the shorter ones that tile it.

A node without its own figure for a summable metric takes the sum over its children, only
when every child has one (reported, or itself summed one level down); edges are walked
bottom-up one level at a time, each level in a few columnar joins on integer codes.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import cast

import polars as pl

from ..figures.unitgraph import UnitGraph
from ..figures.units import Unit, children_of, refuse_cycles
from ..periods import parse_period

KEYS = ["unit", "period", "metric"]
CODES = ["u", "p", "m"]
OUTPUT = ["unit", "period", "metric", "value", "origin", "file", "line", "source"]
_EXTRA = {"origin": pl.String, "file": pl.String, "line": pl.Int64, "source": pl.String}
_EDGE = ("child", "parent", "level")

__all__ = ["OUTPUT", "aggregate", "children_of", "roll_up"]


def aggregate(values: pl.DataFrame, edges: pl.DataFrame, summable: Collection, *, along: str,
              keys: Sequence[str] = CODES, metric: str = "m") -> pl.DataFrame:
    """The rows (`keys`, value) that summing along `edges` adds to `values`.

    `values` has one row per `keys`, with `value`; `along` is the key the edges move along
    (the unit for the roll-up over units, the period for the roll-up over time). `edges` has
    `child`, `parent`, `level` and the keys they depend on (the period, for units: a unit's
    parent is the one in force then). For every row of a `metric` in `summable`, a parent
    that has no value of its own gets its children's sum when all of its children (all the
    edges to it, for those keys) have one. The highest level goes first, so its sums count
    one level up."""
    shared = [c for c in edges.columns if c not in _EDGE]
    rest = [k for k in keys if k != along]
    current = values.select(*keys, "value")
    added: list[pl.DataFrame] = []
    if edges.is_empty() or not summable:
        return current.clear()
    size = edges.group_by("parent", *shared).agg(pl.len().alias("_children"))
    wanted = pl.col(metric).is_in(list(summable))
    deepest = cast(int, edges["level"].max())   # edges is not empty; `level` counts edges
    for level in range(deepest, 0, -1):
        kids = edges.filter(pl.col("level") == level).select("child", "parent", *shared)
        sums = (current.filter(wanted)
                .join(kids, left_on=[along, *shared], right_on=["child", *shared])
                .group_by("parent", *rest)
                .agg(pl.col("value").sum(), pl.len().alias("_reporting"))
                .join(size, on=["parent", *shared])
                .filter(pl.col("_reporting") == pl.col("_children"))
                .select(pl.col("parent").alias(along), *rest, "value")
                .select(*keys, "value")
                .join(current, on=list(keys), how="anti"))
        added.append(sums)
        current = pl.concat([current, sums])
    return pl.concat(added)


def roll_up(values: pl.DataFrame, units: Mapping[str, Unit] | UnitGraph, summable: Collection
            ) -> pl.DataFrame:
    """`values` (unit, period, metric, value[, file, line, source, origin]; one row per unit ×
    period × metric) plus rolled-up rows, sorted by unit, period, metric. `origin` is
    "reported" unless the input already says otherwise (so rolling up twice changes nothing);
    rolled-up rows have no file, line or source. A unit's parent in a period is the one in
    force on the period's last day (`UnitGraph.parent_frame`). CchcError when the units form
    a cycle."""
    graph = units if isinstance(units, UnitGraph) else UnitGraph.from_units(units)
    refuse_cycles(graph.units)
    current = values.with_columns(
        [pl.lit("reported" if name == "origin" else None, dtype).alias(name)
         for name, dtype in _EXTRA.items() if name not in values.columns]
    ).with_columns([pl.col(name).cast(dtype) for name, dtype in _EXTRA.items()])
    # Sorted distinct keys give integer codes whose order is the output order; joins and the
    # final sort then run on integers, not on strings.
    names = {key: sorted(set(current[key].unique().to_list())
                         | (set(graph.units) if key == "unit" else set())) for key in KEYS}
    codes = {key: {name: i for i, name in enumerate(names[key])} for key in KEYS}
    current = current.with_columns(
        [pl.col(key).replace_strict(codes[key], return_dtype=pl.UInt32).alias(code)
         for key, code in zip(KEYS, CODES, strict=True)]
    ).select(*CODES, *OUTPUT)
    summed = [codes["metric"][m] for m in summable if m in codes["metric"]]
    edges = graph.parent_frame([_parsed(p) for p in names["period"]]).select(
        *(pl.col(c).replace_strict(codes["unit"], return_dtype=pl.UInt32)
          for c in ("child", "parent")), "p", "level")
    sums = aggregate(current, edges, summed, along="u")
    if sums.height:
        current = pl.concat([current, sums.with_columns(
            [pl.lit(pl.Series(names[key], dtype=pl.String)).gather(pl.col(code)).alias(key)
             for key, code in zip(KEYS, CODES, strict=True)]
            + [pl.lit("rolled_up").alias("origin")]
            + [pl.lit(None, _EXTRA[n]).alias(n) for n in ("file", "line", "source")]
        ).select(*CODES, *OUTPUT)])
    return current.sort(CODES).select(OUTPUT)


def _parsed(text: str):
    """The period, or None for text that does not parse (its children all count)."""
    try:
        return parse_period(text)
    except ValueError:
        return None
