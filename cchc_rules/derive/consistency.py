"""Evaluate stage: a reported formula metric against what its own reported inputs give.

Spec §2: when a unit reports a formula metric itself, its figure wins over the computed one.
When every input of the formula is reported too (same unit, same period) and the two differ by
more than rounding, one of them is wrong: `legal_on_time_rate: 100` beside 35 of 37 documents
(94.595) would be `met` with nobody the wiser. Each such figure gets one DAT22 warning naming
both values and where they are written; the figure used does not change.

Rounding: half a unit in the reported figure's last shown digit (94.6 for 94.595 is fine,
95 is not; 100 for 94.595 is not).
"""
from __future__ import annotations

import polars as pl

from ..errors import Position, Problem
from ..expr import display_number, name_nodes, to_polars, to_text
from ..figures.readers.batch import shown
from ..messages import _

MAX_LISTED_INPUTS = 4  # inputs named in one warning; a long formula's list is cut


def reported_vs_computed(ruleset, values: pl.DataFrame) -> list[Problem]:
    """DAT22 warnings for `values` (data.Figures.values: the reported figures with their file
    and line) under `ruleset` (ruleset.LoadedRuleset), in the order the figures were read."""
    formulas = ruleset.formulas
    reported = values.filter(pl.col("metric").is_in(list(formulas)))
    if not reported.height:
        return []
    needed = set().union(*(ruleset.raw_inputs.get(m, ()) for m in reported["metric"].unique()))
    raw = (values.filter(pl.col("metric").is_in(sorted(needed)))
           .join(reported.select("unit", "period").unique(), on=["unit", "period"], how="semi"))
    if not raw.height:
        return []
    wide = raw.pivot(on="metric", index=["unit", "period"], values="value")
    places = raw.with_columns(place=pl.concat_str(
        pl.col("file"), pl.lit(":"), pl.col("line").cast(pl.String))).pivot(
        on="metric", index=["unit", "period"], values="place")
    problems: list[Problem] = []
    for mid in reported["metric"].unique(maintain_order=True):
        inputs = _inputs(ruleset, mid)
        if not inputs or any(name not in wide.columns for name in inputs):
            continue
        rows = (reported.filter(pl.col("metric") == mid).with_row_index("_order")
                .join(wide.select("unit", "period", *inputs), on=["unit", "period"])
                .drop_nulls(inputs)
                .with_columns(_computed=to_polars(ruleset.formulas[mid], _column(ruleset)))
                .filter(pl.col("_computed").is_finite())
                .with_columns(_tolerance=_half_last_digit(pl.col("value")))
                .filter((pl.col("value") - pl.col("_computed")).abs()
                        > pl.col("_tolerance") * (1 + 1e-9) + 1e-9 * pl.col("_computed").abs())
                .join(places.select("unit", "period", *[pl.col(n).alias("@" + n)
                                                         for n in inputs]),
                      on=["unit", "period"])
                .sort("_order"))
        for row in rows.iter_rows(named=True):
            problems.append(_warning(ruleset, mid, inputs, row))
    return problems


def _column(ruleset):
    """The `column` callback of to_polars: raw metrics are columns, a derived metric inside a
    formula is its own formula again (computed from the reported raw inputs only)."""
    def column(name: str) -> pl.Expr:
        node = ruleset.formulas.get(name)
        return pl.col(name) if node is None else to_polars(node, column)
    return column


def _inputs(ruleset, mid: str) -> list[str]:
    """The raw metrics `mid` is computed from, in the order its formula names them."""
    found: dict[str, None] = {}
    for node in name_nodes(ruleset.formulas[mid]):
        if node.id in ruleset.formulas:
            found.update(dict.fromkeys(_inputs(ruleset, node.id)))
        else:
            found[node.id] = None
    return list(found)


def _half_last_digit(value: pl.Expr) -> pl.Expr:
    """Half a unit in the last digit the figure shows: 94.6 -> 0.05, 100 -> 0.5."""
    decimals = value.cast(pl.String).str.extract(r"\.(\d+)$").fill_null("0")
    places = pl.when(decimals == "0").then(0).otherwise(decimals.str.len_chars())
    return 0.5 * pl.lit(10.0).pow(-places.cast(pl.Float64))


def _warning(ruleset, mid: str, inputs: list[str], row: dict) -> Problem:
    listed = [f"{name} {shown(row[name])} ({row['@' + name]})"
              for name in inputs[:MAX_LISTED_INPUTS]]
    if len(inputs) > MAX_LISTED_INPUTS:
        listed.append(_("… {n} more").format(n=len(inputs) - MAX_LISTED_INPUTS))
    shown_decimals = len(repr(row["value"]).partition(".")[2])
    computed = display_number(row["_computed"], max(3, shown_decimals + 2))
    message = _("'{mid}' for {unit} in {period} is reported as {value}, but {formula} gives "
                "{computed} from the reported {inputs}; the reported figure is used").format(
                mid=mid, unit=row["unit"], period=row["period"], value=shown(row["value"]),
                formula=to_text(ruleset.formulas[mid]), computed=computed, inputs=", ".join(listed))
    return Problem("DAT22", message, Position(row["file"], row["line"]),
                   _("check both: the reported figure is used; remove it to use the computed "
                     "one"), "warning")
