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
- Counting happens as of a moment (`as_of`, default now; Vietnam time unless the source
  sets `utc_offset`). A period not ended by then is "in progress": it is counted only when
  asked for (`asked`), its flows up to that moment and its stocks at it (REC12 says which).
- Asked periods (`asked`, `since`) narrow the count to the periods their results need and
  the records those hold (records/narrow.py); with a `cache`, closed periods' figures are
  kept and reused while the ruleset and their records are unchanged (records/cache.py).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

import polars as pl

from ...errors import CchcError, Problem, Unreachable, did_you_mean
from ...messages import _
from ...periods import Period, local_time, midnight_after, parse_period
from .cache import Cache
from .engines import DuckDB, Location, Postgres, Spark, parse_location
from .incremental import Incremental
from .narrow import narrowed, wanted
from .protocol import Engine
from .quality import (
    DATE_KINDS,
    NO_DUE,
    Query,
    RecordsInfo,
    SourceQuality,
    duplicates,
    unit_problems,
    unit_stats,
)
from .quality import warnings as quality_warnings
from .span import check_span
from .sql import Clock, fused_query, metric_query, period_moments, placement, references
from .types import effective_columns, locate_column

__all__ = ["Location", "RecordFigures", "RecordsInfo", "count_figures", "over_time",
           "parse_location"]

NO_BASELINE_YEAR = 2000   # the plausible window's first year when no target has a baseline

ADDITIVE = ("count", "sum")  # aggregates whose parent figure is the sum of its children's
ZERO_WHEN_EMPTY = ("count", "sum", "count_distinct")
# Location.engine -> the engine class, made from (locations, the ruleset's sources)
ENGINES: dict[str, Callable[..., Engine]] = {
    "duckdb": DuckDB, "postgres": Postgres, "spark": Spark}
LOG = logging.getLogger("cchc.records")   # progress lines (the CLI's --verbose)


@dataclass
class RecordFigures:
    values: pl.DataFrame                       # unit, period, metric, value, file, line, source
    units: list[str]                           # units seen in the records, first seen first
    warnings: list[Problem] = field(default_factory=list)
    info: RecordsInfo = field(default_factory=RecordsInfo)  # quality + SQL (provenance)


def count_figures(ruleset, locations: Sequence[Location], units: Mapping | None = None,
                  as_of: datetime | None = None, asked: Sequence[str] | None = None,
                  now: datetime | None = None, since: Period | None = None,
                  cache: Path | None = None) -> RecordFigures:
    """Every metric of `ruleset` counted from the sources in `locations`. `units`: the
    declared units (id -> units.Unit), or None when no unit is declared anywhere. `as_of`
    (an aware moment, or a naive one in the source's local time; default `now`, itself
    default the run's moment) is the moment counted as of; `asked`: the periods asked for
    (--period), the only in-progress periods counted; `since`: every period starting on or
    after it is asked for too (--since). With either, only what their results need is
    counted. `cache`: a file or folder keeping closed periods' figures (--cache)."""
    model = ruleset.model
    by_source = {loc.source: loc for loc in locations}
    engines: dict[str, Engine] = {}
    moment_now = now or datetime.now(UTC)
    store = Cache.open(cache) if cache is not None else None
    warnings: list[Problem] = list(store.warnings) if store is not None else []
    try:
        for kind, make in ENGINES.items():
            mine = [loc for loc in locations if loc.engine == kind]
            if mine:
                engine = make(mine, model.sources)
                engines.update({loc.source: engine for loc in mine})
        frames: list[pl.DataFrame] = []
        seen: dict[str | None, int] = {}   # unit -> its records, first seen first
        info = RecordsInfo()
        asking = Asking(asked, since, store)
        for name, loc in by_source.items():
            source, engine = model.sources[name], engines[name]
            LOG.info(_("records '{name}' ({engine}): checking {where}").format(
                name=name, engine=loc.engine, where=loc.text.partition("=")[2]))
            engine.check(name, source)
            columns, problems = effective_columns(engine, name, source)
            warnings += problems
            source = source.model_copy(update={"columns": columns})
            clock = make_clock(ruleset, source, moment_now, as_of)
            try:
                got = _count_source(ruleset, source, loc, engine, units, clock, asking,
                                    info)
            except CchcError as err:   # trace a failure to its column when one is to blame
                if not isinstance(err, Unreachable) and err.problems[0].pos is None:
                    locate_column(engine, name, source, engine.tables[name])
                raise
            frames += got[0]
            warnings += got[2]
            for unit, rows in got[1].items():
                seen.setdefault(unit, rows)
    finally:
        for key in set(map(id, engines.values())):
            next(e for e in engines.values() if id(e) == key).close()
    if store is not None and store.save():
        LOG.info(_("cache '{path}' written").format(path=store.path))
    values = pl.concat(frames) if frames else _empty()
    if units is not None:
        values = values.filter(pl.col("unit").is_in(list(units)))
    return RecordFigures(values, [u for u in seen if u is not None], warnings, info)


