"""Evaluate stage, survey part (spec §7 v3): the sampling margin of a result on a survey figure.

A percent metric measured on a sample names its size (`sample: respondents`). Each result on
it carries `margin`, the 95% margin of error in percentage points, 1.96 × √(p(1−p)/n) × 100
with p = the metric's value / 100 and n the sample, and `within_margin`: |gap| ≤ margin. The
status is still decided on the value as reported; the margin only says how far to trust it.
"""
from __future__ import annotations

import polars as pl

Z95 = 1.96


def samples(model) -> dict[str, str]:
    """metric id -> the metric holding its sample size, for every survey metric."""
    return {mid: m.sample for mid, m in model.metrics.items()
            if getattr(m, "sample", None) is not None}


def margin_expr(value: pl.Expr, size: pl.Expr) -> pl.Expr:
    """The 95% margin in percentage points of a percent `value` measured on `size` answers;
    null without a usable sample (none, or not above 0) or a value outside 0–100."""
    p = value / 100.0
    usable = (size > 0) & (p >= 0) & (p <= 1)
    return pl.when(usable).then(Z95 * (p * (1 - p) / size).sqrt() * 100.0)


def with_margins(evaluation, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (result rows: target, unit, period and, for `within_margin`, gap) with
    `margin` and `within_margin` when the ruleset has a survey metric; `frame` itself
    otherwise."""
    model = evaluation.ruleset.model
    found = samples(model)
    if not found:
        return frame
    on = {t.id: t.metric for t in model.targets if t.metric in found}
    wanted = sorted({*found, *found.values()})
    values = evaluation.values.filter(pl.col("metric").is_in(wanted)).select(
        "unit", "period", "metric", "value").unique(["unit", "period", "metric"], keep="first")
    gap = pl.col("gap") if "gap" in frame.columns else pl.lit(None, pl.Float64).alias("gap")
    keys = frame.select(pl.col("target").cast(pl.String), pl.col("unit").cast(pl.String),
                        pl.col("period").cast(pl.String), gap).with_columns(
        pl.col("target").replace_strict(on, default=None, return_dtype=pl.String)
        .alias("_metric"))
    keys = keys.with_columns(pl.col("_metric").replace_strict(
        found, default=None, return_dtype=pl.String).alias("_sample"))
    keys = keys.join(values.rename({"metric": "_metric", "value": "_p"}),
                     on=["unit", "period", "_metric"], how="left", maintain_order="left")
    keys = keys.join(values.rename({"metric": "_sample", "value": "_n"}),
                     on=["unit", "period", "_sample"], how="left", maintain_order="left")
    margin = margin_expr(pl.col("_p"), pl.col("_n"))
    added = keys.select(margin.alias("margin"),
                        pl.when(margin.is_not_null() & pl.col("gap").is_not_null())
                        .then(pl.col("gap").abs() <= margin + 1e-9).alias("within_margin"))
    return frame.hstack(added)
