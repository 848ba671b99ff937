"""The share-of-met ranking (rulesets without `scoring`): units placed by the weighted share
of their targets met or on track, within one period. With `scoring`, `points.py` ranks.

A domain rule, not a rendering one: the report's ranking table reads it today, and JSON,
CSV, the table and a future web page are to read the same frame, so every output gives
a unit the same rank.

The rule, per unit:
- Only the unit's latest period with results counts (latest by end date, then start date).
- Units are compared like with like: a unit is ranked only against units of its level
  whose latest period is the same one (a unit with figures for 2025 is never placed beside
  one whose latest figures are for 2025-H1, a commune never beside a province); each period
  and level has its own ranks from 1.
- score = 100 × Σ weight of results that are `good` (met, on track)
                / Σ weight of results that are rated (not no_data, not not_applicable);
  a missing figure never counts as a failure. 0 when every rated weight is 0; a unit with
  no rated result in its latest period is not ranked at all.
- Ranks are competition ranks ("1224") by the one rule of `ranks.py`: scores within `TIE`
  (0.005 of 100) of a run's first share its rank, and the next rank skips; each level of a
  period is ranked on its own.
- Rows are ordered by period, latest first, then level, rank, then unit id (ties by id).
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ..domain import GOOD, STATUSES, UNRATED
from ..periods import period_key
from .ranks import competition_ranks

SHARE_MET_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "period": pl.String, "score": pl.Float64, "rank": pl.UInt32,
    **{status: pl.UInt32 for status in STATUSES},
}


def period_order(periods: list[str]) -> dict[str, int]:
    """Each period's place in time: the order of `Period` (by end date, then start date, then
    kind and text, so the order never depends on the input's)."""
    return {p: i for i, p in enumerate(sorted(set(periods), key=period_key))}


def latest_results(results: pl.DataFrame) -> pl.DataFrame:
    """Each unit's results of its latest period, in the frame's order."""
    if not results.height:
        return results
    order = period_order(results["period"].unique().to_list())
    index = pl.col("period").replace_strict(order, return_dtype=pl.Int32)
    return results.filter(index == index.max().over("unit"))


def rank_units(source: Any) -> pl.DataFrame:
    """The ranking of `source` (an `Evaluation`, or its results frame): one row per ranked
    unit with columns `SHARE_MET_SCHEMA` — unit, its latest period, score (0–100), rank within
    that period (1 = best; ties by the one rule of `ranks.py`), and how many of its latest
    results have each status — ordered by period (latest first), rank, then unit id."""
    results = source if isinstance(source, pl.DataFrame) else source.results
    latest = latest_results(results)
    rated = pl.col("status").is_in(UNRATED).not_()
    latest = latest.filter(rated.any().over("unit"))
    if not latest.height:
        return pl.DataFrame(schema=SHARE_MET_SCHEMA)
    good = pl.col("status").is_in(GOOD).cast(pl.Float64)
    order = period_order(latest["period"].unique().to_list())
    if "level" not in latest.columns:
        latest = latest.with_columns(pl.lit(None, pl.String).alias("level"))
    shares = (latest.group_by("unit").agg(
        pl.col("period").first(), pl.col("level").first().alias("_level"),
        ((pl.col("weight") * good).sum() / (pl.col("weight") * rated.cast(pl.Float64)).sum()
         * 100).fill_nan(0.0).fill_null(0.0).alias("score"),
        *[(pl.col("status") == status).sum().cast(pl.UInt32).alias(status)
          for status in STATUSES])
        .with_columns(pl.col("period").replace_strict(order, return_dtype=pl.Int32)
                      .alias("_order"))
        .sort(["_order", "_level", "score", "unit"], descending=[True, False, True, False],
              nulls_last=True))
    ranks, _ = competition_ranks(shares, ["_order", "_level"], "score")
    return (shares.with_columns(ranks.cast(pl.UInt32))
            .sort(["_order", "_level", "rank", "unit"], descending=[True, False, False, False],
                  nulls_last=True)
            .select(list(SHARE_MET_SCHEMA)))


def latest_period(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of `frame` (any frame with a `period` column, e.g. a §7 rankings frame) for
    its latest period only: one period, so its units can be shown side by side."""
    if not frame.height:
        return frame
    order = period_order(frame["period"].unique().to_list())
    return frame.filter(pl.col("period") == max(order, key=order.__getitem__))


def status_counts(row: dict[str, Any]) -> dict[str, int]:
    """The statuses a ranking row counts, without the zeros: {status: n}."""
    return {status: row[status] for status in STATUSES if row[status]}
