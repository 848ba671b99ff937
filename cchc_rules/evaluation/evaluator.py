"""Evaluate stage: compiled ruleset × reported figures → one status per target × unit × period.

Columnar (spec §2–3): roll-up, one wide frame per (unit, period), derived metrics as polars
expressions, then every target over every unit and period at once; no Python loop per row.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import polars as pl

from ..derive.consistency import reported_vs_computed
from ..derive.declared import FLAG_PREFIX, declared_rows, flag_columns, roll_up_declared
from ..derive.relative import base_groups, join_base, with_resolved_baselines
from ..derive.rollup import WideRoll, roll_up, roll_up_wide
from ..derive.territory import restated_figures, territories, territory_frame, touched_units
from ..derive.timeroll import TimeRoll, absent_parts, began_since, derive, needed_periods
from ..domain import OPS, ORIGINS, SUMMABLE_UNITS, WHOLE_UNITS, MetricUnit, Origin, Status
from ..errors import CchcError, Problem, did_you_mean
from ..expr import approx_cmp, names, ratio_parts, to_polars
from ..figures.unitgraph import UnitGraph
from ..figures.validity import within_validity
from ..messages import _, noun
from ..periods import canonical, is_period, parse_period, period_key
from ..plan.nodes import Plan
from ..ruleset.rank_metrics import field_checks
from ..score.clamped import clamped_warnings
from .result import (
    CHECK_SCHEMA,
    COMPACT_SCHEMA,
    RESULT_SCHEMA,
    TRACE_SCHEMA,
    VALUE_SCHEMA,
    Evaluation,
)
from .selection import bad_range, nothing_selected, unit_lacks_period
from .status_plan import STATUS_PLAN
from .trajectory import plan
from .wide import ENGINE, WIDE_SCHEMA, WideStatuses, pruned, remembered

if TYPE_CHECKING:
    from ..figures.data import Figures
    from ..ruleset.loader import LoadedRuleset
    from ..ruleset.schema import Ruleset, Target

_NULL = pl.lit(None, dtype=pl.Float64)
_KEYS = ("unit", "period")
PREFIX = "m:"  # metric columns of the wide frame, apart from its own (unit, level, row, …)
ORIGIN_PREFIX = "o:"  # per target metric: where its figure comes from (see _with_origins)


def metric(name: str) -> pl.Expr:
    """The wide frame's column of metric `name`; the `column` callback of to_polars."""
    return pl.col(PREFIX + name)


def evaluate(ruleset: LoadedRuleset, figures: Figures, *,
             periods: Iterable[str] | None = None, units: Iterable[str] | None = None,
             targets: Iterable[str] | None = None) -> Evaluation:
    """Evaluate `figures` against `ruleset`; the Evaluation's `found` holds the warnings
    evaluating adds to the figures' own.

    `periods`, `units` and `targets` keep only those results (roll-up and baselines still see
    every figure); an unknown name raises CchcError with a "did you mean".
    """
    model = ruleset.model
    if periods is not None:   # "Quý I/2024", "9 tháng năm 2024" as their canonical periods
        periods = [canonical(p) for p in periods]
    timed = _over_time(ruleset, figures, periods)
    graph = UnitGraph.from_units(figures.units)   # built once: roll-up and restatement
    rolled, declared = _rolled(ruleset, timed.values, figures, graph, timed.table)
    periods, units, chosen = _filters(model, rolled, figures, periods, units, targets,
                                      timed)
    wide = _with_origins(ruleset, chosen, _wide(ruleset, rolled, figures, declared),
                         rolled.moved, rolled.reported)
    keep = _keep(periods, units)
    scope = wide.filter(keep) if keep is not None else wide
    if timed.covers.height:   # v3 §6: a unit that began during the period, part of it
        scope = scope.join(timed.covers.select(*_KEYS, pl.col("covers").alias("_covers")),
                           on=list(_KEYS), how="left", maintain_order="left")
    if keep is not None and not scope.height and chosen:   # say why, never an empty table
        raise CchcError([nothing_selected(wide, figures.units, periods, units)])
    # built when read, from only the columns it reads: the evaluation does not hold the
    # rolled figures' files, lines and sources
    values = lambda: _values(ruleset, rolled.long().select(list(VALUE_SCHEMA)),  # noqa: E731
                             scope)
    bases, unrestated = _restated_bases(ruleset, chosen, rolled, figures, scope, graph)
    statuses, fields = _statuses(ruleset, chosen, wide, scope, bases)
    checks = _checks(ruleset, scope)
    found = [*reported_vs_computed(ruleset, figures.values), *timed.warnings,
             *clamped_warnings(model.scoring, figures.values), *unrestated, *fields]
    declared_all = declared_rows(scope) if declared is not None else None
    if statuses is None:
        return Evaluation(ruleset=ruleset, figures=figures, values=values,
                          results=pl.DataFrame(schema=RESULT_SCHEMA), checks=checks,
                          found=found, trace=pl.DataFrame(schema=TRACE_SCHEMA), time=timed,
                          counts={}, declared=declared_all, asked=_asked(periods),
                          asked_units=_asked(units))
    running = sorted(figures.records.in_progress if figures.records is not None else ())
    if running:   # periods counted from records before they ended (records/ REC12)
        return Evaluation(ruleset=ruleset, figures=figures, values=values,
                          results=lambda: unfinished(statuses.results(), running),
                          checks=checks, found=found, trace=statuses.trace, time=timed,
                          compact=lambda rows=None: (unfinished(s, running)
                                                     for s in _result_slices(statuses, rows)),
                          declared=declared_all, asked=_asked(periods),
                          asked_units=_asked(units))
    return Evaluation(ruleset=ruleset, figures=figures, values=values,
                      results=statuses.results, checks=checks, found=found,
                      trace=statuses.trace, time=timed, counts=statuses.counts(),
                      compact=lambda rows=None: _result_slices(statuses, rows),
                      declared=declared_all, asked=_asked(periods), asked_units=_asked(units))


