"""`cchc figures RULESET --records NAME=LOCATION… [--data FILE…]`: every figure the
evaluation used — unit, period, metric, value, origin (reported, counted, derived, rolled
up, restated), whether its period is in progress, and where it came from (the file and
line of a reported figure, the records of a counted one) — as a table, CSV, JSON or
Parquet. Written atomically with --output."""
from __future__ import annotations

import json
import sys

import click

from ..messages import _
from . import OUTPUT
from .evaluate import data_options, echo_warning, incremental_options, require_figures

COLUMNS = ["unit", "period", "metric", "value", "origin", "in_progress", "source"]


def figures_frame(evaluation):
    """The figures of `evaluation` in COLUMNS: a figure counted from records has origin
    `counted` and its records as source; a reported one its file:line."""
    import polars as pl
    given = evaluation.figures.values.select(
        "unit", "period", "metric",
        pl.when(pl.col("source").str.starts_with("records:"))
        .then(pl.lit("counted")).otherwise(pl.lit("reported")).alias("given"),
        pl.when(pl.col("source").str.starts_with("records:"))
        .then(pl.col("file") + pl.lit(" (") + pl.col("source") + pl.lit(")"))
        .otherwise(pl.col("file") + pl.lit(":") + pl.col("line").cast(pl.String))
        .alias("source"))
    running = evaluation.in_progress
    frame = (evaluation.values
             .join(given, on=["unit", "period", "metric"], how="left")
             .with_columns(pl.when(pl.col("origin") == "reported")
                           .then(pl.col("given").fill_null("reported"))
                           .otherwise(pl.col("origin")).alias("origin"),
                           pl.col("period").is_in(running).alias("in_progress")))
    return frame.select(COLUMNS).sort("unit", "period", "metric")


@click.command()
@data_options(records=True)
@click.option("--period", "periods", multiple=True, metavar="P", help="Only this period.")
@click.option("--unit", "units", multiple=True, metavar="ID", help="Only this unit.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json", "parquet"]))
@click.option("--output", type=OUTPUT, metavar="FILE",
              help="Write here (atomically) instead of stdout.")
@incremental_options
@click.pass_context
def command(ctx: click.Context, ruleset, data, units_file, decimal_comma, lang, records,
            as_of, periods, units, fmt, output, since, cache) -> None:
    """Write every figure the evaluation of RULESET used, with its origin and source."""
    import io

    from ..output import write_atomic
    from ..pipeline import Session
    require_figures(ctx, data, records)
    evaluation = Session().evaluate(ruleset, data, units_file, decimal_comma,
                                    warn=echo_warning, records=records, as_of=as_of,
                                    since=since, cache=cache, periods=periods or None,
                                    units=units or None)
    frame = figures_frame(evaluation)
    buffer = io.BytesIO()
    if fmt == "parquet":
        if output is None or str(output) == "-":
            raise click.UsageError(_("--format parquet needs --output FILE"))
        frame.write_parquet(buffer)
    elif fmt == "csv":
        frame.write_csv(buffer)
    elif fmt == "json":
        buffer.write(json.dumps({"figures": frame.to_dicts()}, ensure_ascii=False,
                                indent=1).encode("utf-8") + b"\n")
    else:
        buffer.write(_table(frame).encode("utf-8"))
    if output is not None and str(output) != "-":
        write_atomic(output, buffer.getvalue())
    else:
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()


def _table(frame) -> str:
    """Aligned columns, one figure a line; a value as it is, without rounding."""
    rows = [COLUMNS] + [[_cell(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                   + "\n" for r in rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)
