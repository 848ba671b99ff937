"""Evaluate stage output as a person reads it: what the table, the report and the web app
leave out by default, and the counts they say they left out. Machine outputs (JSON, CSV,
Parquet, Arrow, JUnit) read the `Evaluation` itself and keep every row.

- `not_applicable` results are hidden unless asked (`show_not_applicable`); their count is
  kept in `Hidden` so every page can say how many and how to show them.
- Internal periods are hidden unless a result was asked for them (`--period`): a period no
  unit reported and no milestone names, made only to compare with (a `same_last_year`
  baseline's `2024-01/2024-09`, a year derived from quarters only as a baseline).
- Rankings list only units with something scored (an index), per level and period, and
  never for an internal period.
- `not_reported`: per shown period, the units that exist on its last day (one that ended
  during it is reported for by its successor), were expected to report (some target
  applies to their level, and other units of their level have figures for the period) and
  have no figure for it, neither their own nor summed from their units.
- `scorecard`: one unit's points, index, band, rank and rank change in a period, and the
  indicators where it lost the most points.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from ..derive.timeroll import needed_periods
from ..domain import Status
from ..figures.validity import exists_at_end
from ..periods import is_period, parse_period, period_key

NOT_APPLICABLE = Status.NOT_APPLICABLE.value
LOST_LISTED = 5        # indicators named on a scorecard, where the unit lost the most points
NOT_REPORTED_SCHEMA = {"period": pl.String, "level": pl.String, "unit": pl.String}


@dataclass(frozen=True)
class Hidden:
    """What a reader's view left out: `not_applicable` results (of the shown periods), the
    internal periods and how many results they held, and ranking rows with nothing scored."""

    not_applicable: int = 0
    internal_periods: tuple[str, ...] = ()
    internal_results: int = 0
    unscored: int = 0
    shown_not_applicable: bool = False


def internal_periods(ev: Any) -> set[str]:
    """Periods the engine made only to compare with: derived (spec §5) for a baseline, named
    by no reported figure, no milestone and no `--period`."""
    model = ev.ruleset.model
    reported = set(ev.figures.values["period"].unique().to_list())
    asked = set(getattr(ev, "asked", None) or ())
    named = {m.by for t in model.targets for m in t.milestones}
    made = set(needed_periods(model, None, reported))
    return {p for p in made - reported - asked - named if is_period(p)}


def for_readers(ev: Any, *, show_not_applicable: bool = False) -> Any:
    """A shallow copy of `ev` (an Evaluation) whose results, trace, result slices and
    rankings leave out what a reader is not shown (see the module); `hidden` says what."""
    internal = sorted(internal_periods(ev), key=period_key)
    counted = pl.concat([s.select(pl.col("period").cast(pl.String),
                                  (pl.col("status").cast(pl.String) == NOT_APPLICABLE)
                                  .alias("na")).group_by("period", "na").len()
                         for s in ev.result_slices()]).group_by("period", "na").sum()
    present = set(counted["period"].to_list())
    internal = [p for p in internal if p in present]   # only those that hold results
    counts: dict[tuple[bool, bool], int] = {}
    for period, na, n in counted.iter_rows():
        key = (period in internal, na)
        counts[key] = counts.get(key, 0) + n
    drop = pl.col("period").cast(pl.String).is_in(internal)
    if not show_not_applicable:
        drop = drop | (pl.col("status").cast(pl.String) == NOT_APPLICABLE)
    view = copy.copy(ev)
    view.__dict__ = dict(ev.__dict__)
    keep = ~drop.fill_null(False)
    view.__dict__["_results"] = lambda: ev.results.filter(keep)
    if ev.trace is not None:
        view.__dict__["_trace"] = lambda: ev.trace.filter(
            ev.results.select(keep.alias("k"))["k"])
    view.compact = lambda rows=None: (s.filter(keep) for s in ev.result_slices(rows))
    view.counts = None
    unscored = 0
    if ev.ruleset.model.scoring is not None:
        scores = ev.scores()
        rankings = scores.rankings.filter(~pl.col("period").is_in(internal))
        ranked = rankings.filter(pl.col("rank").is_not_null())
        unscored = rankings.height - ranked.height
        view._scores = scores.with_rankings(ranked)
    view.hidden = Hidden(
        not_applicable=0 if show_not_applicable else counts.get((False, True), 0),
        internal_periods=tuple(p for p in internal),
        internal_results=counts.get((True, True), 0) + counts.get((True, False), 0),
        unscored=unscored, shown_not_applicable=show_not_applicable)
    return view


def shown_periods(ev: Any) -> list[str]:
    """The periods a reader's view shows: its results' and the reported ones, without the
    internal periods, in time order."""
    hidden = set(getattr(getattr(ev, "hidden", None), "internal_periods", ()))
    found = set(ev.figures.values["period"].unique().to_list())
    for part in ev.result_slices():
        found |= set(part["period"].cast(pl.String).unique().to_list())
    return sorted(found - hidden, key=period_key)


def expected_levels(model: Any) -> set[str] | None:
    """The levels some target applies to; None when a target applies to every level."""
    levels: set[str] = set()
    for target in model.targets:
        if target.levels is None:
            return None
        levels |= set(target.levels)
    return levels


def not_reported(ev: Any, periods: Iterable[str] | None = None) -> pl.DataFrame:
    """Per period (`periods`, else the shown ones), the units (of `--unit`, when asked) that
    exist at its end, were expected to report and have no figure for it
    (NOT_REPORTED_SCHEMA, by period, level, unit). Expected: a target applies to the unit's
    level, and some other unit of its level has figures for the period (a province
    reporting yearly is not asked for quarters)."""
    units = ev.figures.units
    asked = getattr(ev, "asked_units", None)
    if asked is not None:
        units = {uid: u for uid, u in units.items() if uid in asked}
    wanted = expected_levels(ev.ruleset.model)
    have = ev.values.select("unit", "period").unique()
    has = {(u, p) for u, p in have.iter_rows()}
    level_of = {uid: u.level for uid, u in units.items()}
    active = {(level_of.get(u), p) for u, p in has if level_of.get(u)}
    rows = []
    for period in periods if periods is not None else shown_periods(ev):
        span = parse_period(period)
        for uid, unit in units.items():
            level = unit.level
            if (level is None or (wanted is not None and level not in wanted)
                    or (level, period) not in active or (uid, period) in has
                    or not exists_at_end(unit, span)):
                continue
            rows.append((period, level, uid))
    frame = pl.DataFrame(rows, schema=NOT_REPORTED_SCHEMA, orient="row")
    order = {p: i for i, p in enumerate(sorted(set(frame["period"].to_list()), key=period_key))}
    return frame.with_columns(pl.col("period").replace_strict(order, default=0,
                                                              return_dtype=pl.Int32)
                              .alias("_o")).sort("_o", "level", "unit").drop("_o")


@dataclass(frozen=True)
class Lost:
    """An indicator where a unit lost points: its id, points, max and the points lost."""

    indicator: str
    points: float | None
    max: float
    lost: float


@dataclass(frozen=True)
class Scorecard:
    """One unit in one period (spec §7): its ranking row and where it lost the most."""

    unit: str
    period: str
    level: str | None
    points: float
    max: float
    index: float
    band: str | None
    band_title: str | None
    rank: int
    of: int
    previous_index: float | None
    rank_change: int | None
    lost: tuple[Lost, ...]


def band_title(scoring: Any, band: str | None) -> str | None:
    """A band's title when the ruleset gives one, else its id."""
    for b in scoring.bands:
        if b.id == band:
            return getattr(b, "title", None) or b.id
    return band


