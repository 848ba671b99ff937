"""Score stage (spec §7): points per indicator, group and unit, the index, bands and ranks.

Runs after evaluation on its columnar output: metric values (`Evaluation.values`, NaN where
a formula gives no number) and target statuses (`Evaluation.results`). One row per
indicator × unit × period with data; numbers stay unrounded (renderers round).

- An indicator's rule gives raw points, clamped to [0, max]. A missing input is worth its
  `when_no_data` (default exclude), a value that gives no number its `when_invalid`
  (default zero); `exclude` leaves the indicator out of points and max (both null).
- index = points / max × scale (null when max is 0); band: the first whose min ≤ index.
- Ranks per period and level, highest index first; indices within `TIE` of the first of a
  run share its rank and the next rank skips (1, 2, 2, 4). `previous_index` is the index of
  the period before of the same kind; `rank_change` only when both periods ranked the same
  units.
- `inherit: <level>`: an indicator's columns are copied from the unit's ancestor at that
  level (dated parents, unitgraph.py); `self_assessed: <metric>`: the unit's own figure,
  scored by the same rule and shown beside the appraised points with the difference.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ..domain import Fallback, IndicatorKind, Status
from ..periods import parse_period
from ..plan.nodes import TOLERANCE
from ..ruleset.criteria import indicator_levels
from .ranks import competition_ranks
from .tree import by_level, capped_total, group_sums, has_caps

# `indicator` and `group` are Enum columns of the ruleset's ids (a national run has 1.6 M
# score rows: one string per id, not per row).
SCORE_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "period": pl.String, "indicator": pl.Enum, "group": pl.Enum,
    "value": pl.Float64, "status": pl.String, "points": pl.Float64, "max": pl.Float64}
GROUP_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "period": pl.String, "group": pl.Enum, "points": pl.Float64,
    "max": pl.Float64}
RANKING_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "period": pl.String, "level": pl.String, "points": pl.Float64,
    "max": pl.Float64, "index": pl.Float64, "band": pl.String, "rank": pl.Int64,
    "of": pl.Int64, "previous_index": pl.Float64, "rank_change": pl.Int64}

# Columns present only when the ruleset uses them (see `score`).
OPTIONAL_SCHEMA: dict[str, Any] = {
    "band_title": pl.String,   # (v3) when a band has a `title`
    "inherited_from": pl.String, "self_assessed_value": pl.Float64,
    "self_assessed_points": pl.Float64, "difference": pl.Float64,
    "bonus": pl.Float64, "penalty": pl.Float64}


@dataclass(frozen=True)
class WideList:
    """A long §7 list (`scores` or `groups`) as scored: one frame per indicator (or group) in
    ruleset order, row for row with `keys` (unit, period; period then unit order). The long
    list is these interleaved key row by key row; a writer that streams rows (JSON) reads
    them so, without the interleaving (1.6 M rows of a national run)."""

    keys: pl.DataFrame
    name: str                           # "indicator" or "group": the id column
    ids: list[str]
    texts: dict[str, list]              # other per-column ids: {"group": [...]}
    columns: list[pl.DataFrame]
    fields: list[str]                   # the long frame's columns, in order

    def frame(self) -> pl.DataFrame:
        return _long(self.keys, self.columns, self.name, self.ids, self.texts) \
            .select(self.fields)


class Scores:
    """The three §7 lists, as frames: `scores` (SCORE_SCHEMA; `status` only for by_status
    indicators), `groups` (GROUP_SCHEMA), `rankings` (RANKING_SCHEMA). `scores` and
    `groups` may be given as a WideList: the long frame is built when first read."""

    def __init__(self, scores: pl.DataFrame | WideList, groups: pl.DataFrame | WideList,
                 rankings: pl.DataFrame) -> None:
        self._lists: dict[str, pl.DataFrame | WideList] = {"scores": scores, "groups": groups}
        self.rankings = rankings

    def with_rankings(self, rankings: pl.DataFrame) -> Scores:
        """The same scores and groups beside other rankings (a reader's view's)."""
        return Scores(self._lists["scores"], self._lists["groups"], rankings)

    def wide(self, name: str) -> WideList | None:
        """The list `name` as scored, side by side, when it has not been made long."""
        found = self._lists.get(name)
        return found if isinstance(found, WideList) else None

    def _frame(self, name: str) -> pl.DataFrame:
        found = self._lists[name]
        if isinstance(found, WideList):
            found = self._lists[name] = found.frame()
        return found

    @property
    def scores(self) -> pl.DataFrame:
        return self._frame("scores")

    @property
    def groups(self) -> pl.DataFrame:
        return self._frame("groups")


BATCH = 100   # indicators planned and computed together (see score)


def score(scoring: Any, values: pl.DataFrame, results: pl.DataFrame,
          levels: dict[str, str | None], graph: Any = None,
          declared: pl.DataFrame | None = None) -> Scores:
    """Score every unit and period found in `values` (unit, period, metric, value) by the
    `scoring` model; `results` (target, unit, period, status) feed by_status indicators;
    `graph` (a unitgraph.UnitGraph) finds the ancestors `inherit` takes points from.

    Each indicator is scored over the same key rows (unit × period, in period then unit
    order), so groups and totals are sums across columns and the long lists are one gather
    away: no group-by and no sort over the million rows of a national run.

    Optional columns, present only when the ruleset uses them (so §7 outputs keep their
    shape otherwise): `inherited_from` (scores) when an indicator inherits;
    `self_assessed_value`, `self_assessed_points` and `difference` (scores) and
    `self_assessed_points`, `difference` (groups, rankings) when one has `self_assessed`;
    `band_title` (rankings) when a band has a `title` (v3)."""
    # the figures come in runs of one unit and period: repeats within a run are dropped
    # before the unique, which then hashes 80 k pairs of a national run, not 966 k
    keys = values.select("unit", "period").filter(_run_starts()).unique()
    periods = sorted(keys["period"].unique().to_list(), key=lambda p: parse_period(p).key)
    order = {p: i for i, p in enumerate(periods)}
    keys = keys.with_columns(pl.col("period").replace_strict(order, return_dtype=pl.Int64)
                             .alias("_p")).sort("_p", "unit")
    indicators = scoring.indicators
    wide = _aligned(keys, values, results, indicators)
    if declared is not None and declared.height:
        wide = wide.hstack(_declared(keys, declared, indicators))
    # every indicator in parallel passes over the key rows, BATCH indicators a pass: one
    # select of all 999 × 13-step indicators planned past 2 GB (issue 25's fuzz)
    passes = [wide.select([e for n in range(start, min(start + BATCH, len(indicators)))
                           for e in _indicator(indicators[n], n, wide)])
              for start in range(0, len(indicators), BATCH)]
    computed = pl.concat(passes, how="horizontal") if passes else wide.select()
    columns = []
    sources: dict[str, tuple[pl.Series, pl.Series]] = {}
    for n, ind in enumerate(indicators):
        parts = ["value", "status", "points", "max"]
        column = pl.DataFrame([computed[f"{n}:{c}"].rename(c) for c in parts])
        if ind.self_assessed is not None:
            column = column.with_columns(
                computed[f"{n}:self:value"].alias("self_assessed_value"),
                computed[f"{n}:self:points"].alias("self_assessed_points"))
        if ind.inherit is not None:
            if ind.inherit not in sources:
                sources[ind.inherit] = inherit_rows(keys, levels, graph, ind.inherit)
            column = _inherited(ind, column, *sources[ind.inherit])
        columns.append(column)
    appraised = any(i.self_assessed is not None for i in indicators)
    inherits = any(i.inherit is not None for i in indicators)
    if any(level is not None for level in indicator_levels(scoring)):   # tracks (issue 26)
        unit_levels = keys["unit"].replace_strict(levels, default=None, return_dtype=pl.String)
        columns = by_level(columns, scoring, unit_levels)
    columns = [_complete(c, appraised, inherits) for c in columns]
    group_ids = [g.id for g in scoring.groups]
    extra = ["self_assessed_points", "difference"] if appraised else []
    optional = [*(["inherited_from"] if inherits else []),
                *(["self_assessed_value", *extra] if appraised else [])]
    adjusted = any(i.kind != IndicatorKind.SCORE for i in indicators)
    kinds = {"kind": [i.kind for i in indicators]} if adjusted else {}
    scores = WideList(keys, "indicator", [i.id for i in indicators],
                      {"group": [i.group for i in indicators], **kinds}, columns,
                      [*SCORE_SCHEMA, *kinds, *optional])
    def total(parts: list[pl.DataFrame]) -> pl.DataFrame:
        return _sum(keys.height, parts, appraised)

    sums = group_sums(scoring, columns, indicators, total, appraised)
    groups = WideList(keys, "group", group_ids, {}, sums, [*GROUP_SCHEMA, *extra])
    net = _net(columns, indicators)
    totals = keys.hstack(capped_total(scoring, net, indicators, sums, total)
                         if has_caps(scoring) else total(net))
    if adjusted:
        totals = totals.hstack(_adjustments(keys.height, columns, indicators))
    rankings = _rank(totals, scoring, levels, periods)
    titled = ["band_title"] if band_titles(scoring) else []
    return Scores(scores, groups, rankings.select(
        [*RANKING_SCHEMA, *titled, *(["bonus", "penalty"] if adjusted else []), *extra]))


def _net(columns: list[pl.DataFrame], indicators: list) -> list[pl.DataFrame]:
    """The indicator columns as they count in a unit's total (spec §7 v3): a bonus adds its
    points and a penalty takes its points off (its difference turned likewise), neither
    adds to max."""
    out = []
    for column, ind in zip(columns, indicators, strict=True):
        if ind.kind == IndicatorKind.PENALTY:
            column = column.with_columns(
                -pl.col(c) for c in ("points", "difference") if c in column.columns)
        if ind.kind != IndicatorKind.SCORE:
            column = column.with_columns(pl.lit(None, pl.Float64).alias("max"))
        out.append(column)
    return out


def _adjustments(height: int, columns: list[pl.DataFrame], indicators: list) -> pl.DataFrame:
    """Per key row, `bonus` and `penalty`: the sums of those indicators' points (0 when
    none scored), the penalty as points taken off (≥ 0)."""
    out = {}
    for kind in (IndicatorKind.BONUS, IndicatorKind.PENALTY):
        found = [c["points"].rename(str(n)) for n, (c, i)
                 in enumerate(zip(columns, indicators, strict=True)) if i.kind == kind]
        out[kind.value] = (pl.DataFrame(found).select(pl.sum_horizontal(pl.all())).to_series()
                           if found else pl.Series([0.0] * height)).cast(pl.Float64)
    return pl.DataFrame(out)


def _complete(column: pl.DataFrame, appraised: bool, inherits: bool) -> pl.DataFrame:
    """The optional columns every indicator carries when any indicator uses them: an
    indicator without `self_assessed` has none (null) and no difference, so its totals
    count its appraised points on both sides (nothing disputed)."""
    if appraised:
        if "self_assessed_points" not in column.columns:
            column = column.with_columns(pl.lit(None, pl.Float64).alias("self_assessed_value"),
                                         pl.lit(None, pl.Float64).alias("self_assessed_points"))
        column = column.with_columns(
            (pl.col("points") - pl.col("self_assessed_points")).alias("difference"))
    if inherits and "inherited_from" not in column.columns:
        column = column.with_columns(pl.lit(None, pl.String).alias("inherited_from"))
    return column


def _sum(height: int, columns: list[pl.DataFrame], appraised: bool = False) -> pl.DataFrame:
    """Points and max summed across indicator columns (an excluded one adds nothing); with
    `appraised`, the self-assessed total (an indicator without a self-assessed figure counts
    its points) and the difference points − self-assessed."""
    if not columns:
        zeros = [0.0] * height
        return pl.DataFrame({"points": zeros, "max": zeros, **(
            {"self_assessed_points": zeros, "difference": zeros} if appraised else {})})
    parts = {"points": [c["points"] for c in columns], "max": [c["max"] for c in columns]}
    if appraised:
        parts["difference"] = [c["difference"] for c in columns]
    out = pl.DataFrame([pl.DataFrame([s.rename(str(n)) for n, s in enumerate(series)])
                        .select(pl.sum_horizontal(pl.all())).to_series().rename(name)
                        for name, series in parts.items()])
    if appraised:
        out = out.with_columns((pl.col("points") - pl.col("difference"))
                               .alias("self_assessed_points")) \
            .select("points", "max", "self_assessed_points", "difference")
    return out


def inherit_rows(keys: pl.DataFrame, levels: dict[str, str | None], graph: Any,
                 level: str) -> tuple[pl.Series, pl.Series]:
    """For each key row (unit, period): the row of its ancestor at `level` in the same period
    (the parent edges in force on the period's last day; a unit of that level is its own
    source) and that ancestor's id; null when there is none or it has no row."""
    row_of = {key: i for i, key in enumerate(zip(keys["unit"], keys["period"], strict=True))}
    ends = {p: parse_period(p).end for p in keys["period"].unique().to_list()}
    rows: list[int | None] = []
    names: list[str | None] = []
    memo: dict[tuple[str, str], str | None] = {}
    for unit, period in zip(keys["unit"], keys["period"], strict=True):
        found = memo.get((unit, period), "")
        if found == "":
            found = _ancestor(unit, ends[period], levels, graph, level)
            memo[(unit, period)] = found
        rows.append(row_of.get((found, period)) if found is not None else None)
        names.append(found)
    return pl.Series("_row", rows, pl.UInt32), pl.Series("_from", names, pl.String)


