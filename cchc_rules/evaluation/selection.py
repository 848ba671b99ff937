"""Evaluate stage: why an evaluation selected nothing, said in one line.

`--unit khanh-hoa --period 2025` names a unit and a period that each exist, yet no result may
have both: the unit reported nothing for 2025, or it did not exist then. The run stops with
EVL10 naming the first such pair and the periods the unit does have. A run without results
and without filters (no targets, no figures for the ruleset's metrics) gets its reason from
`empty_reason`, for the table's summary line.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl

from ..errors import Problem
from ..messages import _
from ..periods import is_period, parse_period, period_key


def nothing_selected(wide: pl.DataFrame, units: dict, periods: Sequence[str] | None,
                     asked_units: Sequence[str] | None) -> Problem:
    """EVL10 for filters that each name something known but together select no result."""
    unit = asked_units[0] if asked_units else None
    period = periods[0] if periods else None
    if unit is None:   # only periods were asked: the period check found figures elsewhere
        return Problem("EVL10", _("no result in {period}: no unit has figures for the "
                                  "targets' metrics in that period").format(period=period))
    has = sorted(set(wide.filter(pl.col("unit") == unit)["period"].to_list()), key=period_key)
    hint = _("{unit} has figures for {periods}").format(
        unit=unit, periods=", ".join(has[-10:])) if has else None
    if period is None:
        return Problem("EVL10", _("no result for {unit}: the unit has no figures for the "
                                  "targets' metrics").format(unit=unit), None, hint)
    gone = _outside(units.get(unit), period)
    if gone:
        return Problem("EVL10", _("no result for {unit} in {period}: the unit did not exist "
                                  "in that period ({span})").format(
                                      unit=unit, period=period, span=gone), None, hint)
    return Problem("EVL10", _("no result for {unit} in {period}: the unit has no figures in "
                              "that period").format(unit=unit, period=period), None, hint)


def _outside(unit, period: str) -> str | None:
    """"valid to 2025-06-30" when the unit's validity misses `period` wholly, else None."""
    if unit is None or not is_period(period):
        return None
    span = parse_period(period)
    first = date.fromisoformat(unit.valid_from) if unit.valid_from else None
    last = date.fromisoformat(unit.valid_to) if unit.valid_to else None
    if last is not None and last < span.start:
        return _("valid to {day}").format(day=unit.valid_to)
    if first is not None and span.end < first:
        return _("valid from {day}").format(day=unit.valid_from)
    return None


def empty_reason(evaluation) -> str:
    """Why `evaluation` has no result at all (the table's summary says it, never a bare
    "none")."""
    model = evaluation.ruleset.model
    if not model.targets:
        return _("no results: the ruleset has no targets")
    if not evaluation.figures.values.height:
        return _("no results: the data has no figures")
    return _("no results: no unit has figures for the targets' metrics")


def unit_lacks_period(name: str, asked_units: Iterable[str] | None, rolled: pl.DataFrame,
                      units: dict, timed) -> Problem | None:
    """For `--period NAME --unit U` when no unit has NAME: U's own story, first known U —
    the sub-periods U lacks to derive NAME (EVL01), or that U has no figures then (EVL10)."""
    from ..derive.timeroll import absent_parts, began_since
    for unit in asked_units or ():
        own = rolled.filter(pl.col("unit") == unit)
        if unit not in units and not own.height:
            continue   # an unknown unit: EVL02 says so
        lacking = timed.missing(unit, name)["absent"].explode().drop_nulls().to_list()
        absent = sorted(set(lacking), key=period_key) \
            or absent_parts(name, own["period"].unique().to_list(),
                            began_since(units, [unit], name))
        if absent:
            return Problem("EVL01", _("no figures for {unit} in period '{period}', and it "
                                      "cannot be derived: no figures for {parts}").format(
                                          unit=unit, period=name, parts=", ".join(absent)),
                           None, _("report {parts}, or ask for a reported period").format(
                               parts=", ".join(absent)))
        return nothing_selected(own, units, [name], [unit])
    return None


def bad_range(name: str) -> Problem | None:
    """EVL01 saying why `--period START/END` is no range (it ends before it starts, its
    parts cannot be ordered); None for anything that is not meant as a range."""
    first = name.partition("/")[0] if isinstance(name, str) else ""
    if "/" not in name or not (is_period(first, ranges=False) or first[:4].isdigit()):
        return None   # "Q1/2024" is no range: the usual unknown-period message
    try:
        parse_period(name)
    except ValueError as err:
        return Problem("EVL01", str(err), None,
                       _("write START/END with END not before START, e.g. 2024-01/2024-09"))
    return None