def scorecards(ev: Any, unit: str) -> list[Scorecard]:
    """The unit's scorecards, newest period first, from a reader's view's rankings (only
    periods in which it was ranked); [] when the ruleset has no scoring."""
    scoring = ev.ruleset.model.scoring
    if scoring is None:
        return []
    scores = ev.scores()
    mine = scores.rankings.filter((pl.col("unit") == unit) & pl.col("rank").is_not_null())
    if not mine.height:
        return []
    periods = mine["period"].to_list()
    lost = scores.scores.filter((pl.col("unit") == unit) & pl.col("period").is_in(periods)
                                & pl.col("max").is_not_null()) \
        .with_columns((pl.col("max") - pl.col("points").fill_null(0.0)).alias("lost")) \
        .filter(pl.col("lost") > 1e-9).sort("lost", descending=True, maintain_order=True)
    out = []
    for r in sorted(mine.iter_rows(named=True), key=lambda r: period_key(r["period"]),
                    reverse=True):
        worst = lost.filter(pl.col("period") == r["period"]).head(LOST_LISTED)
        out.append(Scorecard(
            unit=unit, period=r["period"], level=r["level"], points=r["points"],
            max=r["max"], index=r["index"], band=r["band"],
            band_title=band_title(scoring, r["band"]), rank=r["rank"], of=r["of"],
            previous_index=r["previous_index"], rank_change=r["rank_change"],
            lost=tuple(Lost(str(i), p, m, x) for i, p, m, x in worst.select(
                pl.col("indicator").cast(pl.String), "points", "max", "lost").iter_rows())))
    return out