def _ancestor(unit: str, day: Any, levels: dict[str, str | None], graph: Any,
              level: str) -> str | None:
    seen = 0
    while unit is not None and levels.get(unit) != level:
        if graph is None or seen > 16 or unit not in graph.units:
            return None
        unit, seen = graph.parent_at(unit, day), seen + 1
    return unit


def _inherited(ind: Any, column: pl.DataFrame, rows: pl.Series, names: pl.Series
               ) -> pl.DataFrame:
    """The indicator's columns taken from each unit's ancestor row; a unit without one (no
    ancestor at the level, or the ancestor has no figures that period) gets `when_no_data`.
    `inherited_from` names the ancestor (null for a unit scored on its own figures)."""
    top = float(ind.max)
    fallback = _fallback(ind.when_no_data or Fallback.EXCLUDE.value, top)
    missing = pl.col("_row").is_null()
    copied = column.select(pl.all().gather(rows)).with_columns(
        rows, names, pl.int_range(pl.len(), dtype=pl.UInt32).alias("_self"))
    points = pl.when(missing).then(fallback).otherwise(pl.col("points")).cast(pl.Float64)
    return copied.with_columns(
        points.alias("points"),
        pl.when(missing).then(pl.when(points.is_null()).then(None).otherwise(pl.lit(top)))
        .otherwise(pl.col("max")).cast(pl.Float64).alias("max"),
        pl.when(missing | (pl.col("_row") == pl.col("_self"))).then(None)
        .otherwise(pl.col("_from")).alias("inherited_from")).drop("_row", "_from", "_self")


