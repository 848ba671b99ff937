"""Render stage: the report's missing-data section — results without data grouped by the
metric the targets compare and the period, with the units and the figures to report.

Grouped so that one line says "this figure is missing in 2024 for these units", never one
line per result; labels and names are shown, ids only where a reader needs to find a target.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ...evaluation.view import not_reported
from .context import MissingRow, NotReportedGroup

MISSING_UNITS = 30   # unit names listed in one row
NOT_REPORTED_UNITS = 50   # units listed per period and level in the summary edition


def missing_rows(b: Any) -> tuple[list[MissingRow], int, int]:
    """(rows shown, metric × period groups in all, results without data in all) for the
    report builder `b` (report_data.ReportBuilder)."""
    nodata = b.res.filter(pl.col("status") == "no_data")
    groups = nodata.group_by("metric", "period", "_pi").agg(
        pl.col("target").unique(maintain_order=True),
        pl.col("unit").unique().sort().alias("units"))
    metrics = b.model.metrics
    order = {m: i for i, m in enumerate(metrics)}
    shown = b._bounded(groups.with_columns(pl.col("metric").replace_strict(
        order, default=len(order), return_dtype=pl.Int32).alias("_mi"))
        .sort(["_pi", "_mi", "metric"]))
    keys = (shown.select("period", "units").explode("units").rename({"units": "unit"})
            .unique())
    present: dict[tuple[str, str], set[str]] = {}
    for unit, period, metric in b.ev.values.join(keys, on=["unit", "period"], how="semi") \
            .select("unit", "period", "metric").iter_rows():
        present.setdefault((unit, period), set()).add(metric)
    # sources only of the units a row names (a national row may lack thousands)
    srcs = b.sources(shown.select("period", pl.col("units").list.head(MISSING_UNITS))
                     .explode("units").rename({"units": "unit"}).unique()
                     .select("unit", "period"))
    raw = b.ev.ruleset.raw_inputs

    def label(metric: str) -> str:
        return metrics[metric].label if metric in metrics and metrics[metric].label \
            else metric

    rows = []
    for r in shown.iter_rows(named=True):
        needed = raw.get(r["metric"], {r["metric"]})
        lacking = set().union(*(needed - present.get((u, r["period"]), set())
                                for u in r["units"]))
        units = sorted(r["units"], key=lambda u: (b.name(u).casefold(), u))[:MISSING_UNITS]
        rows.append(MissingRow(
            metric=r["metric"], label=label(r["metric"]), period=r["period"], units=units,
            unit_names=[b.name(u) for u in units], units_total=len(r["units"]),
            targets=r["target"],
            missing=sorted((label(m) for m in lacking), key=str.casefold),
            sources=sorted({s for u in units for s in srcs.get((u, r["period"]), [])})))
    return rows, groups.height, nodata.height


def not_reported_groups(ev: Any, b: Any) -> list[NotReportedGroup]:
    """The units that sent nothing (evaluation/view.py `not_reported`), per period (newest
    first) and level, for the data-quality section; names bounded in summary."""
    frame = not_reported(ev, b.periods)
    out = []
    for (period, level), part in frame.group_by("period", "level", maintain_order=True):
        ids = part["unit"].to_list()
        shown = ids[:NOT_REPORTED_UNITS] if b.detail == "summary" else ids
        out.append(NotReportedGroup(period=period, level=b.level_label(level), units=shown,
                                    names=[b.name(u) for u in shown], total=len(ids)))
    return out[::-1]
