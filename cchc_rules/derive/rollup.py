"""Evaluate stage: sums along child → parent edges — a parent's raw counts from its children
(spec §2), and, with the same `aggregate`, a longer period from the shorter ones that tile it.

A node without its own figure for a summable metric takes the sum over its children, only
when every child has one (reported, or itself summed one level down); edges are walked
bottom-up one level at a time, each level in a few columnar joins on integer codes.
`roll_up_wide` applies the same rule to the wide frame `evaluate` reads (one row per unit
and period, a column per metric), without the long figures' sort and pivot.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import cast

import polars as pl

from ..figures.unitgraph import UnitGraph
from ..figures.units import Unit, children_of
from ..periods import parse_period

KEYS = ["unit", "period", "metric"]
CODES = ["u", "p", "m"]
OUTPUT = ["unit", "period", "metric", "value", "origin", "file", "line", "source"]
_EXTRA = {"origin": pl.String, "file": pl.String, "line": pl.Int64, "source": pl.String}
_EDGE = ("child", "parent", "level")

__all__ = ["OUTPUT", "WideRoll", "aggregate", "children_of", "roll_up", "roll_up_wide"]


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


def _distinct(column: pl.Series) -> tuple[list, list, pl.Series]:
    """The distinct values of a String `column`, each one's code, and each row's code, from
    one pass hashing the strings (a cast to a Categorical of its own categories, whose codes
    are 0, 1, … up to the number of distinct values). Where equal values come in runs (the
    figures of a unit, of a period, read together), only each run's value is hashed:
    comparing neighbours costs a fraction of hashing every row."""
    change = column.ne_missing(column.shift(1))
    if column.len():
        change.scatter(0, True)   # the first row starts a run, even a null one
    if change.sum() * 4 > column.len():
        return _hashed(column)
    names, code, index = _hashed(column.filter(change))
    return names, code, index.gather(change.cum_sum() - 1)


def _hashed(column: pl.Series) -> tuple[list, list, pl.Series]:
    """`_distinct` hashing every row."""
    hashed = column.cast(pl.Categorical(pl.Categories.random()))
    found = hashed.unique()
    return found.cast(pl.String).to_list(), found.to_physical().to_list(), hashed.to_physical()


def _recoded(distinct: list, code: list, index: pl.Series, at: Mapping[str, int]
             ) -> pl.Series:
    """`index` (each row's code, as `_distinct` gives it) as each row's value's code in `at`."""
    table = [0] * (max(code, default=-1) + 1)
    for name, i in zip(distinct, code, strict=True):
        table[i] = at[name]
    return pl.Series(table, dtype=pl.UInt64).gather(index)


def _parsed(text: str):
    """The period, or None for text that does not parse (its children all count)."""
    try:
        return parse_period(text)
    except ValueError:
        return None


class WideRoll:
    """The roll-up over units done on the wide frame (one row per unit × period, a column
    per metric) instead of on the long figures: what `roll_up` then a pivot give, in a few
    columnar steps on 40 k rows instead of joins and a sort of 640 k.

    `wide`: `unit`, `period` and `prefix + metric` per metric (Float64), one row per
    (unit, period) with a figure, ordered by unit, then period end, then period;
    `moved`: the rolled figures whose origin is not "reported" (unit, period, metric,
    value, origin), `reported` those whose origin is (both lazy); `long()`: the same rows
    as `roll_up(values, …)`, in its order, built when first asked (only a few outputs read
    the long figures). `ordered`: `wide` is in that order (roll_up_wide's is; a pivot of
    the long figures is not)."""

    def __init__(self, wide: pl.DataFrame, moved: pl.LazyFrame, reported: pl.LazyFrame,
                 long: Callable[[], pl.DataFrame], ordered: bool = False) -> None:
        self.wide, self.moved, self.reported, self._long = wide, moved, reported, long
        self.ordered = ordered
        self._made: pl.DataFrame | None = None

    def long(self) -> pl.DataFrame:
        if self._made is None:
            self._made = self._long()
        return self._made


def roll_up_wide(values: pl.DataFrame, units: Mapping[str, Unit] | UnitGraph,
                 summable: Collection, prefix: str = "", table: pl.DataFrame | None = None
                 ) -> WideRoll | None:
    """`roll_up` on the wide frame (see WideRoll); None when that does not apply: a figure
    without a value (present but null: the long rule counts it as reported), a period that
    does not parse, or two figures for one unit × period × metric. The caller then takes
    the long way.

    Every figure is one cell of a flat array of (unit, period) rows × metrics, so the
    reported figures go in with one scatter, each level's sums with one more, and the wide
    frame is that array's rows. `table`: the same figures as `values`, as the wide table
    they were read from (Figures.as_wide: `unit`, `period`, a Float64 column per metric,
    null where no figure); its 40 k keys are hashed instead of the long figures' 640 k, and
    each metric column goes into the array as it is (the long figures' cells are found only
    if `long()` is asked for)."""
    graph = units if isinstance(units, UnitGraph) else UnitGraph.from_units(units)
    if not values.height or values["value"].null_count():
        return None
    if table is not None:
        columns = [c for c in table.columns if c not in ("unit", "period")]
        table = table.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in columns)) \
            if columns else table.clear()   # a row without a figure has no long figure
        if sum(table[c].len() - table[c].null_count() for c in columns) != values.height:
            table = None   # not the same figures: the long way below
    # Each key's strings are hashed once (a cast to a Categorical of its own categories);
    # the distinct values and the codes come from it (finding the distinct values, then
    # casting to their Enum, hashed the same 637 k strings twice: half the roll-up's time).
    if table is None:
        found = {key: _distinct(values[key]) for key in KEYS}
    else:   # the table's rows, and the metrics that have a figure
        found = {key: _distinct(table[key]) for key in ("unit", "period")}
        found["metric"] = ([c for c in columns if table[c].null_count() < table.height], [],
                           pl.Series(dtype=pl.UInt32))
    if any(None in found[key][0] for key in KEYS):
        return None
    names = {key: sorted(set(found[key][0]) | (set(graph.units) if key == "unit" else set()))
             for key in KEYS}
    parsed = [_parsed(p) for p in names["period"]]
    if any(p is None for p in parsed):
        return None
    # the wide frame's order: unit, then period end, then period (as evaluate sorts it)
    order = sorted(range(len(parsed)),
                   key=lambda i: (parsed[i].end, names["period"][i]))
    metrics = names["metric"]
    n_units, n_periods, n_metrics = len(names["unit"]), len(order), len(metrics)
    codes = {key: {name: i for i, name in enumerate(names[key])} for key in KEYS}
    size = n_units * n_periods
    at = {"unit": codes["unit"], "metric": codes["metric"],
          "period": {names["period"][i]: q for q, i in enumerate(order)}}

    def cells(distinct: Mapping[str, tuple[list, list, pl.Series]]) -> pl.Series:
        """Each long figure's cell of the flat array, from its keys' `_distinct`."""
        coded = {key: _recoded(*distinct[key], at[key]) for key in KEYS}
        return (coded["unit"] * n_periods + coded["period"]) * n_metrics + coded["metric"]

    if table is None:
        flat = pl.Series("v", [None], dtype=pl.Float64).extend_constant(
            None, size * n_metrics - 1)
        cell: pl.Series | None = cells(found)
        flat.scatter(cell, values["value"])
    else:   # each grid row takes its table row (none: null), the metric columns side by side
        cell = None
        row = pl.Series("row", [None], dtype=pl.UInt32).extend_constant(None, size - 1)
        row.scatter(_recoded(*found["unit"], at["unit"]) * n_periods
                    + _recoded(*found["period"], at["period"]),
                    pl.int_range(table.height, dtype=pl.UInt32, eager=True))
        # one gather per column and one interleaving copy, where placing 640 k figures one
        # by one (a scatter) cost three times as much
        flat = table.select(pl.concat_arr([pl.col(m).cast(pl.Float64).gather(row)
                                           for m in metrics]).reshape((-1,)).alias("v")
                            ).to_series()
    if flat.null_count() != flat.len() - values.height:
        return None   # two figures for one cell: the scatter kept only one of them

    def grid(columns: Sequence[str] = metrics) -> pl.DataFrame:
        """The flat array as one row per (unit, period), a column per metric."""
        return flat.reshape((size, n_metrics)).arr.to_struct(fields=metrics) \
            .struct.unnest().select(columns)

    summed = [m for m in metrics if m in set(summable)]
    edges = graph.parent_frame([parsed[i] for i in order]).select(
        *((pl.col(c).cast(pl.Enum(names["unit"])).to_physical().cast(pl.UInt64) * n_periods
           + pl.col("p")).alias(c) for c in ("child", "parent")), "level")
    rolled: list[pl.DataFrame] = []
    if summed and edges.height:
        children = edges.group_by("parent").agg(pl.len().alias("_children"))
        metric_code = {m: codes["metric"][m] for m in summed}
        for level in range(cast(int, edges["level"].max()), 0, -1):
            kids = edges.filter(pl.col("level") == level)
            sums = (grid(summed).gather(kids["child"]).with_columns(kids["parent"]).lazy()
                    .group_by("parent")
                    .agg(*(pl.col(m).sum() for m in summed),
                         *(pl.col(m).count().alias(f"#{m}") for m in summed))
                    .join(children.lazy(), on="parent")
                    .select("parent", *(pl.when(pl.col(f"#{m}") == pl.col("_children"))
                                        .then(pl.col(m)).alias(m) for m in summed))
                    .unpivot(index="parent", variable_name="metric", value_name="value")
                    .drop_nulls("value")
                    .with_columns((pl.col("parent") * n_metrics + pl.col("metric").replace_strict(
                        metric_code, return_dtype=pl.UInt64)).alias("_cell"))
                    .collect())
            added = sums.filter(flat.gather(sums["_cell"]).is_null())   # its own figure wins
            flat.scatter(added["_cell"], added["value"])
            rolled.append(added.select("_cell", "metric", "value"))
    unit_names = pl.Series(names["unit"], dtype=pl.String)
    period_names = pl.Series([names["period"][i] for i in order], dtype=pl.String)
    with_figures = flat.is_not_null().reshape((size, n_metrics)).arr.any()
    key = pl.int_range(size, dtype=pl.UInt64, eager=True).filter(with_figures)
    wide = grid().filter(with_figures).select(
        pl.lit(unit_names).gather(key // n_periods).alias("unit"),
        pl.lit(period_names).gather(key % n_periods).alias("period"),
        *(pl.col(m).alias(prefix + m) for m in metrics))
    up = (pl.concat(rolled) if rolled else
          pl.DataFrame(schema={"_cell": pl.UInt64, "metric": pl.String, "value": pl.Float64}))
    up = up.select(
        pl.lit(unit_names).gather(pl.col("_cell") // n_metrics // n_periods).alias("unit"),
        pl.lit(period_names).gather(pl.col("_cell") // n_metrics % n_periods).alias("period"),
        "metric", "value", pl.lit("rolled_up").alias("origin"), "_cell")
    # roll_up's order: unit, then period by its text, then metric — from a cell's index
    by_text = pl.Series(sorted(range(n_periods), key=lambda q: period_names[q]),
                        dtype=pl.UInt64).arg_sort()   # wide order q -> its text's rank

    def ordered(cells: pl.Expr) -> pl.Expr:
        row = cells // n_metrics
        return ((row // n_periods * n_periods + pl.lit(by_text).gather(row % n_periods))
                * n_metrics + cells % n_metrics)
    given = values.lazy()
    if "origin" not in values.columns:
        given = given.with_columns(pl.lit("reported").alias("origin"))
    own = pl.col("origin") == "reported"
    moved = pl.concat([given.filter(~own).select("unit", "period", "metric", "value",
                                                  "origin"), up.lazy().drop("_cell")])

    def long() -> pl.DataFrame:
        current = given.with_columns(
            [pl.lit(None, dtype).alias(name) for name, dtype in _EXTRA.items()
             if name not in given.collect_schema().names()]
        ).with_columns([pl.col(name).cast(dtype) for name, dtype in _EXTRA.items()])
        current = pl.concat([current.with_columns(
            (cell if cell is not None
             else cells({key: _distinct(values[key]) for key in KEYS})).alias("_cell"))
                             .select(*OUTPUT, "_cell"),
                             up.lazy().with_columns(
            [pl.lit(None, _EXTRA[n]).alias(n) for n in ("file", "line", "source")])
            .select(*OUTPUT, "_cell")])
        return current.sort(ordered(pl.col("_cell"))).select(OUTPUT).collect()

    return WideRoll(wide, moved, given.filter(own), long, ordered=True)