def _long(keys: pl.DataFrame, columns: list[pl.DataFrame], name: str, ids: list[str],
          extra: dict[str, list]) -> pl.DataFrame:
    """Per key row, one row per column (in ruleset order): the columns interleaved by one
    gather of numbers; ids are Enum columns (strings only once per id)."""
    count, height = len(columns), keys.height
    texts = {name: ids, **extra}
    enums = {k: pl.Enum(list(dict.fromkeys(v for v in vs if v is not None)))
             for k, vs in texts.items()}
    if not count or not height:
        return pl.DataFrame(schema={"unit": pl.String, "period": pl.String, **enums,
                                    "value": pl.Float64, "status": pl.String,
                                    "points": pl.Float64, "max": pl.Float64,
                                    **OPTIONAL_SCHEMA})
    at = pl.int_range(count * height, eager=True)
    row, col = at // count, at % count
    optional = [c for c in columns[0].columns if c in OPTIONAL_SCHEMA]
    stacked = pl.concat([c.select(pl.col("value") if "value" in c.columns else
                                  pl.lit(None, pl.Float64).alias("value"),
                                  pl.col("status") if "status" in c.columns else
                                  pl.lit(None, pl.String).alias("status"), "points", "max",
                                  *optional)
                         for c in columns], rechunk=True)  # a gather across chunks is slow
    body = stacked.select(pl.all().gather(col * height + row))
    names = [pl.Series(k, vs, dtype=enums[k]).gather(col) for k, vs in texts.items()]
    return keys.select(pl.col("unit").gather(row), pl.col("period").gather(row)) \
        .hstack([*names, *body.get_columns()])