def _asked(periods: Iterable[str] | None) -> tuple[str, ...] | None:
    return tuple(periods) if periods is not None else None


def unfinished(results: pl.DataFrame, periods: list[str]) -> pl.DataFrame:
    """`results` with a target on a period not ended (`periods`) never judged not_met or
    off_track: pending until the period ends."""
    judged = pl.col("status").cast(pl.String).is_in([Status.NOT_MET.value,
                                                      Status.OFF_TRACK.value])
    early = pl.col("period").cast(pl.String).is_in(periods) & judged
    return results.with_columns(
        pl.when(early).then(pl.lit(Status.PENDING.value)).otherwise(
            pl.col("status").cast(pl.String)).cast(results.schema["status"]).alias("status"))


# Results per slice of `_result_slices` for every writer (tests set it); None: the writer's
# own bound, or every result in one piece, built once (issue 28: one piece cost 0.69 s of CPU
# nationally against 0.87 s for three slices that each decided the plan again). A bound
# trades time for a lower peak: the CSV writer keeps one (render/csv.py).
SLICE_RESULTS: int | None = None


def _result_slices(statuses: WideStatuses, rows: int | None = None
                   ) -> Iterator[pl.DataFrame]:
    """The long results (COMPACT_SCHEMA), in order: by default one frame of every result, else
    a slice of (unit, period) rows at a time, each the same plan over a slice of its input
    rows (every row is decided on its own; the compiled plans and the statuses decided by
    `evaluate` are shared). At least one frame, empty when no rows."""
    bound = SLICE_RESULTS if SLICE_RESULTS is not None else rows
    if bound is None:
        yield statuses.results(COMPACT_SCHEMA)
        return
    height = statuses.height
    parts = max(1, -(-height * statuses.n // bound))
    step = max(1, -(-height // parts))   # equal slices: the largest sets the peak
    if parts > 1:   # the plan decided once, each slice laid out from its part
        statuses = statuses.with_outputs(COMPACT_SCHEMA)
    for start in range(0, max(height, 1), step):
        yield statuses.over_rows(start, step).results(COMPACT_SCHEMA)


# What the status decision keeps besides the status, for the long results: with them (and the
# status's code, `_status`) their decision runs only the plan's last stage, which makes every
# shown output, instead of the whole plan again (issue 28: 0.15 → 0.06 s of CPU a national
# piece; the status decision itself costs no more, it makes these columns anyway).
CARRIED = ("expected", "_reason", "_holds")
# the plan's last stage, one object per plan (`remembered`), so that what wide remembers of
# it (the columns each decision keeps) is found again
_LAST_STAGE: dict[tuple, tuple[Plan, Plan]] = {}


class _Decided(WideStatuses):
    """WideStatuses whose long frames take what it decided when built (`status`, kept for the
    counts, and the CARRIED columns) instead of deciding them again with the other outputs:
    they run the plan's last stage only. The final `expected` stands in for the first
    stage's: the two differ only where the status is not_applicable, where the last stage
    shows no expected value (tests/evaluation/test_compact_results.py holds the long frames
    to the small path's, which decides everything in one pass)."""

    def decide(self, outputs: tuple[str, ...]) -> pl.DataFrame:
        known = getattr(self, "status", None)
        if known is None and outputs == ("status",):   # evaluate's decision
            return super().decide(("status", *CARRIED))
        if known is None or "status" not in outputs or outputs == ("status",):
            return super().decide(outputs)
        rest = tuple(name for name in outputs if name != "status")
        last = self._last_stage(known, rest)
        decided = last.decide(rest) if last is not None else super().decide(rest)
        return decided.with_columns(known.select(f"status#{k}" for k in range(self.n)))

    def _last_stage(self, known: pl.DataFrame, outputs: tuple[str, ...]
                    ) -> WideStatuses | None:
        """These statuses as a plan of its last stage only, reading the CARRIED columns and
        `_status` beside the row inputs; None when `outputs` need more of the plan (the
        trace's trajectory) or the statuses were decided without them."""
        if any(f"{name}#0" not in known.columns for name in CARRIED):
            return None
        last = remembered(_LAST_STAGE, self.plan, (), lambda: self.plan[-1:])
        made = {name for stage in self.plan[:-1] for name, _ in stage}
        if pruned(last, set(outputs))[1] & (made - {*CARRIED, "_status"}):
            return None
        part = WideStatuses.__new__(WideStatuses)
        part.__dict__.update(self.__dict__)
        part.plan = last
        # the whole plan's compiled targets, their last stage: the plans are compiled once
        # per target for every decision (the earlier stages' columns are the CARRIED ones)
        part._targets = [(compiled[-1:], varying) for compiled, varying in self.every_compiled()]
        part.row_inputs = [*self.row_inputs, *CARRIED, "_status"]
        part.inputs = self.inputs.with_columns(
            *(pl.lit(known[f"{name}#{k}"]) for name in CARRIED for k in range(self.n)),
            *(pl.lit(known[f"status#{k}"].to_physical()).alias(f"_status#{k}")
              for k in range(self.n)))
        return part

    def over_rows(self, start: int, length: int) -> WideStatuses:
        part = super().over_rows(start, length)
        if getattr(self, "status", None) is not None:
            part.status = self.status.slice(start, length)
        return part


def _summable(ruleset: LoadedRuleset) -> set[str]:
    """Raw count/vnd metrics, but not the size of a rank's field (`of`, v3 §7): a field is
    never summed over units, in roll-up or in restatement."""
    return {mid for mid, m in ruleset.model.metrics.items()
            if m.formula is None and m.unit in SUMMABLE_UNITS} - _fields(ruleset)


def _fields(ruleset) -> set[str]:
    """The metrics named by a rank metric's `of` (v3 §7)."""
    return {m.of for m in ruleset.model.metrics.values() if getattr(m, "of", None)}


def _field_of(ruleset, target) -> str | None:
    """The field metric of a target comparing ranks of two periods (a `change` target on a
    rank metric with `of`), else None."""
    spec = ruleset.model.metrics.get(target.metric)
    if target.change is None or target.baseline is None or spec is None \
            or spec.unit != MetricUnit.RANK or not getattr(spec, "of", None):
        return None
    return spec.of


def _all_of(table: pl.DataFrame, metrics: Collection[str]) -> bool:
    """Whether every metric of `table` (the figures as read wide, Figures.as_wide: a column
    per metric beside `unit` and `period`) is one of `metrics`."""
    return set(table.columns) - {"unit", "period"} <= set(metrics)


def _of_metrics(values: pl.DataFrame, metrics: Iterable[str],
                table: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows of `values` for `metrics`; `values` itself, not a copy, when that is all of
    them (read_data keeps only the ruleset's metrics): the evaluation keeps what it is given.
    `table`: `values` as read wide (Figures.as_wide), whose columns say which metrics it has."""
    wanted = set(metrics)
    if table is not None and _all_of(table, wanted):
        return values
    kept = values["metric"].is_in(list(wanted))
    return values if kept.all() else values.filter(kept)


def _over_time(ruleset: LoadedRuleset, figures: Figures, periods: Iterable[str] | None
               ) -> TimeRoll:
    """Spec §5, per unit and before the roll-up over units: the needed periods' figures
    derived from the unit's shorter reported periods (timeroll.py)."""
    metrics = ruleset.model.metrics
    table = figures.as_wide()
    known = _of_metrics(figures.values, metrics, table)
    over_time = {mid: m.over_time for mid, m in metrics.items()
                 if m.over_time is not None and m.formula is None}
    # the reported periods: the wide table's 40 k rows have them all, as the figures' 640 k
    same = table if table is not None and known is figures.values else None
    reported = (same if same is not None else known)["period"]
    return derive(known, over_time, needed_periods(ruleset.model, periods,
                                                   reported.unique().to_list()),
                  figures.units, figures.restated, _summable(ruleset), same)


def _rolled(ruleset: LoadedRuleset, known: pl.DataFrame, figures: Figures, graph: UnitGraph,
            derived: pl.DataFrame | None = None) -> tuple[WideRoll, pl.DataFrame | None]:
    """Reported (and derived over time) figures plus parents' sums (spec §2), wide and
    long (derive/rollup.py's WideRoll), and every unit × period × metric declared `n/a`,
    rolled up too (spec §7 v3, derive/declared.py). The roll-up runs on the wide frame
    unless a figure is declared n/a or the figures do not suit it (roll_up_wide).
    `derived`: `known` as one wide table, when derive made it (TimeRoll.table)."""
    declared = getattr(figures, "declared", None)   # `known`: of the ruleset's metrics
    if declared is None or not declared.height:
        # the figures as read wide, while `known` is them (nothing derived over time, no
        # metric left out), or with the derived ones: roll_up_wide also checks that the
        # counts agree
        table = derived if derived is not None else figures.as_wide()
        if table is not None and ((derived is None and known.height != figures.values.height)
                                  or not _all_of(table, ruleset.model.metrics)):
            table = None
        fast = roll_up_wide(known, graph, _summable(ruleset), PREFIX, table)
        if fast is not None:
            # a unit gets results only for periods that overlap its validity (spec §6)
            wide = within_validity(fast.wide, figures.units)
            if wide is fast.wide:
                return fast, None
            moved, kept = (within_validity(part.collect(engine=ENGINE), figures.units)
                           for part in (fast.moved, fast.reported))
            return WideRoll(wide, moved.lazy(), kept.lazy(),
                            lambda: within_validity(fast.long(), figures.units),
                            ordered=fast.ordered), None
        rolled, declared = roll_up(known, graph, _summable(ruleset)), None
    else:
        rolled, declared = roll_up_declared(known, _of_metrics(declared, ruleset.model.metrics),
                                            figures.units, _summable(ruleset))
    rolled = within_validity(rolled, figures.units)
    if rolled.height:
        wide = rolled.with_columns((PREFIX + pl.col("metric")).alias("metric")).pivot(
            on="metric", index=list(_KEYS), values="value")
    else:
        wide = pl.DataFrame(schema={"unit": pl.String, "period": pl.String})
    reported = pl.col("origin") == Origin.REPORTED.value
    return WideRoll(wide, rolled.lazy().filter(~reported), rolled.lazy().filter(reported),
                    lambda: rolled), declared


def _unsummable(ruleset) -> set[str]:
    """Raw metrics whose figures cannot be summed over territories (v3 §6): percent, ratio,
    days, score, rank, and a rank's field."""
    return {mid for mid, m in ruleset.model.metrics.items()
            if m.formula is None and m.unit not in SUMMABLE_UNITS} | _fields(ruleset)


def _unrestated_inputs(ruleset, target) -> list[str]:
    """The raw inputs of a target's metric that cannot be summed (v3 §6)."""
    raw = ruleset.raw_inputs.get(target.metric, frozenset({target.metric}))
    return sorted(raw & _unsummable(ruleset))


def _restated_bases(ruleset: LoadedRuleset, chosen: list[Target], rolled: WideRoll,
                    figures: Figures, scope: pl.DataFrame, graph: UnitGraph
                    ) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Baseline period (or relative name) -> one row per restated (unit, period) of `scope`
    (spec §6): the base period's metrics on that period's territory (`m:` columns, derived
    ones computed from the restated sums) and `territory`, `territory_changed`
    (territory.TERRITORY_SCHEMA); and a UNT15 warning per unit, base period and metric whose
    figure could not be restated and is the unit's own (v3)."""
    if not touched_units(graph):   # no merger, no split: nothing to restate
        return {}, []
    rows = scope.select(*_KEYS).rows()
    out: dict[str, list[pl.DataFrame]] = {}
    kept = _unsummable(ruleset)
    warned: dict[tuple[str, str, str], Problem] = {}
    for label, period, group in base_groups(chosen, rows):   # relative: one per period
        found = territories(graph, group, period)
        if not found:
            continue
        long = restated_figures(found, rolled.long(), figures.restated, period, _summable(ruleset),
                                kept)
        used = {m for t in chosen if t.baseline is not None and t.baseline.period == label
                for m in _unrestated_inputs(ruleset, t)}
        own_restated = set(figures.restated.filter(pl.col("period") == period)
                           .select("unit", "metric").rows())
        for unit, metric_id in long.filter(pl.col("metric").is_in(list(used))).select(
                "unit", "metric").unique().sort("unit", "metric").rows():
            territory = next(t for (u, _), t in found.items() if u == unit)
            if (unit, metric_id) in own_restated or territory.changed is not None:
                continue
            warned.setdefault((unit, period, metric_id), _unrestated_warning(
                figures, ruleset, unit, period, metric_id, territory.merged[1:]))
        wide = territory_frame(found)
        if long.height:
            wide = wide.join(long.with_columns((PREFIX + pl.col("metric")).alias("metric"))
                             .pivot(on="metric", index=list(_KEYS), values="value"),
                             on=list(_KEYS), how="left")
        out.setdefault(label, []).append(
            _derive(ruleset, wide.lazy()).collect(engine=ENGINE))
    return ({label: pl.concat(frames, how="diagonal_relaxed") for label, frames in out.items()},
            list(warned.values()))


def _unrestated_warning(figures, ruleset, unit: str, period: str, metric_id: str,
                        left_out: tuple[str, ...]) -> Problem:
    """UNT15: a base figure that cannot be summed is the unit's own, without its
    predecessors' (v3 §6)."""
    kind = ruleset.model.metrics[metric_id].unit
    return Problem("UNT15", _("'{metric}' of {unit} for {period} is not restated on today's "
                              "territory: a {kind} figure cannot be summed, so {unit}'s own "
                              "figure is used, without {left_out}").format(
                       metric=metric_id, unit=unit, period=period, kind=kind,
                       left_out=", ".join(left_out)),
                   None, _("report the figure on today's territory with 'restated: true' "
                           "to compare like with like"), "warning",
                   about=(("unit", unit), ("period", period), ("metric", metric_id)))


def _derive(ruleset: LoadedRuleset, lf: pl.LazyFrame) -> pl.LazyFrame:
    """Every metric as a column: missing ones null, formula metrics computed unless the
    frame already has a figure for them (a reported figure wins)."""
    have = lf.collect_schema().names()
    lf = lf.with_columns(_NULL.alias(PREFIX + m) for m in ruleset.model.metrics
                         if PREFIX + m not in have)
    for mid in ruleset.order:
        lf = lf.with_columns(pl.coalesce(metric(mid), to_polars(ruleset.formulas[mid], metric))
                             .alias(PREFIX + mid))
    return lf


def _with_origins(ruleset: LoadedRuleset, chosen: list[Target], wide: pl.DataFrame,
                  moved: pl.LazyFrame, reported: pl.LazyFrame) -> pl.DataFrame:
    """`wide` plus, per target metric, the code (index in ORIGINS) of where its figure comes
    from: a raw metric's own origin; a formula metric's strongest among its raw inputs
    (restated > rolled up > derived over time > reported), unless the unit reported it.
    `moved`: the rolled figures whose origin is not "reported"; `reported`: those whose
    origin is."""
    rank = {name: i for i, name in enumerate(ORIGINS)}
    names = sorted({t.metric_id for t in chosen})
    if not names:
        return wide
    # One query for all target metrics (a join per metric cost ~30 ms on a province's data):
    # each moved figure is paired with the target metrics it feeds, the strongest per
    # (unit, period, target metric) kept, then spread to one column per target metric.
    feeds = pl.DataFrame(
        [(ORIGIN_PREFIX + name, raw) for name in names
         for raw in sorted(ruleset.raw_inputs.get(name, frozenset({name})))],
        schema={"_target": pl.String, "metric": pl.String}, orient="row").lazy()
    codes = (moved.join(feeds, on="metric")
             .group_by("unit", "period", "_target")
             .agg(pl.col("origin").replace_strict(rank, default=0, return_dtype=pl.UInt8)
                  .max().alias("_o")))
    formulas = [name for name in names if name in ruleset.formulas]
    if formulas:   # a formula figure the unit reported itself keeps no code
        own = reported.filter(pl.col("metric").is_in(formulas)).select(
            "unit", "period", (ORIGIN_PREFIX + pl.col("metric")).alias("_target"))
        codes = codes.join(own, on=["unit", "period", "_target"], how="anti")
    found = codes.collect(engine=ENGINE)
    spread = found.pivot("_target", index=list(_KEYS), values="_o") if found.height \
        else found.select(*_KEYS)
    columns = [pl.col(c) if c in spread.columns else pl.lit(None, pl.UInt8).alias(c)
               for c in (ORIGIN_PREFIX + name for name in names)]
    return wide.join(spread.select(*_KEYS, *columns), on=list(_KEYS), how="left",
                     maintain_order="left")


def _filters(model: Ruleset, rolled: WideRoll, figures: Figures,
             periods: Iterable[str] | None, units: Iterable[str] | None,
             targets: Iterable[str] | None, timed: TimeRoll
             ) -> tuple[list[str] | None, list[str] | None, list[Target]]:
    """Check the filter names against what exists; all unknown names are reported at once."""
    problems: list[Problem] = []

    def known(kind: str, code: str, given: Iterable[str] | None, choices: Collection[str]
              ) -> list[str] | None:
        if given is None:
            return None
        asked = list(dict.fromkeys(given))
        for name in asked:
            if name in choices:
                continue
            if kind == "period" and is_period(name):
                problems.append(unit_lacks_period(name, units, rolled.long(), figures.units,
                                                  timed)
                                or _no_period(name, choices, timed.missing(period=name),
                                              _began_inside(rolled.long(), figures.units,
                                                            name)))
                continue
            wrong = bad_range(name) if kind == "period" else None
            if wrong is not None:   # "2024-09/2024-01": say what is wrong
                problems.append(wrong)
                continue
            problems.append(Problem(code, _("unknown {kind} '{name}'").format(
                                            kind=noun(kind), name=name), None,
                                    did_you_mean(name, choices)
                                    or _("known: {choices}").format(
                                         choices=', '.join(sorted(choices)[:10]))))
        return asked

    data_periods = set(rolled.wide["period"].unique().to_list())
    data_units = set(figures.units) | set(rolled.wide["unit"].unique().to_list())
    target_ids = [t.id for t in model.targets]
    periods = known("period", "EVL01", periods, data_periods)
    units = known("unit", "EVL02", units, data_units)
    wanted = known("target", "EVL03", targets, target_ids)
    if problems:
        raise CchcError(problems)
    chosen = [t for t in model.targets if wanted is None or t.id in wanted]
    return periods, units, chosen


def _began_inside(rolled: pl.DataFrame, units: dict, name: str):
    """When every unit with figures inside period `name` began during it: the earliest
    such start (v3 §6: the months before are never asked for); None otherwise."""
    period = parse_period(name)
    inside = [p for p in rolled["period"].unique().to_list()
              if is_period(p) and period.contains(parse_period(p))]
    owners = rolled.filter(pl.col("period").is_in(inside))["unit"].unique().to_list()
    return began_since(units, owners, name)


def _no_period(name: str, choices, missing: pl.DataFrame, since=None) -> Problem:
    """EVL01 for a well-formed period nobody has or can derive (spec §5): the sub-periods it
    lacks when shorter ones were reported, else the periods of its kind that exist; none
    that ends before `since` (the units began then)."""
    absent = sorted(set(missing.filter(pl.col("period") == name)["absent"].explode()
                        .drop_nulls().to_list()), key=period_key) \
        or absent_parts(name, choices, since)
    if absent:
        return Problem("EVL01", _("no figures for period '{name}', and it cannot be derived: no "
                                  "figures for {absent}").format(
                                  name=name, absent=', '.join(absent)), None,
                       _("report {absent}, or ask for a reported period").format(
                         absent=', '.join(absent)))
    kind = parse_period(name).kind
    alike = sorted((p for p in choices if is_period(p) and parse_period(p).kind == kind),
                   key=period_key)
    return Problem("EVL01", _("no figures for period '{name}'").format(name=name), None,
                   did_you_mean(name, alike) or _("known: {value}").format(
                                                  value=", ".join(
                       (alike or sorted(choices, key=period_key))[-10:])))


def _keep(periods: list[str] | None, units: list[str] | None) -> pl.Expr | None:
    keep = None
    for column, names_ in (("period", periods), ("unit", units)):
        if names_ is not None:
            cond = pl.col(column).is_in(names_)
            keep = cond if keep is None else keep & cond
    return keep


def _wide(ruleset: LoadedRuleset, rolled: WideRoll, figures: Figures,
          declared: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (unit, period) with data: level, period end, every metric as a column.

    A formula metric is computed from the rolled-up raw figures; a unit's own reported figure
    for it wins, as it does for raw figures. A unit that declared `n/a` has data, and a
    column `n:<metric>` per declared metric (derive/declared.py).
    """
    wide, ordered = rolled.wide, rolled.ordered
    if declared is not None and declared.height:   # a unit and period with only n/a
        wide = wide.join(declared.select(*_KEYS).unique(maintain_order=True), on=list(_KEYS),
                         how="full", coalesce=True, maintain_order="left")
        ordered = False
    lf = _derive(ruleset, wide.lazy())
    if declared is not None:
        lf, _flagged = flag_columns(lf, declared, list(ruleset.order), ruleset.formulas)
    ends = {p: parse_period(p).end for p in wide["period"].unique().to_list()}
    levels = pl.DataFrame({"unit": list(figures.units),
                           "level": [u.level for u in figures.units.values()]},
                          schema={"unit": pl.String, "level": pl.String})
    lf = (lf.join(levels.lazy(), on="unit", how="left", maintain_order="left")
          .with_columns(pl.col("period").replace_strict(ends, return_dtype=pl.Date)
                        .alias("period_end")))
    if not ordered:   # the roll-up on the wide frame gives this order (a third of the step)
        lf = lf.sort("unit", "period_end", "period")
    return lf.with_row_index("row").collect(engine=ENGINE)


def _values(ruleset: LoadedRuleset, rolled: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    """Every figure after roll-up and derivation, long: the reported and rolled-up figures
    in roll-up order, then the derived ones by unit, period and formula order."""
    own = rolled.join(scope.select(*_KEYS), on=list(_KEYS), how="semi", maintain_order="left")
    derived = list(ruleset.order)
    if not derived or not scope.height:
        return own.select(list(VALUE_SCHEMA)).cast(VALUE_SCHEMA)
    computed = (scope.unpivot(on=[PREFIX + m for m in derived], index=["row"],
                              variable_name="metric", value_name="value")
                .with_columns(pl.col("metric").str.strip_prefix(PREFIX))
                .with_columns(pl.col("metric").replace_strict(
                    {m: i for i, m in enumerate(derived)}, return_dtype=pl.UInt32).alias("_m"))
                .sort("row", "_m")
                .drop_nulls("value")
                .join(scope.select("row", *_KEYS), on="row", maintain_order="left"))
    # A formula metric the unit reported itself keeps its reported figure (see _wide).
    reported = own.filter(pl.col("metric").is_in(derived))
    if reported.height:
        computed = computed.join(reported, on=[*_KEYS, "metric"], how="anti",
                                 maintain_order="left")
    computed = computed.with_columns(pl.lit("derived").alias("origin"))
    return pl.concat([own.select(list(VALUE_SCHEMA)).cast(VALUE_SCHEMA),
                      computed.select(list(VALUE_SCHEMA)).cast(VALUE_SCHEMA)])


def _statuses(ruleset: LoadedRuleset, chosen: list[Target], wide: pl.DataFrame,
              scope: pl.DataFrame, bases: dict[str, pl.DataFrame]
              ) -> tuple[WideStatuses | None, list[Problem]]:
    """Every chosen target over every (unit, period) of `scope`, decided wide (wide.py): the
    plan's row inputs per target are columns of the (unit, period) frame (`_per_target`), the
    milestone in force per period (trajectory.plan), and per-target constants; and an EVL11
    warning per result comparing ranks of fields of different sizes (v3 §7)."""
    if not chosen or not scope.height:
        return None, []
    periods = sorted(scope["period"].unique().to_list())
    steps = plan(chosen, periods)      # row t × len(periods) + p: target t, period p
    steps = steps.with_columns(pl.col("op").replace_strict(
        {op: i for i, op in enumerate(OPS)}, return_dtype=pl.UInt8).alias("_opc"))
    lf = scope.lazy().with_columns(
        pl.col("period").replace_strict({p: i for i, p in enumerate(periods)},
                                        return_dtype=pl.UInt32).alias("_p"))
    inputs = _per_target(ruleset, chosen, wide, lf, bases)
    columns = inputs.columns
    # The (unit, period) rows with their joined baselines, made once: the statuses, the long
    # results and each slice of them read it, and a slice of a frame is cheap where a slice
    # of the joins is not.
    rows = inputs.rows.collect(engine=ENGINE)
    lf = rows.lazy()
    per_target = {
        "target": [t.id for t in chosen], "metric": [t.metric_id for t in chosen],
        "area": [t.area for t in chosen], "weight": [float(t.weight) for t in chosen],
        "baseline_period": [t.baseline.period if t.baseline else None for t in chosen],
        **inputs.constants,
    }
    row_inputs = lf.select("unit", "period", "level", "_p",
                       *(expr.alias(f"{name}#{k}") for name, exprs in columns.items()
                         for k, expr in enumerate(exprs)))
    return (_Decided(STATUS_PLAN, row_inputs, list(columns), steps, per_target,
                         len(periods), finish=(with_resolved_baselines(periods, chosen),),
                         height=rows.height),
            _field_warnings(ruleset, chosen, row_inputs))


FIELD_WORDS = ("raw", "baseline_value", "field", "base_field", "share", "base_share")


def _field_warnings(ruleset: LoadedRuleset, chosen: list[Target],
                    inputs: pl.LazyFrame) -> list[Problem]:
    """EVL11 for each result whose rank is compared with a base period's rank over a field of
    another size (v3 §7): the status is decided on the ranks as written; the shares say
    more."""
    out = []
    for k, target in enumerate(chosen):
        if _field_of(ruleset, target) is None or target.baseline is None:
            continue
        rows = inputs.select("unit", "period", pl.lit(target.baseline.period).alias("base"),
                             *(pl.col(f"{n}#{k}").alias(n) for n in FIELD_WORDS)) \
            .filter(pl.col("field").is_not_null()).collect(engine=ENGINE)
        fmt = lambda x: f"{x:.1f}"  # noqa: E731  one decimal, as the spec's example
        for r in rows.sort("unit", "period").iter_rows(named=True):
            out.append(Problem("EVL11", _(
                "{target} for {unit} in {period} compares rank {rank} of {field} with rank "
                "{base_rank} of {base_field} in {base}: the fields differ (top {share}% now, "
                "top {base_share}% then); the status is decided on the ranks as written").format(
                    target=target.id, unit=r["unit"], period=r["period"],
                    rank=f"{r['raw']:g}", field=f"{r['field']:g}",
                    base_rank=f"{r['baseline_value']:g}", base_field=f"{r['base_field']:g}",
                    base=r["base"], share=fmt(r["share"]), base_share=fmt(r["base_share"])),
                None, _("compare the shares of the field, or set a target on the share"),
                "warning", about=(("unit", r["unit"]), ("period", r["period"]),
                                  ("target", target.id))))
    return out


def _origin(target, value: pl.Expr, territory: pl.Expr, unrestated: bool = False
            ) -> pl.Expr:
    """Where the result's value comes from: "restated" when its base period was restated on
    today's territory (spec §6) — "not_restated" when a figure it needs cannot be summed
    and is the unit's own (v3) —, else the metric's origin code from `_with_origins`
    (rolled up > derived over time > reported); null without a value."""
    code = pl.col(ORIGIN_PREFIX + target.metric_id).fill_null(0)
    moved = Origin.NOT_RESTATED if unrestated else Origin.RESTATED
    # the per-target columns' enum: the long results gather its codes, never 1.6 M texts
    kind = WIDE_SCHEMA["origin"]
    return (pl.when(value.is_null()).then(None)
            .when(territory.is_not_null()).then(pl.lit(moved.value, dtype=kind))
            .otherwise(pl.lit(pl.Series(ORIGINS, dtype=kind)).gather(code)))


@dataclass(frozen=True)
class TargetInputs:
    """What `_per_target` gives the status plan: the (unit, period) rows with each baseline
    joined, per input name one expression on them per chosen target (`columns`), and per
    constant name one value per chosen target (`constants`)."""

    rows: pl.LazyFrame
    columns: dict[str, list[pl.Expr]]
    constants: dict[str, list[float | bool]]


def _per_target(ruleset: LoadedRuleset, chosen: list[Target], wide: pl.DataFrame,
                lf: pl.LazyFrame, bases: dict[str, pl.DataFrame]) -> TargetInputs:
    """Per target, the expressions on the wide frame that the results need (the compared
    value and the value before `change`, the baseline, where the trajectory starts, the
    ratio's parts, applicability), and
    the ratio's constant factor and whether its numerator counts things."""
    metrics = ruleset.model.metrics
    columns: dict[str, list[pl.Expr]] = {name: [] for name in (
        "actual", "raw", "baseline_value", "_start", "_num", "_den", "_applicable",
        "_declared", "origin", "territory", "territory_changed", "covers", "field",
        "base_field", "share", "base_share")}
    flags = {c for c in wide.columns if c.startswith(FLAG_PREFIX)}
    constants: dict[str, list[float | bool]] = {"_k": [], "_integral": []}
    for period in sorted({t.baseline.period for t in chosen
                          if t.baseline is not None and t.baseline.value is None}):
        # A baseline without a value is the unit's own figure for that period, after roll-up.
        lf = join_base(lf, wide, period, [
            e for i, t in enumerate(chosen)
            if t.baseline is not None and t.baseline.value is None
            and t.baseline.period == period for e in _base_columns(ruleset, t, i, "_base")])
        if period in bases:   # spec §6: the base period on the result period's territory
            lf = lf.join(bases[period].lazy().select(
                *_KEYS, pl.col("territory").alias(f"_terr:{period}"),
                pl.col("territory_changed").alias(f"_changed:{period}"),
                *(e for i, t in enumerate(chosen)
                  if t.baseline is not None and t.baseline.value is None
                  and t.baseline.period == period
                  for e in _base_columns(ruleset, t, i, "_rbase"))), on=list(_KEYS), how="left",
                maintain_order="left")
    no_text = pl.lit(None, dtype=pl.String)
    covers = "_covers" in lf.collect_schema().names()
    for i, target in enumerate(chosen):
        value, baseline = metric(target.metric_id), target.baseline
        territory = changed = no_text
        if baseline is None:
            base = _NULL
        elif baseline.value is not None:
            base = pl.lit(float(baseline.value))
        elif baseline.period in bases:
            territory = pl.col(f"_terr:{baseline.period}")
            changed = pl.col(f"_changed:{baseline.period}")
            base = pl.when(territory.is_not_null()).then(pl.col(f"_rbase{i}")) \
                .otherwise(pl.col(f"_base{i}"))
            if not target.change:   # a split without a restated figure: no data (spec §6)
                value = pl.when(changed.is_not_null() & base.is_null()).then(None) \
                    .otherwise(value)
        else:
            base = pl.col(f"_base{i}")
        actual: pl.Expr
        if target.change == "percent":
            actual = (pl.when(base != 0).then((value - base) / base * 100)
                      .when(base == 0).then(value * math.nan))
        elif target.change == "absolute":
            actual = value - base
        else:
            actual = value
        parts = ratio_parts(ruleset.formulas[target.metric]) \
            if target.change is None and target.metric in ruleset.formulas else None
        k: Fraction | float   # the ratio's constant factor; NaN without a ratio
        if parts is not None:
            numerator, denominator, k = parts
            num, den = to_polars(numerator, metric), to_polars(denominator, metric)
            integral = all(metrics[n].unit in WHOLE_UNITS for n in names(numerator))
        else:
            num = den = _NULL
            integral, k = False, math.nan
        applicable = pl.lit(True) if target.levels is None else \
            pl.col("level").is_null() | pl.col("level").is_in(list(target.levels))
        for name, expr in (("actual", actual), ("raw", value), ("baseline_value", base),
                           ("_start", pl.lit(0.0) if target.change else base),
                           ("_num", num), ("_den", den), ("_applicable", applicable)):
            columns[name].append(expr.cast(pl.Boolean if name == "_applicable"
                                           else pl.Float64))
        # spec §7 v3: the unit declared the metric (or an input of its formula) n/a
        flag = FLAG_PREFIX + target.metric_id
        columns["_declared"].append(pl.col(flag) if flag in flags else pl.lit(False))
        columns["origin"].append(_origin(target, actual,
                                         pl.when(changed.is_null()).then(territory),
                                         bool(_unrestated_inputs(ruleset, target))))
        for name, expr in zip(("field", "base_field", "share", "base_share"),
                              _fields_compared(ruleset, target, i, value, base,
                                               territory if baseline is not None
                                               and baseline.period in bases else None,
                                               actual), strict=True):
            columns[name].append(expr)
        columns["covers"].append(pl.when(actual.is_not_null()).then(pl.col("_covers"))
                                 if covers else no_text)
        columns["territory"].append(territory)
        columns["territory_changed"].append(changed)
        constants["_k"].append(float(k))
        constants["_integral"].append(integral)
    return TargetInputs(lf, columns, constants)


def _base_columns(ruleset, target, i: int, prefix: str) -> list[pl.Expr]:
    """The base period's columns target i reads: its metric (`{prefix}{i}`) and, comparing
    ranks, the rank's field (`{prefix}field{i}`, v3 §7)."""
    field_id = _field_of(ruleset, target)
    return [metric(target.metric).alias(f"{prefix}{i}"),
            *([metric(field_id).alias(f"{prefix}field{i}")] if field_id else [])]


def _fields_compared(ruleset, target, i: int, value: pl.Expr, base: pl.Expr,
                     territory: pl.Expr | None, actual: pl.Expr) -> tuple[pl.Expr, ...]:
    """(v3 §7) For a target comparing ranks of two periods: the field of the result's period
    and of the base period, and the rank's share of each (rank / field × 100), where the two
    fields differ (20 of 63 → 15 of 34); null otherwise. The status is still decided on the
    ranks as written."""
    field_id = _field_of(ruleset, target)
    if field_id is None or target.baseline.value is not None:
        return (_NULL,) * 4
    now = metric(field_id)
    then = pl.col(f"_basefield{i}")
    if territory is not None:   # the base period restated (spec §6): U's own field
        then = pl.when(territory.is_not_null()).then(pl.col(f"_rbasefield{i}")).otherwise(then)
    differ = actual.is_not_null() & now.is_not_null() & then.is_not_null() & (now != then) \
        & base.is_not_null()
    return tuple(pl.when(differ).then(e).cast(pl.Float64)
                 for e in (now, then, value / now * 100, base / then * 100))


def _checks(ruleset: LoadedRuleset, scope: pl.DataFrame) -> pl.DataFrame:
    """Each `assert` per unit and period: pass, fail (a side gives no number too) or no_data."""
    if not ruleset.asserts or not scope.height:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    frames = []
    tolerance = {c.id: c.tolerance or 0.0 for c in ruleset.model.checks}
    count = len(ruleset.asserts)
    for n, (cid, node) in enumerate(ruleset.asserts.items()):
        left, right = to_polars(node.left, metric), to_polars(node.right, metric)
        holds = approx_cmp(node.op, pl.col("left"), pl.col("right"), tolerance.get(cid, 0.0))
        # Only the columns this check reads: a plan over the whole wide frame per check made
        # planning grow with checks × metrics (1,586 × 1,583 took 1.3 GB, issue 25's fuzz).
        used = sorted(PREFIX + m for m in names(node.left) | names(node.right)
                      if PREFIX + m in scope.columns)
        frames.append(scope.select("row", "unit", "period", *used).lazy().select(
            "row", (pl.col("row").cast(pl.UInt64) * count + n).alias("_n"),
            pl.lit(cid).alias("check"), "unit", "period",
            left.alias("left"), right.alias("right"))
            .with_columns(
                pl.when(pl.col("left").is_null() | pl.col("right").is_null())
                .then(pl.lit("no_data"))
                .when(pl.col("left").is_nan() | pl.col("right").is_nan()).then(pl.lit("fail"))
                .when(holds).then(pl.lit("pass"))
                .otherwise(pl.lit("fail")).alias("status")))
    # an implied check (a rank within its field, rank_metrics.py) that cannot run for lack of
    # a figure is no check at all: it is not counted as missing data
    implied = list(field_checks(ruleset.model.metrics))
    return (pl.concat(frames).sort("_n")   # by row, then check
            .filter(~(pl.col("check").is_in(implied) & (pl.col("status") == "no_data")))
            .select(list(CHECK_SCHEMA)).cast(CHECK_SCHEMA).collect(engine=ENGINE))

