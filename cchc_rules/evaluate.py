"""Evaluate stage: compiled ruleset × reported figures → one status per target × unit × period.

Columnar (spec §2–3): roll-up, one wide frame per (unit, period), derived metrics as polars
expressions, then every target over every unit and period at once; no Python loop per row.
"""
from __future__ import annotations

import math
import sys
import types
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from .errors import CchcError, Problem, did_you_mean
from .expr import approx_cmp, names, ratio_parts, to_polars
from .periods import parse_period
from .result import CHECK_SCHEMA, RESULT_SCHEMA, VALUE_SCHEMA, Evaluation
from .rollup import roll_up
from .trajectory import plan

SUMMABLE_UNITS = ("count", "vnd")
UNMET = ("not_met", "off_track", "pending")
_NULL = pl.lit(None, dtype=pl.Float64)
_KEYS = ("unit", "period")


def evaluate(ruleset, figures, *, periods: Iterable[str] | None = None,
             units: Iterable[str] | None = None,
             targets: Iterable[str] | None = None) -> Evaluation:
    """Evaluate `figures` (data.Figures) against `ruleset` (ruleset.LoadedRuleset).

    `periods`, `units` and `targets` keep only those results (roll-up and baselines still see
    every figure); an unknown name raises CchcError with a "did you mean".
    """
    model = ruleset.model
    rolled = _rolled(ruleset, figures)
    periods, units, chosen = _filters(model, rolled, figures, periods, units, targets)
    wide = _wide(ruleset, rolled, figures)
    keep = _keep(periods, units)
    scope = wide.filter(keep) if keep is not None else wide
    values = _values(ruleset, rolled, scope)
    results = _results(ruleset, chosen, wide, scope)
    checks = _checks(ruleset, scope)
    return Evaluation(ruleset, figures, values, results, checks, list(figures.warnings))


def evaluate_files(ruleset_path: str | Path, data_paths: Sequence[str | Path],
                   units_file: str | Path | None = None, decimal_comma: bool = False,
                   **filters) -> Evaluation:
    """Load a ruleset and data files, then `evaluate` (filters: periods, units, targets)."""
    from .data import read_data
    from .ruleset import load_ruleset
    ruleset = load_ruleset(Path(ruleset_path))
    known = {mid: m.unit for mid, m in ruleset.model.metrics.items()}
    figures = read_data([Path(p) for p in data_paths], units_file=units_file,
                        decimal_comma=decimal_comma, known_metrics=known)
    return evaluate(ruleset, figures, **filters)


def _rolled(ruleset, figures) -> pl.DataFrame:
    """Reported figures of the ruleset's metrics plus parents' sums (spec §2)."""
    metrics = ruleset.model.metrics
    summable = {mid for mid, m in metrics.items()
                if m.formula is None and m.unit in SUMMABLE_UNITS}
    known = figures.values.filter(pl.col("metric").is_in(list(metrics)))
    return roll_up(known, figures.units, summable)


def _filters(model, rolled: pl.DataFrame, figures, periods, units, targets):
    """Check the filter names against what exists; all unknown names are reported at once."""
    problems: list[Problem] = []

    def known(kind: str, code: str, asked, choices) -> list[str] | None:
        if asked is None:
            return None
        asked = list(dict.fromkeys(asked))
        for name in asked:
            if name not in choices:
                problems.append(Problem(code, f"unknown {kind} '{name}'", None,
                                        did_you_mean(name, choices)
                                        or f"known: {', '.join(sorted(choices)[:10])}"))
        return asked

    data_periods = set(rolled["period"].unique().to_list())
    data_units = set(figures.units) | set(rolled["unit"].unique().to_list())
    target_ids = [t.id for t in model.targets]
    periods = known("period", "EVL01", periods, data_periods)
    units = known("unit", "EVL02", units, data_units)
    wanted = known("target", "EVL03", targets, target_ids)
    if problems:
        raise CchcError(problems)
    chosen = [t for t in model.targets if wanted is None or t.id in wanted]
    return periods, units, chosen


def _keep(periods, units) -> pl.Expr | None:
    keep = None
    for column, names_ in (("period", periods), ("unit", units)):
        if names_ is not None:
            cond = pl.col(column).is_in(names_)
            keep = cond if keep is None else keep & cond
    return keep


