"""Render stage: the human table (`--format table`, the default), grouped by unit.

Titles, labels and unit names are shown as written in the ruleset and data; only the fixed
words (headings, statuses) follow `--lang`. Colour only when the caller says it is a terminal.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
import polars as pl

from ..checktext import check_texts
from ..domain import COLOURS, DEFAULT_FAIL_ON, STATUSES, UNRATED
from ..errors import escape_controls
from ..present import Formatter, compared_unit, number, threshold_text
from ..result import Evaluation
from ..selection import empty_reason
from .i18n import words
from .numbers_text import needed_texts, value_texts

COLUMNS = ("period", "target", "actual", "threshold", "expected", "status", "needed")
# Rows that say nothing about progress are summed up in one line per unit: a province plan
# of 60 targets against a district's one-stop report is otherwise mostly "no data".
QUIET = UNRATED
QUIET_LISTED = 12


def _value_units(evaluation: Evaluation) -> dict[str, str | None]:
    """Per target, how its compared quantity is written: a percent change is a percentage."""
    model = evaluation.ruleset.model
    return {t.id: compared_unit(t, model.metrics) for t in model.targets}


CELLS = tuple(f"c_{name}" for name in COLUMNS)


def _cells(evaluation: Evaluation, shown: pl.DataFrame, lang: str, t: dict[str, str],
           fmt: Formatter) -> pl.DataFrame:
    """`shown` (result rows) with the table's text cells (CELLS, and `c_title`), built
    columnar: numbers by numbers_text (Babel's text without a Python call per row), the
    other cells once per distinct value."""
    value_units = _value_units(evaluation)
    titles = {tg.id: tg.title for tg in evaluation.ruleset.model.targets}
    frame = shown.with_row_index("_i").with_columns(
        pl.col("target").replace_strict(value_units, default=None, return_dtype=pl.String)
        .alias("_vu"))
    parts = []
    for (unit,), group in frame.group_by("_vu"):
        group = value_texts(group, "actual", "c_actual", unit, lang)
        parts.append(value_texts(group, "expected", "c_expected", unit, lang))
    frame = needed_texts(pl.concat(parts).sort("_i"), "needed", "c_needed", lang)
    keys = ["target", "op", "threshold", "threshold_high"]
    milestones = frame.select(keys).unique()
    milestones = milestones.with_columns(pl.Series("c_threshold", [
        escape_controls(threshold_text(op, number(low), number(high), value_units[tid], fmt))
        for tid, op, low, high in milestones.iter_rows()], dtype=pl.String))
    frame = frame.join(milestones, on=keys, how="left", nulls_equal=True,
                       maintain_order="left")
    return frame.with_columns(
        _escaped(frame, "period").alias("c_period"),
        _escaped(frame, "target").alias("c_target"),
        pl.col("status").replace_strict({s: t[f"status.{s}"] for s in STATUSES},
                                        return_dtype=pl.String).alias("c_status"),
        pl.col("target").replace_strict({k: escape_controls(v) for k, v in titles.items()},
                                        return_dtype=pl.String).alias("c_title")).drop("_i")


def _escaped(frame: pl.DataFrame, name: str) -> pl.Expr:
    values = frame[name].unique().to_list()
    return pl.col(name).replace_strict({v: escape_controls(v) for v in values},
                                       return_dtype=pl.String)


def _blocks(cells: pl.DataFrame, heading: list[str], color: bool) -> dict[str, str]:
    """Per unit, its heading and rows, each cell padded to its column's widest in the unit
    (the heading's words count too); the status coloured when `color`."""
    heading = [escape_controls(word) for word in heading]
    widths = cells.group_by("unit").agg(
        pl.max_horizontal(pl.col(c).str.len_chars().max(), pl.lit(len(word)))
        .alias(f"w{i}") for i, (c, word) in enumerate(zip(CELLS, heading, strict=False)))
    status = pl.col("status")
    styled = {s: click.style("\x00", fg=COLOURS[s]).split("\x00") for s in STATUSES}

    def line(columns: list[pl.Expr], title: pl.Expr, coloured: bool) -> pl.Expr:
        padded = [c.str.pad_end(pl.col(f"w{i}")) for i, c in enumerate(columns)]
        if coloured:
            padded[5] = pl.concat_str([
                status.replace_strict({s: a for s, (a, _) in styled.items()},
                                      return_dtype=pl.String),
                padded[5],
                status.replace_strict({s: b for s, (_, b) in styled.items()},
                                      return_dtype=pl.String)])
        parts = [pl.lit("  ")]
        for cell in padded:
            parts += [cell, pl.lit("  ")]
        return pl.concat_str([*parts, title]).str.strip_chars_end()

    heads = widths.select("unit", line([pl.lit(w) for w in heading[:len(CELLS)]],
                                       pl.lit(heading[-1]), False).alias("line"),
                          pl.lit(-1, dtype=pl.Int64).alias("_i"))
    rows = cells.with_row_index("_i").join(widths, on="unit", maintain_order="left").select(
        "unit", line([pl.col(c) for c in CELLS], pl.col("c_title"), color).alias("line"),
        pl.col("_i").cast(pl.Int64))
    blocks = (pl.concat([heads, rows]).sort("unit", "_i")
              .group_by("unit", maintain_order=True).agg(pl.col("line").str.join("\n")))
    return dict(blocks.iter_rows())


def _quiet(results: pl.DataFrame, t: dict[str, str]) -> dict[str, list[str]]:
    """Per unit, one line per quiet status (QUIET order) that its results have."""
    counted = (results.filter(pl.col("status").is_in(list(QUIET)))
               .group_by("unit", "status")
               .agg(pl.len().alias("n"), pl.col("target").unique().sort().alias("targets")))
    lines: dict[str, dict[str, str]] = {}
    for unit, status, n, targets in counted.iter_rows():
        listed = ", ".join(targets[:QUIET_LISTED]) + (", …" if len(targets) > QUIET_LISTED
                                                       else "")
        lines.setdefault(unit, {})[status] = "  " + t["quiet_rows"].format(
            status=t[f"status.{status}"], n=n, targets=listed)
    return {unit: [found[s] for s in QUIET if s in found] for unit, found in lines.items()}


def render(evaluation: Evaluation, *, lang: str = "vi", color: bool = False,
           fail_on: Iterable[str] = DEFAULT_FAIL_ON, **_options: Any) -> str:
    t, fmt = words(lang), Formatter(lang)
    units = evaluation.figures.units
    results = evaluation.results
    shown = results.filter(~pl.col("status").is_in(list(QUIET)))
    blocks = _blocks(_cells(evaluation, shown, lang, t, fmt), [t[c] for c in COLUMNS] + [""],
                     color) if shown.height else {}
    quiet = _quiet(results, t)
    checks_by_unit: dict[str, list[dict[str, Any]]] = {}
    for c in evaluation.check_records():
        if c["status"] in set(fail_on):
            checks_by_unit.setdefault(c["unit"], []).append(c)
    failed = [c for cs in checks_by_unit.values() for c in cs]
    texts = dict(zip(map(id, failed), check_texts(evaluation, failed, fmt.number), strict=True))
    out: list[str] = []
    for unit_id in sorted(set(results["unit"].unique().to_list()) | checks_by_unit.keys()):
        unit = units.get(unit_id)
        level = f" · {unit.level}" if unit and unit.level else ""
        title = f"{unit.name} ({unit_id}{level})" if unit and unit.name != unit_id \
            else f"{unit_id}{level}"
        title = escape_controls(title)
        out.append(click.style(title, bold=True) if color else title)
        if unit_id in blocks:
            out.append(blocks[unit_id])
        out += quiet.get(unit_id, [])
        for c in checks_by_unit.get(unit_id, []):
            out.append(f"  {t['check']} {c['check']} {c['period']}: {t['check.' + c['status']]}"
                       f": {texts[id(c)]}")
        out.append("")
    if evaluation.ruleset.model.scoring is not None:
        from .scores import appraisal_text, ranking_text
        names = {uid: u.name for uid, u in units.items()}
        out += [*ranking_text(evaluation.scores().rankings, names, lang), ""]
        titles = {i.id: i.title for i in evaluation.ruleset.model.scoring.indicators}
        appraisal = appraisal_text(evaluation.scores(), names, titles, lang)
        out += [*appraisal, ""] if appraisal else []
    counts = evaluation.summary()
    summary = [f"{t[f'status.{s}']} {counts[s]}" for s in STATUSES if counts[s]]
    checks = evaluation.check_summary()
    out.append(f"{t['summary']}: " + (" · ".join(summary) or empty_reason(evaluation)))
    if any(checks.values()):
        out.append(f"{t['check']}: " + " · ".join(f"{t['check.' + k]} {v}"
                                                  for k, v in checks.items() if v))
    return "\n".join(out) + "\n"