def earliest_year(ruleset) -> int:
    """The plausible window's first year: the ruleset's earliest baseline year minus one."""
    years = []
    for target in ruleset.model.targets:
        if target.baseline is not None and target.baseline.period[:4].isdigit():
            years.append(int(target.baseline.period[:4]))
    return min(years) - 1 if years else NO_BASELINE_YEAR


def make_clock(ruleset, source, now: datetime, as_of: datetime | None) -> Clock:
    """The moments one source is counted against, in its local time: as of `as_of`
    (default `now`), with the plausible window from the source's `earliest` (default 1
    January of the ruleset's earliest baseline year minus one) to its `latest` (default
    a year after now), both included."""
    offset = source.utc_offset
    local_now = local_time(now, offset)
    first = source.earliest or date(earliest_year(ruleset), 1, 1)
    last = source.latest or (local_now + timedelta(days=366)).date()
    # The window ends before the day after `last`; after 9999-12-31 there is none, so the
    # last moment Python has stands for it (a record at 23:59:59.999999 of that day aside).
    end = midnight_after(last)
    return Clock(as_of=local_time(as_of, offset) if as_of is not None else local_now,
                 now=local_now, earliest=datetime.combine(first, time()), latest=end)


@dataclass(frozen=True)
class Asking:
    """What a run asks of the records: `asked` periods (--period), every period from
    `since` on (--since), and the `cache` of closed periods (--cache), each optional."""

    asked: Sequence[str] | None = None
    since: Period | None = None
    cache: Cache | None = None

    def periods(self, periods: Sequence[Period]) -> list[str] | None:
        """The asked periods' names among `periods` (None: nothing was asked)."""
        if self.asked is None and self.since is None:
            return None
        since = self.since
        return [*(self.asked or ()),
                *(p.text for p in periods if since is not None and p.start >= since.start)]