def _wide(ruleset, rolled: pl.DataFrame, figures) -> pl.DataFrame:
    """One row per (unit, period) with data: level, period end, every metric as a column.

    A formula metric is computed from the rolled-up raw figures; a unit's own reported figure
    for it wins, as it does for raw figures.
    """
    metrics = list(ruleset.model.metrics)
    if rolled.height:
        wide = rolled.pivot(on="metric", index=list(_KEYS), values="value")
    else:
        wide = pl.DataFrame(schema={"unit": pl.String, "period": pl.String})
    lf = wide.lazy().with_columns(_NULL.alias(m) for m in metrics if m not in wide.columns)
    for mid in ruleset.order:
        lf = lf.with_columns(pl.coalesce(pl.col(mid), to_polars(ruleset.formulas[mid], pl.col))
                             .alias(mid))
    ends = {p: parse_period(p).end for p in wide["period"].unique().to_list()}
    levels = pl.DataFrame({"unit": list(figures.units),
                           "level": [u.level for u in figures.units.values()]},
                          schema={"unit": pl.String, "level": pl.String})
    return (lf.join(levels.lazy(), on="unit", how="left")
            .with_columns(pl.col("period").replace_strict(ends, return_dtype=pl.Date)
                          .alias("period_end"))
            .sort("unit", "period_end", "period")
            .with_row_index("row")
            .collect())


