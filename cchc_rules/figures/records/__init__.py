"""Figures counted straight from dossier records (docs/records.md).

`count_figures(ruleset, locations, units)` runs one query per metric counted from records
(records/sql.py) on the source's engine (records/engines.py: DuckDB for files, PostgreSQL
for a server, Spark for `spark:` files) over every period of the source's `periods` kinds
that its records touch, and returns the figures in the long shape of data.Figures, so
roll-up and evaluation treat them exactly as reported figures.

- Flows (count, sum, count_distinct, mean_days) are placed in a period by a date column;
  a unit with records in the source but none in a period counts 0 there (mean_days: no
  figure). Longer periods listed in `periods` are counted from the records, not summed.
- Stocks (`stock: true`) are counted at each period's end through `period_end` in their
  `where`; nothing sums them over time.
- When units have parents, each parent's figure is counted from its own records and all
  its descendants' (static `parent`): count_distinct and mean_days do not add up, and a
  parent that receives dossiers itself would otherwise lose them or its children's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import polars as pl

from ...errors import CchcError, Problem, did_you_mean
from ...messages import _
from ...periods import Period, parse_period
from .engines import DuckDB, Location, Postgres, Spark, parse_location
from .quality import Query, RecordsInfo, SourceQuality, duplicates, unit_problems, unit_stats
from .quality import warnings as quality_warnings
from .span import check_span
from .sql import fused_query, metric_query, placement
from .types import locate_column

__all__ = ["Location", "RecordFigures", "RecordsInfo", "count_figures", "over_time",
           "parse_location"]

ADDITIVE = ("count", "sum")  # aggregates whose parent figure is the sum of its children's
ZERO_WHEN_EMPTY = ("count", "sum", "count_distinct")
ENGINES = {"duckdb": DuckDB, "postgres": Postgres, "spark": Spark}  # Location.engine -> class


@dataclass
class RecordFigures:
    values: pl.DataFrame                       # unit, period, metric, value, file, line, source
    units: list[str]                           # units seen in the records, first seen first
    warnings: list[Problem] = field(default_factory=list)
    info: RecordsInfo = field(default_factory=RecordsInfo)  # quality + SQL (provenance)


def count_figures(ruleset, locations: Sequence[Location], units: Mapping | None = None,
                  today: date | None = None) -> RecordFigures:
    """Every metric of `ruleset` counted from the sources in `locations`. `units`: the
    declared units (id -> units.Unit), or None when no unit is declared anywhere. `today`
    (default: the day now in each source's local time) dates "resolved in the future"."""
    model = ruleset.model
    by_source = {loc.source: loc for loc in locations}
    engines = {}
    try:
        for kind, make in ENGINES.items():
            mine = [loc for loc in locations if loc.engine == kind]
            if mine:
                engine = make(mine)
                engines.update({loc.source: engine for loc in mine})
        frames, seen, warnings, info = [], {}, [], RecordsInfo()
        for name, loc in by_source.items():
            source, engine = model.sources[name], engines[name]
            engine.check(name, source)
            try:
                got = _count_source(ruleset, loc, engine, units, today or local_today(
                    source.utc_offset), info)
            except CchcError:   # trace a failure to its column when one is to blame
                locate_column(engine, name, source, engine.tables[name])
                raise
            frames += got[0]
            warnings += got[2]
            for unit, rows in got[1].items():
                seen.setdefault(unit, rows)
    finally:
        for engine in set(map(id, engines.values())):
            next(e for e in engines.values() if id(e) == engine).close()
    values = pl.concat(frames) if frames else _empty()
    if units is not None:
        values = values.filter(pl.col("unit").is_in(list(units)))
    return RecordFigures(values, [u for u in seen if u is not None], warnings, info)


def _count_source(ruleset, loc: Location, engine, units: Mapping | None, day: date,
                  info: RecordsInfo) -> tuple[list[pl.DataFrame], dict, list[Problem]]:
    """One source: its quality (into `info`), then each of its metrics' figures."""
    model, name = ruleset.model, loc.source
    source = model.sources[name]
    stats, dates = unit_stats(engine, name, source, day)
    counts = {u: n for u, n, _, _ in stats}
    warnings = _unit_warnings(name, counts, units)
    days = check_span(name, loc.text, stats)
    quality = SourceQuality(name, loc.text, loc.engine, sum(counts.values()),
                            min(days, default=None), max(days, default=None),
                            dates=dates)
    unit_problems(quality, counts, units)
    if source.id is not None:
        (quality.duplicate_ids, quality.duplicate_rows, quality.differing_ids,
         quality.duplicate_examples) = duplicates(engine, name, source)
    warnings += quality_warnings(quality)
    info.sources.append(quality)
    if not days:
        return [], counts, warnings
    periods = covering(min(days), max(days), source.periods)
    known = [u for u in counts if u is not None and (units is None or u in units)]
    # Units with parents: every figure of a parent is counted from its own records and its
    # descendants' (a parent may receive dossiers itself: a sum of its children's would
    # miss them, and its own figure alone would hide theirs).
    nested = units is not None and any(units[u].parent for u in known)
    # Metrics placed alike (same date column, or stocks) and grouped alike run as one
    # query, one pass over the records; explain shows each metric's own query.
    batches: dict[tuple, list[str]] = {}
    for mid, metric in model.metrics.items():
        spec = metric.records
        if spec is None or spec.source != name:
            continue
        grouped = units is not None and (spec.aggregate not in ADDITIVE or nested)
        batches.setdefault((placement(spec), grouped), []).append(mid)
    frames = []
    pairs = _ancestry(known, units) if any(g for _place, g in batches) else []
    group_table = engine.groups(name, pairs) if pairs else None
    for (_place, grouped), mids in batches.items():
        groups = group_table if grouped else None
        specs = [(model.metrics[m].records, ruleset.conditions.get(m)) for m in mids]
        for mid, (spec, where) in zip(mids, specs, strict=True):
            info.queries[mid] = Query(name, loc.engine, engine.dialect, metric_query(
                source, spec, where, engine.tables[name], periods, groups, day))
        query = fused_query(source, specs, engine.tables[name], periods, groups, day)
        got = engine.frame(name, query, len(mids))
        members = [g for _, g in pairs] if grouped else known
        for i, (mid, (spec, _where)) in enumerate(zip(mids, specs, strict=True)):
            picked = got.select("period", "unit", pl.col(f"v{i}").alias("value"))
            frames.append(_frame(picked, mid, spec, periods, members, loc.text))
    return frames, counts, warnings


def local_today(offset: int) -> date:
    """Today's date where the source's periods are cut (`offset` hours ahead of UTC)."""
    return (datetime.now(UTC) + timedelta(hours=offset)).date()


def over_time(spec) -> str | None:
    """How a figure counted by `spec` (schema.Records) adds up over time, in the words of
    spec §5 `over_time`: a flow of counts or sums adds up (`sum`), a stock is the last
    period's (`last`), a distinct count or a mean never adds up (None)."""
    if spec.stock:
        return "last"
    return "sum" if spec.aggregate in ADDITIVE else None


def covering(first: date, last: date, kinds: Sequence[str]) -> list[Period]:
    """Every period of each kind in `kinds` that overlaps first..last, in time order."""
    out = []
    for kind in kinds:
        period = next(p for p in parse_period(f"{first.year:04d}").sub_periods(kind)
                      if p.start <= first <= p.end)
        while period.start <= last:
            out.append(period)
            period = period.shift(1)
    return sorted(out)


def _unit_warnings(name: str, counts: Mapping, units: Mapping | None) -> list[Problem]:
    """Rows without a unit, and rows whose unit is not declared: counted, never silent."""
    problems = []
    if counts.get(None):
        problems.append(Problem("REC07", _("{counts} record(s) of '{name}' have no unit and are "
                                           "not counted").format(
                                           counts=counts[None], name=name), None, None, "warning"))
    if units is not None:
        for unit, rows in counts.items():
            if unit is not None and unit not in units:
                problems.append(Problem(
                    "REC07", _("{rows} record(s) of '{name}' belong to undeclared unit '{unit}' "
                               "and are not counted").format(
                               rows=rows, name=name, unit=unit), None,
                    did_you_mean(unit, units) or _("declare the unit"), "warning"))
    return problems


def _ancestry(members: Sequence[str], units: Mapping) -> list[tuple[str, str]]:
    """(unit, group) for each unit and each of its ancestors (itself included)."""
    pairs = []
    for unit in members:
        current, seen = unit, set()
        while current is not None and current not in seen and current in units:
            pairs.append((unit, current))
            seen.add(current)
            current = units[current].parent
    return pairs


def _frame(got: pl.DataFrame, metric: str, spec, periods: Sequence[Period],
           units: Sequence[str], where: str) -> pl.DataFrame:
    """One metric's figures (`got`: period, unit, value) in the long shape of data.Figures."""
    if spec.aggregate in ZERO_WHEN_EMPTY and units:
        grid = pl.DataFrame({"unit": list(dict.fromkeys(units))}).join(
            pl.DataFrame({"period": [p.text for p in periods]}), how="cross")
        got = grid.join(got, on=["unit", "period"], how="left").with_columns(
            pl.col("value").fill_null(0.0))
    return got.drop_nulls("value").select(
        "unit", "period", pl.lit(metric).alias("metric"), "value",
        pl.lit(where).alias("file"), pl.lit(0, pl.Int64).alias("line"),
        pl.lit(f"records:{metric}").alias("source"))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"unit": pl.String, "period": pl.String, "metric": pl.String,
                                "value": pl.Float64, "file": pl.String, "line": pl.Int64,
                                "source": pl.String})
