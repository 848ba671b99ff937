"""Score stage: criteria sets as provinces write them (issue 26) — nested groups (areas →
criteria → sub-criteria) with subtotals, a group's `max` as a cap, and tracks: indicators
scored only for the unit levels (departments, communes …) they or their groups name.

- A group's points and max are the sums over its own indicators and its child groups (each
  child already capped); a group with `max` caps both: points = min(Σ points, max), max =
  min(Σ max, max), and likewise the self-assessed points, so a dropped (`n/a`) criterion
  still lowers the maximum below the cap.
- With a cap anywhere, a unit's total is the sum over the top groups (capped) and the
  indicators in no group (bonus and penalty among them); without one it is the plain sum
  over indicators, the same number.
- An indicator's levels are its own `levels`, else its nearest group's that has some; a
  unit of another level has it excluded (value, points and max null); a unit whose level is
  unknown is scored on every indicator, as targets are evaluated.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from ..ruleset.criteria import indicator_levels

Sum = Callable[[list[pl.DataFrame]], pl.DataFrame]


def group_parents(scoring: Any) -> dict[str, str | None]:
    return {g.id: g.parent for g in scoring.groups}


def by_level(columns: list[pl.DataFrame], scoring: Any, unit_levels: pl.Series
             ) -> list[pl.DataFrame]:
    """Each indicator's columns with the rows of units outside its levels excluded."""
    out = []
    for column, levels in zip(columns, indicator_levels(scoring), strict=True):
        if levels is not None:
            outside = (unit_levels.is_not_null() & ~unit_levels.is_in(list(levels))).alias("_o")
            nulled = [c for c in ("value", "points", "max", "self_assessed_value",
                                  "self_assessed_points") if c in column.columns]
            column = column.with_columns(outside).with_columns(
                pl.when(pl.col("_o")).then(None).otherwise(pl.col(c)).alias(c)
                for c in nulled).drop("_o")
        out.append(column)
    return out


def group_sums(scoring: Any, columns: list[pl.DataFrame], indicators: list, total: Sum,
               appraised: bool) -> list[pl.DataFrame]:
    """Per group of `scoring.groups` (in order), its points and max (and, `appraised`, the
    self-assessed points and difference): its indicators' and child groups' sums, capped
    by the group's `max`. `total` sums a list of such frames."""
    children: dict[str, list[str]] = {g.id: [] for g in scoring.groups}
    for g in scoring.groups:
        if g.parent in children:
            children[g.parent].append(g.id)
    caps = {g.id: g.max for g in scoring.groups}
    done: dict[str, pl.DataFrame] = {}

    def of(gid: str) -> pl.DataFrame:
        if gid not in done:
            done[gid] = pl.DataFrame()   # a circle (refused when loading) stops here
            own = [c for c, i in zip(columns, indicators, strict=True) if i.group == gid]
            parts = own + [part for child in children[gid] if (part := of(child)).height]
            done[gid] = capped(total(parts), caps[gid], appraised)
        return done[gid]

    return [of(g.id) for g in scoring.groups]


def capped(frame: pl.DataFrame, cap: float | None, appraised: bool) -> pl.DataFrame:
    """A sum frame with points, max (and self-assessed points) at most `cap`."""
    if cap is None:
        return frame
    top = float(cap)
    out = frame.with_columns(pl.col("points").cast(pl.Float64).clip(upper_bound=top),
                             pl.col("max").cast(pl.Float64).clip(upper_bound=top))
    if appraised:
        out = out.with_columns(pl.col("self_assessed_points").cast(pl.Float64)
                               .clip(upper_bound=top)) \
            .with_columns((pl.col("points") - pl.col("self_assessed_points"))
                          .alias("difference"))
    return out


def has_caps(scoring: Any) -> bool:
    return any(g.max is not None for g in scoring.groups)


def capped_total(scoring: Any, net: list[pl.DataFrame], indicators: list,
                 sums: list[pl.DataFrame], total: Sum) -> pl.DataFrame:
    """A unit's total when some group caps its points: the top groups (capped) plus every
    indicator in no group (bonus and penalty as `net` counts them)."""
    known = {g.id for g in scoring.groups}
    tops = [s for g, s in zip(scoring.groups, sums, strict=True)
            if g.parent is None or g.parent not in known]
    loose = [c for c, i in zip(net, indicators, strict=True)
             if i.group is None or i.group not in known]
    return total(tops + loose)
