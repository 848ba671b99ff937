"""Evaluate stage: figures compared on the same territory (spec §6, restatement).

When a result of unit U for period P reads U's figure for an earlier period B (a baseline, the
start of a trajectory, a sub-period) and units whose successor is U still existed on B's last
day (`valid_to` on or after it, v3) and ended before P ends,
U's B figures are restated on P's territory: each count/vnd figure is U's own plus theirs
(all of them must have it, else there is none). Derived metrics are then computed from those
sums by the caller. (v3) A raw figure that cannot be summed (percent, ratio, days, score,
rank) is U's own figure for B, used as it is: the result says `origin: not_restated`, a UNT15
warning names the predecessors left out. A figure U itself reports for B with
`restated: true` wins over both.

A unit split among several successors (`split_into`) gives no automatic restatement: U's B
figures are then only its reported restated ones, and the result says on which day the
territory changed.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from ..figures.unitgraph import UnitGraph
from ..periods import Period, parse_period

# One row per (unit, period) of a result whose base period is restated.
TERRITORY_SCHEMA = {"unit": pl.String, "period": pl.String, "territory": pl.String,
                    "territory_changed": pl.String}


@dataclass(frozen=True)
class Territory:
    """How U's figures for a base period are taken for one result: `merged` are the units
    whose figures are added to U's (U first); `changed` the day a split changed U's
    territory (no automatic restatement then)."""

    merged: tuple[str, ...]
    changed: date | None = None

    @property
    def text(self) -> str:
        return " + ".join(self.merged)


def _period(text: str) -> Period | None:
    try:
        return parse_period(text)
    except ValueError:
        return None


def absorbed(graph: UnitGraph, unit: str) -> list[str]:
    """Every unit that ended into `unit`, directly or through a chain of successors."""
    out: dict[str, None] = {}  # ordered, and a set for `in`: linear in the chain
    todo = deque(graph.predecessors_of(unit))
    while todo:
        old = todo.popleft()
        if old not in out and old != unit:
            out[old] = None
            todo.extend(graph.predecessors_of(old))
    return list(out)


def split_from(graph: UnitGraph, unit: str) -> list[str]:
    """The units that were split among several successors, `unit` one of them."""
    return [u.id for u in graph.units.values() if unit in u.split_into]


def territory(graph: UnitGraph, unit: str, base: Period, period: Period) -> Territory | None:
    """U's territory for base period `base` seen from `period`; None when no unit that
    still existed on `base`'s last day ended into U before `period` ends (the figures are
    U's own). v3: a unit with `valid_to` on `base`'s last day counts (a merger on 2025-07-01
    restates 2025-Q2 and 2025-H1)."""
    def between(old: str) -> bool:
        ended = graph.lifetime(old)[1]
        return ended is not None and base.end <= ended < period.end

    merged = [u for u in absorbed(graph, unit) if between(u)]
    split = [u for u in split_from(graph, unit) if between(u)]
    if split:
        changed = min(end for u in split if (end := graph.lifetime(u)[1]) is not None) \
            + timedelta(days=1)   # every unit of `split` ended (between says so)
        return Territory((unit,), changed)
    if merged:   # a unit that began after the base period has no own figure for it
        began = graph.lifetime(unit)[0]
        own = (unit,) if began is None or began <= base.end else ()
        return Territory((*own, *merged))
    return None


def touched_units(graph: UnitGraph) -> set[str]:
    """The units that absorbed or received a part of another: the only ones whose base
    periods can be restated: `absorbed` or `split_from` not empty, found in one pass."""
    split = {part for u in graph.units.values() for part in u.split_into}
    return (split & graph.units.keys()) | {new for old, new in graph.successors.items()
                                           if old != new}


def territories(graph: UnitGraph, rows: Iterable[tuple[str, str]], base_text: str
                ) -> dict[tuple[str, str], Territory]:
    """(unit, period) -> Territory for the rows whose base period `base_text` is restated.
    Only units that absorbed or received a part of another are looked at."""
    base = _period(base_text)
    touched = touched_units(graph)
    out: dict[tuple[str, str], Territory] = {}
    if base is None or not touched:
        return out
    for unit, text in rows:
        period = _period(text) if unit in touched else None
        if period is not None and (found := territory(graph, unit, base, period)):
            out[(unit, text)] = found
    return out


def restated_figures(found: dict[tuple[str, str], Territory], rolled: pl.DataFrame,
                     reported: pl.DataFrame, base_text: str, summable: Collection[str],
                     kept: Collection[str] = ()) -> pl.DataFrame:
    """(unit, period, metric, value): for each restated (unit, period) row, the raw figures
    of the base period on that period's territory — the sums of summable metrics when every
    merged unit has one, then the unit's own `restated: true` figures (any metric) over
    them. `kept` (v3): raw metrics that cannot be summed (percent, ratio, days, score, rank,
    a rank's field): the unit's own figure for the base period, as it is, under both.
    `rolled`: figures after roll-up; `reported`: the restated reports."""
    schema = pl.Schema({"unit": pl.String, "period": pl.String, "metric": pl.String,
                        "value": pl.Float64})
    if not found:
        return pl.DataFrame(schema=schema)
    members = pl.DataFrame(
        [(u, p, m, len(t.merged)) for (u, p), t in found.items() if t.changed is None
         for m in t.merged],
        schema={"unit": pl.String, "period": pl.String, "member": pl.String, "_n": pl.Int64},
        orient="row")
    base = rolled.filter((pl.col("period") == base_text)
                         & pl.col("metric").is_in(list(summable)))
    sums = (members.join(base.select(pl.col("unit").alias("member"), "metric", "value"),
                         on="member")
            .group_by("unit", "period", "metric")
            .agg(pl.col("value").sum(), pl.len().alias("_have"), pl.col("_n").first())
            .filter(pl.col("_have") == pl.col("_n"))
            .select(list(schema)))
    rows = pl.DataFrame([(u, p) for u, p in found], schema=["unit", "period"], orient="row")
    own = (rows.join(reported.filter(pl.col("period") == base_text)
                     .select("unit", "metric", "value"), on="unit")
           .select(list(schema)).cast(schema))
    keys = ["unit", "period", "metric"]
    found_rows = pl.concat([own, sums.join(own, on=keys, how="anti")])
    if kept:   # v3: U's own figure, not restated (a unit that did not exist in B has none)
        as_is = (rows.join(rolled.filter((pl.col("period") == base_text)
                                         & pl.col("metric").is_in(list(kept)))
                           .select("unit", "metric", "value"), on="unit")
                 .select(list(schema)).cast(schema))
        found_rows = pl.concat([found_rows, as_is.join(found_rows, on=keys, how="anti")])
    return found_rows.cast(schema)


def territory_frame(found: dict[tuple[str, str], Territory]) -> pl.DataFrame:
    """The restated rows as TERRITORY_SCHEMA: who was added, or when the territory changed."""
    return pl.DataFrame([(u, p, t.text, t.changed.isoformat() if t.changed else None)
                         for (u, p), t in found.items()], schema=TERRITORY_SCHEMA,
                        orient="row")