def _aligned(keys: pl.DataFrame, values: pl.DataFrame, results: pl.DataFrame,
             indicators: list) -> pl.DataFrame:
    """One column per metric (`v:<id>`) and per by_status target (`s:<id>`) the indicators
    read, row for row with the key rows (null where the unit reported nothing): one join of
    the figures to the keys, then each column is filled by a scatter, not a join of its own."""
    height = keys.height
    rows = keys.select("unit", "period").with_row_index("_row")
    metrics = sorted({m for i in indicators for m in (i.metric, i.self_assessed)
                      if m is not None and i.by_status is None})
    targets = sorted({i.target for i in indicators if i.by_status is not None})
    columns = [pl.repeat(None, height, dtype=pl.Float64, eager=True).alias(f"v:{m}")
               for m in metrics]
    columns += [pl.repeat(None, height, dtype=pl.String, eager=True).alias(f"s:{t}")
                for t in targets]
    dense = {c.name: c for c in columns}
    if targets and _row_major_statuses(results, targets, rows, dense):
        targets = []  # read straight from the evaluator's layout: no join
    for prefix, frame, name, column in (("v:", values, "metric", "value"),
                                        ("s:", results, "target", "status")):
        wanted = metrics if prefix == "v:" else targets
        if not wanted or not frame.height:
            continue
        found = _with_key_rows(frame.filter(pl.col(name).is_in(wanted)).select(
            name, "unit", "period", pl.col(column).cast(dense[prefix + wanted[0]].dtype)), rows)
        for (ident,), part in found.partition_by(name, as_dict=True).items():
            dense[f"{prefix}{ident}"].scatter(part["_row"], part[column])
    return pl.DataFrame(list(dense.values()), schema={c.name: c.dtype for c in columns}) \
        if columns else pl.DataFrame({"_": [None] * height})


