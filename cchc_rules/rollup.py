"""Evaluate stage: a parent's raw counts and amounts from its children (spec §2).

A unit without its own figure for a summable metric takes the sum over its children, only
when every child existing in that period has one (reported or itself rolled up); the tree is
walked bottom-up one depth at a time, each depth in a few columnar joins on integer codes.
"""
from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import date

import polars as pl

from .periods import parse_period
from .units import Unit, children_of, depths

KEYS = ["unit", "period", "metric"]
CODES = ["u", "p", "m"]
OUTPUT = ["unit", "period", "metric", "value", "origin", "file", "line", "source"]
_EXTRA = {"origin": pl.String, "file": pl.String, "line": pl.Int64, "source": pl.String}

__all__ = ["OUTPUT", "children_of", "roll_up"]


def roll_up(values: pl.DataFrame, units: Mapping[str, Unit], summable: Set[str]
            ) -> pl.DataFrame:
    """`values` (unit, period, metric, value[, file, line, source, origin]; one row per unit ×
    period × metric) plus rolled-up rows, sorted by unit, period, metric. `origin` is
    "reported" unless the input already says otherwise (so rolling up twice changes nothing);
    rolled-up rows have no file, line or source. CchcError when the units form a cycle."""
    depth = depths(units)
    current = values.with_columns(
        [pl.lit("reported" if name == "origin" else None, dtype).alias(name)
         for name, dtype in _EXTRA.items() if name not in values.columns]
    ).with_columns([pl.col(name).cast(dtype) for name, dtype in _EXTRA.items()])
    # Sorted distinct keys give integer codes whose order is the output order; joins and the
    # final sort then run on integers, not on strings.
    names = {key: sorted(set(current[key].unique().to_list())
                         | (set(units) if key == "unit" else set())) for key in KEYS}
    codes = {key: {name: i for i, name in enumerate(names[key])} for key in KEYS}
    current = current.with_columns(
        [pl.col(key).replace_strict(codes[key], return_dtype=pl.UInt32).alias(code)
         for key, code in zip(KEYS, CODES, strict=True)]
    ).select(*CODES, *OUTPUT)
    tree = _tree(units, depth, codes["unit"], names["period"])
    summed = [codes["metric"][m] for m in summable if m in codes["metric"]]
    if not tree.is_empty() and summed:
        size = tree.group_by("parent", "p").agg(pl.len().alias("children"))
        wanted = pl.col("m").is_in(summed)
        for level in range(tree["depth"].max(), 0, -1):
            kids = tree.filter(pl.col("depth") == level).select("u", "p", "parent")
            sums = (current.filter(wanted).join(kids, on=["u", "p"])
                    .group_by("parent", "p", "m")
                    .agg(pl.col("value").sum(), pl.len().alias("reporting"))
                    .join(size, on=["parent", "p"])
                    .filter(pl.col("reporting") == pl.col("children"))
                    .select(pl.col("parent").alias("u"), "p", "m", "value")
                    .join(current, on=CODES, how="anti"))
            current = pl.concat([current, sums.with_columns(
                [pl.lit(pl.Series(names[key], dtype=pl.String)).gather(pl.col(code)).alias(key)
                 for key, code in zip(KEYS, CODES, strict=True)]
                + [pl.lit("rolled_up").alias("origin")]
                + [pl.lit(None, _EXTRA[n]).alias(n) for n in ("file", "line", "source")]
            ).select(*CODES, *OUTPUT)])
    return current.sort(CODES).select(OUTPUT)


def _tree(units: Mapping[str, Unit], depth: Mapping[str, int], code: Mapping[str, int],
          periods: list[str]) -> pl.DataFrame:
    """(u, p, parent, depth): each child for each period it exists in. A unit dissolved or
    created in the 2025 reorganization (valid_to / valid_from) is not waited for in periods
    it did not overlap; a period that does not parse counts every child."""
    linked = [u for u in units.values() if u.parent in units]
    children = pl.DataFrame({
        "u": [code[u.id] for u in linked], "parent": [code[u.parent] for u in linked],
        "depth": [depth[u.id] for u in linked],
        "valid_from": [u.valid_from for u in linked], "valid_to": [u.valid_to for u in linked],
    }, schema={"u": pl.UInt32, "parent": pl.UInt32, "depth": pl.Int64,
               "valid_from": pl.String, "valid_to": pl.String})
    spans = [_span(p) for p in periods]
    calendar = pl.DataFrame({"p": range(len(periods)), "start": [s for s, _ in spans],
                             "end": [e for _, e in spans]},
                            schema={"p": pl.UInt32, "start": pl.Date, "end": pl.Date})
    began = pl.col("valid_from").str.to_date()
    ended = pl.col("valid_to").str.to_date()
    alive = ((began.is_null() | pl.col("end").is_null() | (began <= pl.col("end")))
             & (ended.is_null() | pl.col("start").is_null() | (ended >= pl.col("start"))))
    return children.join(calendar, how="cross").filter(alive).select("u", "p", "parent",
                                                                      "depth")


def _span(text: str) -> tuple[date | None, date | None]:
    try:
        period = parse_period(text)
    except ValueError:
        return None, None
    return period.start, period.end