def _count_source(ruleset, source, loc: Location, engine: Engine, units: Mapping | None,
                  clock: Clock, asking: Asking, info: RecordsInfo
                  ) -> tuple[list[pl.DataFrame], dict, list[Problem]]:
    """One source: its quality (into `info`), then each of its metrics' figures."""
    model, name = ruleset.model, loc.source
    mine = {mid: m.records for mid, m in model.metrics.items()
            if m.records is not None and m.records.source == name}
    due_metrics = [mid for mid in mine if source.due is not None
                   and source.due in references(ruleset.conditions.get(mid))]
    stats = unit_stats(engine, name, source, clock, bool(due_metrics))
    counts = {s.unit: s.rows for s in stats.units}
    LOG.info(_("records '{name}': {rows:,} rows in {units} units").format(
        name=name, rows=sum(counts.values()), units=len(counts)))
    warnings = _unit_warnings(name, counts, units)
    days = check_span(name, loc.text, stats.units)
    quality = SourceQuality(name, loc.text, loc.engine, sum(counts.values()),
                            min(days, default=None), max(days, default=None),
                            dates=stats.dates,
                            due_metrics=due_metrics if stats.dates.get(NO_DUE) else [])
    unit_problems(quality, counts, units)
    if source.id is not None:
        found = duplicates(engine, name, source)
        (quality.duplicate_ids, quality.duplicate_rows, quality.differing_ids,
         quality.duplicate_examples) = found.ids, found.rows, found.differing, found.examples
    warnings += quality_warnings(quality)
    info.sources.append(quality)
    # Records after the as-of moment are not there yet: they make no period.
    last_day = (clock.as_of - timedelta(microseconds=1)).date()
    if not days or min(days) > last_day:
        return [], counts, warnings
    periods = covering(min(days), min(max(days), last_day), source.periods)
    asked = asking.periods(periods)
    periods, problems = _in_progress(name, periods, clock, asked, info)
    warnings += problems
    every = len(periods)
    spans = wanted(model, asked) if asked is not None else None
    if spans is not None and any(not narrowed(periods, [s]) for s in spans[:len(asked or ())]):
        spans = None   # an asked period holds none counted: the full count says why
    if spans is not None:
        periods = narrowed(periods, spans)
    if not periods:
        return [], counts, warnings
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
    # Files do not change between two queries: the kinds of left-out record the quality
    # scan found none of need no test in the counting queries (sql.fused_query). A
    # server's table may change meanwhile, so there every kind is tested.
    left_out = None if loc.engine == "postgres" else [
        k for k in DATE_KINDS if stats.dates.get(k)]
    frames = []
    # a batch is grouped only when units are declared
    pairs = _ancestry(known, units) if units is not None and any(
        g for _place, g in batches) else []
    group_table = engine.groups(name, pairs) if pairs else None
    incremental = Incremental(ruleset, source, loc, engine, clock, periods, spans is not None,
                              asking.cache)
    for (place, grouped), mids in batches.items():
        groups = group_table if grouped else None
        specs = [(model.metrics[m].records, ruleset.conditions.get(m)) for m in mids]
        todo, kept = incremental.plan(mids, specs, place, pairs if grouped else None)
        for mid, (spec, where) in zip(mids, specs, strict=True):
            info.queries[mid] = Query(name, loc.engine, engine.dialect, incremental.narrow(
                metric_query(source, spec, where, engine.tables[name], todo or periods,
                             groups, clock), [(spec, where)], todo or periods))
        got = kept
        if todo:
            query = incremental.narrow(fused_query(source, specs, engine.tables[name], todo,
                                                   groups, clock, left_out), specs, todo)
            started = monotonic()
            counted = engine.frame(name, query, len(mids))
            LOG.info(_("records '{name}': counted {metrics} over {periods} periods in "
                       "{took:.1f} s").format(name=name, metrics=", ".join(mids),
                                              periods=len(todo), took=monotonic() - started))
            incremental.keep(counted, len(mids))
            got = pl.concat([kept, counted]) if kept.height else counted
        members = [g for _, g in pairs] if grouped else known
        for i, (mid, (spec, _where)) in enumerate(zip(mids, specs, strict=True)):
            picked = got.select("period", "unit", pl.col(f"v{i}").alias("value"))
            frames.append(_frame(picked, mid, spec, periods, members, loc.text))
    info.counting.append(incremental.said(every, asked))
    return frames, counts, warnings


def _in_progress(name: str, periods: Sequence[Period], clock: Clock,
                 asked: Sequence[str] | None, info: RecordsInfo
                 ) -> tuple[list[Period], list[Problem]]:
    """The periods to count: those ended by the as-of moment, and those not ended by then
    only when asked for (they are then marked in `info.in_progress`); a REC12 warning
    names the ones left out and the ones counted though in progress."""
    running = [p for p in periods if period_moments(p)[1] > clock.as_of]
    wanted = [p for p in running if asked is not None and p.text in asked]
    skipped = [p for p in running if p not in wanted]
    info.in_progress.update(p.text for p in wanted)
    when = clock.as_of.isoformat(sep=" ", timespec="minutes")
    problems = []
    if skipped:
        problems.append(Problem("REC12", _(
            "records of '{source}': {periods} not ended as of {as_of}; not counted").format(
                source=name, periods=", ".join(p.text for p in skipped), as_of=when),
            None, _("ask for one with --period to count it so far, or set --as-of"),
            "warning"))
    if wanted:
        problems.append(Problem("REC12", _(
            "records of '{source}': {periods} in progress as of {as_of}: flows counted up "
            "to that moment, stocks at it").format(
                source=name, periods=", ".join(p.text for p in wanted), as_of=when),
            None, None, "warning"))
    return [p for p in periods if p not in skipped], problems


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
    """Rows without a unit, and rows whose unit is not declared: counted, never silent (the
    counts also as the problem's fields, for --problems-format json)."""
    problems = []
    if counts.get(None):
        problems.append(Problem("REC07", _("{counts} record(s) of '{name}' have no unit and are "
                                           "not counted").format(
                                           counts=counts[None], name=name), None, None, "warning",
                                about=(("source", name), ("rows", str(counts[None])))))
    if units is not None:
        for unit, rows in counts.items():
            if unit is not None and unit not in units:
                problems.append(Problem(
                    "REC07", _("{rows} record(s) of '{name}' belong to undeclared unit '{unit}' "
                               "and are not counted").format(
                               rows=rows, name=name, unit=unit), None,
                    did_you_mean(unit, units) or _("declare the unit"), "warning",
                    about=(("source", name), ("rows", str(rows)), ("unit", unit))))
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
