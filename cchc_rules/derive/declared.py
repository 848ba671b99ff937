"""Derive stage, criteria that do not apply (spec §7 v3): a unit's declared `n/a` over units
and formulas.

A unit may report `n/a` (or `không áp dụng`) for a figure: the criterion does not apply to
it. In a roll-up a child's `n/a` counts as reported and adds nothing; when every child of a
parent is `n/a`, so is the parent. A formula that uses a declared metric is not applicable
either, even beside a missing input or a zero denominator (evaluator: `_declared`).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

import polars as pl

from ..expr import names
from .rollup import roll_up

KEYS = ["unit", "period", "metric"]
FLAG_PREFIX = "n:"   # the wide frame's column: the metric is declared n/a for the row


def roll_up_declared(known: pl.DataFrame, declared: pl.DataFrame, units,
                     summable: Collection[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(figures rolled up, every declared unit × period × metric): the declared children of
    a summable metric stand in with 0 (reported, adding nothing); a parent whose sum is
    made of declared children only is itself declared, and has no figure."""
    keys = declared.select(KEYS)
    if not keys.height:
        return roll_up(known, units, summable), keys
    stand_ins = keys.filter(pl.col("metric").is_in(list(summable))) \
        .join(known.select(KEYS), on=KEYS, how="anti") \
        .with_columns(pl.lit(0.0).alias("value"))
    rolled = roll_up(pl.concat([known, stand_ins], how="diagonal_relaxed"), units, summable)
    # the same roll-up of 1 per real figure and 0 per declared one: a sum of 0 that was
    # rolled up is a parent of declared children only
    flags = roll_up(pl.concat([known.select(*KEYS, pl.lit(1.0).alias("value")),
                               stand_ins.select(*KEYS, "value")]), units, summable)
    parents = flags.filter((pl.col("origin") == "rolled_up") & (pl.col("value") == 0.0)) \
        .select(KEYS)
    every = pl.concat([keys, parents]).unique(maintain_order=True)
    return rolled.join(every, on=KEYS, how="anti", maintain_order="left"), every


def flag_columns(wide: pl.LazyFrame, declared: pl.DataFrame, order: list[str],
                 formulas: Mapping) -> tuple[pl.LazyFrame, set[str]]:
    """`wide` with a boolean column `n:<metric>` per metric declared for some row, and per
    formula metric using one (true when any input is declared); the metrics flagged."""
    if not declared.height:
        return wide, set()
    found = sorted(declared["metric"].unique().to_list())
    spread = declared.select("unit", "period", (FLAG_PREFIX + pl.col("metric")).alias("_m"),
                             pl.lit(True).alias("_v")) \
        .pivot(on="_m", index=["unit", "period"], values="_v")
    flagged = set(found)
    wide = wide.join(spread.lazy(), on=["unit", "period"], how="left").with_columns(
        pl.col(FLAG_PREFIX + m).fill_null(False) for m in found)
    for mid in order:   # formulas in dependency order: inputs first
        inputs = [n for n in names(formulas[mid]) if n in flagged]
        if inputs:
            own = [pl.col(FLAG_PREFIX + mid)] if mid in flagged else []
            wide = wide.with_columns(pl.any_horizontal(
                *own, *(pl.col(FLAG_PREFIX + n) for n in inputs)).alias(FLAG_PREFIX + mid))
            flagged.add(mid)
    return wide, flagged


def declared_rows(wide: pl.DataFrame) -> pl.DataFrame:
    """The (unit, period, metric) rows whose `n:<metric>` flag is set in `wide`."""
    flags = [c for c in wide.columns if c.startswith(FLAG_PREFIX)]
    if not flags:
        return pl.DataFrame(schema={"unit": pl.String, "period": pl.String,
                                    "metric": pl.String})
    return wide.select("unit", "period", *flags).unpivot(
        on=flags, index=["unit", "period"], variable_name="metric", value_name="_v") \
        .filter(pl.col("_v")).select("unit", "period",
                                     pl.col("metric").str.strip_prefix(FLAG_PREFIX))
