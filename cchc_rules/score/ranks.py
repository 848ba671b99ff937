"""Competition ranks, the one rule every ranking of the tool uses (spec §7).

Rows are ranked within their group from the highest value down; a run of values within
`TIE` of the run's first shares that first's rank, and the next rank skips ("1, 1, 3").
`TIE` is 0.005 of the 0–100 scale, so 89.997 ties with 90.0 but 89.99 does not. The points
ranking (`points.py`, by index per period and level) and the share-of-met ranking
(`share_met.py`, by score per period) both call `competition_ranks`.
"""
from __future__ import annotations

from collections.abc import Sequence

import polars as pl

TIE = 0.005


def competition_ranks(frame: pl.DataFrame, groups: Sequence[str], value: str
                      ) -> tuple[pl.Series, pl.Series]:
    """The rank of each row of `frame`, sorted by `groups` then `value` descending (nulls
    last), and how many rows of its group have a value: a run of values within TIE of its
    first shares that first's rank; the next rank skips. Null value → no rank.

    Columnar: a gap wider than TIE always starts a run, so the rows split into clusters of
    close indices; a cluster no wider than TIE is one run (nearly all). Only a wider
    cluster, where a run's start depends on the run before, is walked row by row."""
    group = pl.struct(*groups).rle_id()
    ranked = frame.select(
        group.alias("g"), pl.col(value).alias("index"),
        (pl.col(value).is_not_null().cast(pl.Int64).cum_sum().over(group)).alias("seen"),
        pl.col(value).is_not_null().sum().over(group).cast(pl.Int64).alias("of"))
    gap = (pl.col("index").shift(1) - pl.col("index") > TIE + 1e-9).fill_null(True)
    cluster = ((pl.col("g") != pl.col("g").shift(1)).fill_null(True) | gap).cum_sum()
    ranked = ranked.with_columns(cluster.alias("c")).with_columns(
        pl.col("seen").first().over("c").alias("rank"),
        ((pl.col("index").max() - pl.col("index").min()).over("c") > TIE + 1e-9)
        .alias("wide"))
    ranks = ranked.select(pl.when(pl.col("index").is_not_null()).then(pl.col("rank"))) \
        .to_series().rename("rank")
    walk = ranked.with_row_index("_i").filter(pl.col("wide") & pl.col("index").is_not_null())
    if walk.height:
        rows, found = walk["_i"].to_list(), []
        lead, lead_rank, current = 0.0, 0, None   # current: the run's cluster (`c`)
        for c, index, seen in zip(walk["c"].to_list(), walk["index"].to_list(),
                                  walk["seen"].to_list(), strict=True):
            if c != current or lead - index > TIE + 1e-9:
                lead, lead_rank, current = index, seen, c
            found.append(lead_rank)
        ranks = ranks.scatter(pl.Series(rows, dtype=pl.UInt32), pl.Series(found))
    return ranks, ranked["of"].rename("of")
