"""Score stage: a bonus or penalty figure above its indicator's max (spec §7 v3).

An `as_points` indicator scores the figure itself, clamped to 0–max. For a bonus or a
penalty a figure above max is a claim the criteria set does not allow (a unit claiming 5
bonus points where the plan gives at most 2): the points are clamped as for every
indicator, and each such reported figure gets one DAT31 warning at its place, so the
points are never cut silently.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ..domain import IndicatorKind
from ..errors import Position, Problem
from ..messages import _


def clamped_warnings(scoring: Any, values: pl.DataFrame) -> list[Problem]:
    """DAT31 warnings for the reported figures (`values`: unit, period, metric, value, file,
    line) that a bonus or penalty `as_points` indicator of `scoring` clamps to its max, in
    the order the figures were read."""
    if scoring is None or not values.height:
        return []
    problems: list[Problem] = []
    for ind in scoring.indicators:
        if ind.kind == IndicatorKind.SCORE or not ind.as_points or ind.metric is None:
            continue
        top = float(ind.max)
        over = values.filter((pl.col("metric") == ind.metric) & (pl.col("value") > top))
        for row in over.iter_rows(named=True):
            problems.append(Problem(
                "DAT31", _("{kind} '{id}' for {unit} in {period}: {value:g} points claimed, "
                           "above its max {max:g}; counted as {max:g}").format(
                    kind=_("bonus") if ind.kind == IndicatorKind.BONUS else _("penalty"),
                    id=ind.id, unit=row["unit"], period=row["period"], value=row["value"],
                    max=top),
                Position(row["file"], row["line"]),
                _("the criteria set gives at most {max:g} points for '{id}': correct the "
                  "figure, or the ruleset's max if the plan allows more").format(
                    max=top, id=ind.id), "warning"))
    return problems
