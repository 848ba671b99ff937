"""Score stage: points claimed outside 0–max (spec §7 v3, issue 26).

An `as_points` indicator scores the figure itself, clamped to 0–max. For a bonus or a
penalty a figure above max is a claim the criteria set does not allow (a unit claiming 5
bonus points where the plan gives at most 2); for a `manual` criterion (points a person
gives) a figure above max or below 0 likewise. The points are clamped as for every
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
        manual = bool(ind.manual)
        if ind.metric is None or not (manual or (ind.as_points
                                                 and ind.kind != IndicatorKind.SCORE)):
            continue
        top = float(ind.max)
        metrics = [m for m in (ind.metric, ind.self_assessed if manual else None) if m]
        wrong = (pl.col("value") > top) | ((pl.col("value") < 0) if manual else pl.lit(False))
        found = values.filter(pl.col("metric").is_in(metrics) & wrong)
        for row in found.iter_rows(named=True):
            problems.append(_warning(ind, row, top))
    return problems


def _warning(ind: Any, row: dict, top: float) -> Problem:
    kind = {IndicatorKind.BONUS: _("bonus"), IndicatorKind.PENALTY: _("penalty")}.get(
        ind.kind, _("criterion"))
    above = row["value"] > top
    text = (_("{kind} '{id}' for {unit} in {period}: {value:g} points claimed, above its max "
              "{max:g}; counted as {max:g}") if above else
            _("{kind} '{id}' for {unit} in {period}: {value:g} points, below 0; counted as 0"))
    return Problem(
        "DAT31", text.format(kind=kind, id=ind.id, unit=row["unit"], period=row["period"],
                             value=row["value"], max=top),
        Position(row["file"], row["line"]),
        _("the criteria set gives 0 to {max:g} points for '{id}': correct the figure, or the "
          "ruleset's max if the plan allows more").format(max=top, id=ind.id), "warning")