def _declared(keys: pl.DataFrame, declared: pl.DataFrame, indicators: list) -> pl.DataFrame:
    """Per metric an indicator scores that some unit declared `n/a` (spec §7 v3), a column
    `d:<metric>`, row for row with the key rows: true where declared."""
    wanted = {m for i in indicators for m in (i.metric, i.self_assessed) if m is not None}
    found = declared.filter(pl.col("metric").is_in(list(wanted)))
    rows = keys.select("unit", "period").with_row_index("_row")
    columns = []
    for (metric,), part in found.partition_by("metric", as_dict=True).items():
        at = part.join(rows, on=["unit", "period"])["_row"]
        columns.append(pl.repeat(False, keys.height, dtype=pl.Boolean, eager=True)
                       .scatter(at, True).alias(f"d:{metric}"))
    return pl.DataFrame(columns) if columns else pl.DataFrame()


def _run_starts() -> pl.Expr:
    """True on the first row of each run of one unit and period (figures come so)."""
    return ((pl.col("unit") != pl.col("unit").shift())
            | (pl.col("period") != pl.col("period").shift())).fill_null(True)


def _with_key_rows(found: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """`found` with the key row (`_row`) of its unit and period; rows without one are
    dropped. Figures come in runs of one unit and period: each run is joined to the key
    rows once and its rows take the run's key row by position (a national run joins 40 k
    runs instead of 322 k scored figures)."""
    start = _run_starts()
    found = found.with_columns((start.cum_sum() - 1).cast(pl.UInt32).alias("_run"))
    runs = found.filter(start).select("unit", "period") \
        .join(rows, on=["unit", "period"], how="left", maintain_order="left")
    return found.with_columns(runs["_row"].gather(found["_run"]).alias("_row")) \
        .drop_nulls("_row").drop("_run")


def _row_major_statuses(results: pl.DataFrame, targets: list[str], rows: pl.DataFrame,
                        dense: dict[str, pl.Series]) -> bool:
    """Fill the `s:<target>` columns from results laid out as the evaluator writes them
    (evaluator._results: result j is the (unit, period) row j // n and target j % n, n
    targets): a strided gather per target and one join of the (unit, period) rows, instead
    of joining every result. False (nothing filled) when the frame is not laid out so."""
    height = results.height
    if not height:
        return False
    head = results.head(2048)
    same = (head["unit"] == head["unit"][0]) & (head["period"] == head["period"][0])
    n = int(same.arg_min()) if not same.all() else head.height
    order = head["target"].head(n).to_list()
    if n == 0 or height % n or len(set(order)) != n or not set(targets) <= set(order):
        return False
    block = pl.int_range(height // n, dtype=pl.UInt32, eager=True) * n
    first = results.select(pl.col("unit", "period").gather(block))
    last = results.select(pl.col("unit", "period").gather(block + (n - 1)))
    if not first.equals(last):
        return False
    # per key row, the first result of its block (null: the unit has no results that period)
    where = rows.join(first.with_row_index("_b"), on=["unit", "period"], how="left",
                      maintain_order="left")
    if where.height != rows.height or where["_b"].null_count() != rows.height - first.height:
        return False
    at, found = where["_b"] * n, {}
    for target in targets:
        t = order.index(target)
        if not (results["target"].gather(block + t) == target).all():
            return False
        found[f"s:{target}"] = results["status"].gather(at + t).rename(f"s:{target}")
    dense |= found
    return True


def _indicator(ind: Any, n: int, wide: pl.DataFrame) -> list[pl.Expr]:
    """The expressions of one indicator over the aligned key rows, named `<n>:value`,
    `<n>:status`, `<n>:points`, `<n>:max` (and `<n>:self:value`, `<n>:self:points` for the
    self-assessed figure, scored by the same rule)."""
    if ind.by_status is not None:
        return _scored_exprs(ind, f"{n}:", None, pl.col(f"s:{ind.target}"))
    out = _scored_exprs(ind, f"{n}:", pl.col(f"v:{ind.metric}"), None,
                        _declared_flag(ind.metric, wide))
    if ind.self_assessed is not None:
        out += _scored_exprs(ind, f"{n}:self:", pl.col(f"v:{ind.self_assessed}"), None,
                             _declared_flag(ind.self_assessed, wide))[::2]
    return out


def _declared_flag(metric: str, wide: pl.DataFrame) -> pl.Expr | None:
    """The metric's declared `n/a` flag column, None when no unit declared it."""
    return pl.col(f"d:{metric}") if f"d:{metric}" in wide.columns else None


def _scored_exprs(ind: Any, name: str, value: pl.Expr | None, status: pl.Expr | None,
                  declared: pl.Expr | None = None) -> list[pl.Expr]:
    """[value, status, points, max] of a metric rule (`value`) or a by_status rule
    (`status`): the points clamped to [0, max], a missing input worth `when_no_data`
    (default exclude), one that gives no number `when_invalid` (default zero); a metric
    the unit declared `n/a` (`declared`) is excluded whatever those say (spec §7 v3)."""
    top = float(ind.max)
    if status is not None:
        no_data = status.is_null() | (status == Status.NO_DATA.value)
        invalid = status == Status.INVALID.value
        excluded = status == Status.NOT_APPLICABLE.value
        raw = status.replace_strict({s: float(p) for s, p in ind.by_status.items()},
                                    default=0.0, return_dtype=pl.Float64)
        shown_value = pl.lit(None, pl.Float64)
        shown_status = status
    else:
        assert value is not None
        no_data = value.is_null()
        invalid = ~value.is_finite()
        excluded = pl.lit(False)
        raw = _rule(ind, value)
        shown_value = pl.when(~no_data & ~invalid).then(value)
        shown_status = pl.lit(None, pl.String)
    when_no_data = _fallback(ind.when_no_data or Fallback.EXCLUDE.value, top)
    when_invalid = _fallback(ind.when_invalid or Fallback.ZERO.value, top)
    if declared is not None:
        excluded = declared
        no_data, invalid = no_data & ~declared, invalid & ~declared
    points = (pl.when(no_data).then(when_no_data).when(invalid).then(when_invalid)
              .when(excluded).then(None).otherwise(raw.clip(0.0, top)).cast(pl.Float64))
    return [shown_value.cast(pl.Float64).alias(name + "value"),
            shown_status.cast(pl.String).alias(name + "status"),
            points.alias(name + "points"),
            pl.when(points.is_null()).then(None).otherwise(pl.lit(top)).cast(pl.Float64)
            .alias(name + "max")]


def _fallback(choice: str, top: float) -> pl.Expr:
    return {Fallback.ZERO.value: pl.lit(0.0), Fallback.FULL.value: pl.lit(top),
            Fallback.EXCLUDE.value: pl.lit(None, pl.Float64)}[choice]


def _rule(ind: Any, value: pl.Expr) -> pl.Expr:
    """Raw points of a metric rule (clamped by the caller)."""
    top = float(ind.max)
    if ind.as_points or ind.manual:
        return value
    if ind.full_at is not None:
        zero = float(ind.zero_at or 0.0)
        return top * ((value - zero) / (float(ind.full_at) - zero)).clip(0.0, 1.0)
    # The first step that holds wins: the first non-null of one flat list, not a when/otherwise
    # nested as deep as the steps (polars' optimiser is quadratic in that depth).
    return pl.coalesce([pl.when(holds(step.op, value, step.value)).then(float(step.points))
                        for step in ind.steps] + [pl.lit(0.0)])


def holds(op: str, value: pl.Expr, threshold: float | tuple[float, float]) -> pl.Expr:
    """`value op threshold` within the comparison tolerance targets use (57/100*100 ≥ 57)."""
    if isinstance(threshold, tuple):   # op is `between` exactly then (scoring_check.py)
        low, high = threshold
        return holds(">=", value, low) & holds("<=", value, high)
    b = float(threshold)
    tol = TOLERANCE * pl.max_horizontal(pl.lit(1.0), value.abs(), pl.lit(abs(b)))
    return {">=": value >= b - tol, ">": value > b + tol, "<=": value <= b + tol,
            "<": value < b - tol, "==": (value - b).abs() <= tol}[op]


def _rank(totals: pl.DataFrame, scoring: Any, levels: dict[str, str | None],
          periods: list[str]) -> pl.DataFrame:
    """Index, band, rank, previous index and rank change per unit and period."""
    scale = float(scoring.scale)
    frame = totals.with_columns(
        pl.col("unit").replace_strict(levels, default=None, return_dtype=pl.String)
        .alias("level"),
        # clamped to 0–scale: bonus and penalty points can pass either end (spec §7 v3)
        pl.when(pl.col("max") > 0).then((pl.col("points") / pl.col("max") * scale)
                                        .clip(0.0, scale)).alias("index"))
    # the first band whose min ≤ index: one flat coalesce, linear in the bands
    band = pl.coalesce([pl.when(pl.col("index") >= b.min).then(pl.lit(b.id))
                        for b in scoring.bands] + [pl.lit(None, pl.String)])
    frame = frame.with_columns(band.alias("band"))
    titles = band_titles(scoring)
    if titles:   # v3: a band's title, shown where the band is
        frame = frame.with_columns(pl.col("band").replace_strict(
            titles, default=None, return_dtype=pl.String).alias("band_title"))
    frame = frame.sort(
        "_p", "level", pl.col("index").fill_null(-float("inf")), "unit",
        descending=[False, False, True, False], nulls_last=True)
    ranks, counts = competition_ranks(frame, ("_p", "level"), "index")
    frame = frame.with_columns(ranks.cast(pl.Int64), counts.cast(pl.Int64))
    extra = [c for c in frame.columns if c in OPTIONAL_SCHEMA]
    return _previous(frame, periods).select([*RANKING_SCHEMA, *extra])


def band_titles(scoring: Any) -> dict[str, str]:
    """Band id -> its title (v3), for the bands that have one; {} when none has."""
    return {b.id: b.title for b in scoring.bands if getattr(b, "title", None)}


def shown_band(rankings: pl.DataFrame) -> pl.Expr:
    """The band as outputs show it: its title when it has one (v3), else its id."""
    if "band_title" in rankings.columns:
        return pl.coalesce("band_title", "band").alias("band")
    return pl.col("band")




def _previous(frame: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """previous_index and rank_change from the period before of the same kind."""
    before = {}
    for text in periods:
        try:
            before[text] = parse_period(text).shift(-1).text
        except ValueError:  # a range has no period before
            continue
    ranked = frame.filter(pl.col("rank").is_not_null())
    cohorts = (ranked.group_by("period", "level")
               .agg(pl.col("unit").sort().str.join("\n").alias("_cohort")))
    mine = frame.join(cohorts, on=["period", "level"], how="left", nulls_equal=True) \
        .with_columns(pl.col("period").replace_strict(before, default=None,
                                                      return_dtype=pl.String).alias("_before"))
    earlier = (frame.join(cohorts, on=["period", "level"], how="left", nulls_equal=True)
               .select("unit", pl.col("period").alias("_before"),
                       pl.col("level").alias("_level_before"),
                       pl.col("index").alias("previous_index"),
                       pl.col("rank").alias("_rank_before"),
                       pl.col("_cohort").alias("_cohort_before")))
    joined = mine.join(earlier, on=["unit", "_before"], how="left", maintain_order="left")
    same = ((pl.col("_cohort") == pl.col("_cohort_before"))
            & pl.col("level").eq_missing(pl.col("_level_before")))
    return joined.with_columns(
        pl.when(same).then(pl.col("_rank_before") - pl.col("rank")).alias("rank_change"))