def _values(ruleset, rolled: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    """Every figure after roll-up and derivation, long, with where it came from."""
    own = rolled.join(scope.select(*_KEYS), on=list(_KEYS), how="semi")
    derived = list(ruleset.order)
    if derived and scope.height:
        computed = (scope.unpivot(on=derived, index=list(_KEYS), variable_name="metric",
                                  value_name="value")
                    .drop_nulls("value")
                    .join(own, on=[*_KEYS, "metric"], how="anti")
                    .with_columns(pl.lit("derived").alias("origin")))
        own = pl.concat([own.select(list(VALUE_SCHEMA)), computed.select(list(VALUE_SCHEMA))])
    return own.select(list(VALUE_SCHEMA)).sort("unit", "period", "metric").cast(VALUE_SCHEMA)


def _results(ruleset, chosen, wide: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    if not chosen or not scope.height:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    steps = plan(chosen, scope["period"].unique().to_list()).lazy()
    frames = [_target_frame(ruleset, order, t, wide, scope, steps)
              for order, t in enumerate(chosen)]
    rows = pl.concat(frames, how="vertical")
    return (_statuses(rows)
            .sort("row", "order")
            .select(list(RESULT_SCHEMA))
            .collect())


def _target_frame(ruleset, order: int, target, wide: pl.DataFrame, scope: pl.DataFrame,
                  steps: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of one target: its metric's value, baseline, ratio parts and milestone."""
    metrics = ruleset.model.metrics
    value = pl.col(target.metric)
    baseline = target.baseline
    lf = scope.lazy()
    if baseline is None:
        base = _NULL
    elif baseline.value is not None:
        base = pl.lit(float(baseline.value))
    else:
        # The baseline is the unit's own value for the baseline period, after roll-up.
        own = (wide.lazy().filter(pl.col("period") == baseline.period)
               .select("unit", value.alias("_base")))
        lf = lf.join(own, on="unit", how="left")
        base = pl.col("_base")
    if target.change == "percent":
        actual = (pl.when(base != 0).then((value - base) / base * 100)
                  .when(base == 0).then(value * math.nan))
    elif target.change == "absolute":
        actual = value - base
    else:
        actual = value
    start = pl.lit(0.0) if target.change else base  # a change trajectory starts at 0
    parts = ratio_parts(ruleset.formulas[target.metric]) \
        if target.change is None and target.metric in ruleset.formulas else None
    if parts is not None:
        numerator, denominator, k = parts
        num, den = to_polars(numerator, pl.col), to_polars(denominator, pl.col)
        integral = all(metrics[n].unit == "count" for n in names(numerator))
        k = float(k)
    else:
        num = den = _NULL
        integral, k = False, math.nan
    applicable = pl.lit(True) if target.levels is None else \
        pl.col("level").is_null() | pl.col("level").is_in(list(target.levels))
    return (lf.select(
                "row", "unit", "period", "level",
                pl.lit(order).alias("order"),
                pl.lit(target.id).alias("target"),
                pl.lit(target.metric).alias("metric"),
                pl.lit(target.area).alias("area"),
                pl.lit(float(target.weight)).alias("weight"),
                pl.lit(baseline.period if baseline else None, pl.String).alias("baseline_period"),
                base.alias("baseline_value"),
                start.alias("_start"),
                actual.alias("actual"),
                applicable.alias("_applicable"),
                num.alias("_num"), den.alias("_den"),
                pl.lit(k).alias("_k"), pl.lit(integral).alias("_integral"))
            .join(steps.filter(pl.col("target") == target.id).drop("target"),
                  on="period", how="left")
            .with_columns(
                pl.when(pl.col("from_baseline")).then(pl.col("_start"))
                .otherwise(pl.col("anchor")).alias("_anchor")))


def _holds(actual: pl.Expr) -> pl.Expr:
    """Whether the milestone's condition holds, within the relative tolerance."""
    op, low, high = pl.col("op"), pl.col("threshold"), pl.col("threshold_high")
    return (pl.when(op == ">=").then(approx_cmp(">=", actual, low))
            .when(op == ">").then(approx_cmp(">", actual, low))
            .when(op == "<=").then(approx_cmp("<=", actual, low))
            .when(op == "<").then(approx_cmp("<", actual, low))
            .when(op == "==").then(approx_cmp("==", actual, low))
            .otherwise(approx_cmp(">=", actual, low) & approx_cmp("<=", actual, high)))


def _statuses(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Status, expected, gap and needed (spec §3–4, issue §6) for every row at once."""
    actual, op = pl.col("actual"), pl.col("op")
    rising = op.is_in([">=", ">"])
    anchor = pl.col("_anchor")
    expected = anchor + (pl.col("threshold") - anchor) * pl.col("fraction")
    rows = rows.with_columns(
        pl.when(expected.is_nan()).then(None).otherwise(expected).alias("expected"),
        _holds(actual).alias("_holds"))
    expected = pl.col("expected")
    on_track = pl.when(rising).then(approx_cmp(">=", actual, expected)) \
        .otherwise(approx_cmp("<=", actual, expected))
    status = (pl.when(~pl.col("_applicable")).then(pl.lit("not_applicable"))
              .when(actual.is_null()).then(pl.lit("no_data"))
              .when(actual.is_nan()).then(pl.lit("invalid"))
              .when(pl.col("_holds")).then(pl.lit("met"))
              .when(pl.col("reached")).then(pl.lit("not_met"))
              .when(expected.is_null()).then(pl.lit("pending"))
              .when(on_track).then(pl.lit("on_track"))
              .otherwise(pl.lit("off_track")))
    rows = rows.with_columns(status.alias("status"))
    shown = pl.col("status").is_in(["not_applicable", "no_data", "invalid"]).not_()
    return rows.with_columns(
        pl.when(shown).then(actual).alias("actual"),
        pl.when(pl.col("status") != "not_applicable").then(expected).alias("expected"),
        pl.when(shown).then(_gap(actual)).alias("gap"),
        pl.when(pl.col("status").is_in(list(UNMET))).then(_needed(actual)).alias("needed"))


def _gap(actual: pl.Expr) -> pl.Expr:
    """actual − threshold; for `between` the signed distance to the nearer end, 0 inside."""
    low, high = pl.col("threshold"), pl.col("threshold_high")
    return (pl.when(pl.col("op") != "between").then(actual - low)
            .when(pl.col("_holds")).then(0.0)
            .when(actual < low).then(actual - low)
            .otherwise(actual - high))


def _needed(actual: pl.Expr) -> pl.Expr:
    """How much the numerator of a ratio metric must change, the denominator held, for the
    milestone to hold: positive = more needed, negative = that much less (for `<=`/`<`).
    Whole numbers when the numerator counts dossiers; null when the metric is not a ratio."""
    op, low, high = pl.col("op"), pl.col("threshold"), pl.col("threshold_high")
    num, den, k = pl.col("_num"), pl.col("_den"), pl.col("_k")
    below = op.is_in([">=", ">"]) | ((op == "between") & (actual < low))
    goal = pl.when((op == "between") & ~below).then(high).otherwise(low) * den / k
    slack = 1e-9 * pl.max_horizontal(pl.lit(1.0), goal.abs())  # float noise, not a miss
    whole = (pl.when(op == ">").then((goal + slack).floor() + 1)
             .when(below).then((goal - slack).ceil())
             .when(op == "<").then((goal - slack).ceil() - 1)
             .when(op == "==").then(goal.round(0))
             .otherwise((goal + slack).floor()))
    usable = num.is_not_null() & ~num.is_nan() & (den > 0) & (k > 0)
    return pl.when(usable).then(pl.when(pl.col("_integral")).then(whole).otherwise(goal) - num)


def _checks(ruleset, scope: pl.DataFrame) -> pl.DataFrame:
    """Each `assert` per unit and period: pass, fail (a side gives no number too) or no_data."""
    if not ruleset.asserts or not scope.height:
        return pl.DataFrame(schema=CHECK_SCHEMA)
    frames = []
    for cid, node in ruleset.asserts.items():
        left, right = to_polars(node.left, pl.col), to_polars(node.right, pl.col)
        holds = approx_cmp(node.op, pl.col("left"), pl.col("right"))
        frames.append(scope.lazy().select(
            "row", pl.lit(cid).alias("check"), "unit", "period",
            left.alias("left"), right.alias("right"))
            .with_columns(
                pl.when(pl.col("left").is_null() | pl.col("right").is_null())
                .then(pl.lit("no_data"))
                .when(pl.col("left").is_nan() | pl.col("right").is_nan()).then(pl.lit("fail"))
                .when(holds).then(pl.lit("pass"))
                .otherwise(pl.lit("fail")).alias("status")))
    return (pl.concat(frames).with_row_index("_n").sort("row", "_n")
            .select(list(CHECK_SCHEMA)).collect())


class _CallableModule(types.ModuleType):
    """`cchc_rules.evaluate` is both this module and the public function: importing the
    module replaces the package's lazy attribute, so the module itself must be callable."""

    def __call__(self, *args, **kwargs) -> Evaluation:
        return evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
