"""Evaluate stage: a parent's raw counts and amounts from its children (spec §2).

A unit without its own figure for a summable metric takes the sum over its children, only
when every child has one (reported or itself rolled up); the tree is walked bottom-up one
depth at a time, each depth in a few columnar joins.
"""
from __future__ import annotations

from collections.abc import Mapping, Set

import polars as pl

from .units import Unit, children_of, depths

KEYS = ["unit", "period", "metric"]
OUTPUT = ["unit", "period", "metric", "value", "origin", "file", "line", "source"]
_EXTRA = {"origin": pl.String, "file": pl.String, "line": pl.Int64, "source": pl.String}

__all__ = ["OUTPUT", "children_of", "roll_up"]


def roll_up(values: pl.DataFrame, units: Mapping[str, Unit], summable: Set[str]
            ) -> pl.DataFrame:
    """`values` (unit, period, metric, value[, file, line, source, origin]; one row per unit ×
    period × metric) plus rolled-up rows, sorted by unit, period, metric. `origin` is
    "reported" unless the input already says otherwise (so rolling up twice changes nothing);
    rolled-up rows have no file, line or source. CchcError when the units form a cycle."""
    current = values.with_columns(
        [pl.lit("reported" if name == "origin" else None, dtype).alias(name)
         for name, dtype in _EXTRA.items() if name not in values.columns]
    ).with_columns([pl.col(name).cast(dtype) for name, dtype in _EXTRA.items()]
                   ).select(OUTPUT)
    depth = depths(units)
    tree = pl.DataFrame(
        {"unit": [u.id for u in units.values() if u.parent in units],
         "parent": [u.parent for u in units.values() if u.parent in units]},
        schema={"unit": pl.String, "parent": pl.String},
    ).with_columns(depth=pl.col("unit").replace_strict(depth, return_dtype=pl.Int64))
    if tree.is_empty():
        return current.sort(KEYS)
    size = tree.group_by("parent").agg(pl.len().alias("children"))
    wanted = pl.col("metric").is_in(list(summable))
    for level in range(tree["depth"].max(), 0, -1):
        kids = tree.filter(pl.col("depth") == level).select("unit", "parent")
        sums = (current.filter(wanted).join(kids, on="unit")
                .group_by("parent", "period", "metric")
                .agg(pl.col("value").sum(), pl.len().alias("reporting"))
                .join(size, on="parent")
                .filter(pl.col("reporting") == pl.col("children"))
                .select(pl.col("parent").alias("unit"), "period", "metric", "value"))
        new = sums.join(current, on=KEYS, how="anti").with_columns(
            pl.lit("rolled_up").alias("origin"), pl.lit(None, pl.String).alias("file"),
            pl.lit(None, pl.Int64).alias("line"), pl.lit(None, pl.String).alias("source"))
        current = pl.concat([current, new.select(OUTPUT)], how="vertical_relaxed")
    return current.sort(KEYS)
