"""Render stage: the human table (`--format table`, the default), grouped by unit.

Titles, labels and unit names are shown as written in the ruleset and data; only the fixed
words (headings, statuses) follow `--lang`. Colour only when the caller says it is a terminal.

A national run has over a million rows: the table is built columnar and written in slices
of whole units, straight from polars to the output (as the JSON writer does), so its text is
never all in memory. Numbers are written once per distinct value (numbers_text).
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, BinaryIO

import click
import polars as pl

from ..domain import COLOURS, DEFAULT_FAIL_ON, STATUSES, UNRATED
from ..errors import escape_controls
from ..evaluation.result import Evaluation
from ..evaluation.selection import empty_reason
from ..evaluation.survey import with_margins
from ..evaluation.view import for_readers, not_reported
from ..present import Formatter, compared_unit, number, numbers, threshold_text
from .by_unit import by_unit, write_units
from .checktext import check_texts
from .i18n import words
from .numbers_text import needed_texts, value_texts

COLUMNS = ("period", "target", "actual", "threshold", "expected", "status", "needed")
# Rows that say nothing about progress are summed up in one line per unit: a province plan
# of 60 targets against a district's one-stop report is otherwise mostly "no data".
QUIET = UNRATED
QUIET_LISTED = 12
NOT_REPORTED_LISTED = 12   # units named per period and level in the "not reported" lines
CELLS = tuple(f"c_{name}" for name in COLUMNS)
_LABELS = ("target", "unit", "period", "status", "op")
_USED = (*_LABELS, "actual", "threshold", "threshold_high", "expected", "needed", "covers")


def _value_units(evaluation: Evaluation) -> dict[str, str | None]:
    """Per target, how its compared quantity is written: a percent change is a percentage."""
    model = evaluation.ruleset.model
    return {t.id: compared_unit(t, model.metrics) for t in model.targets}


def _key(column: str) -> pl.Expr:
    """A number as a join key: null for NaN and inf (written as a missing number), -0.0 as
    0.0 (the same text)."""
    value = pl.col(column).cast(pl.Float64)
    return pl.when(value.is_finite()).then(value + 0.0)


class _Cells:
    """The table's text cells of `shown` (result rows), each distinct number, threshold and
    label written once; `add(rows)` puts them on a slice of those rows."""

    def __init__(self, evaluation: Evaluation, shown: pl.DataFrame, lang: str,
                 t: dict[str, str], fmt: Formatter) -> None:
        value_units = _value_units(evaluation)
        self.evaluation, self.fmt = evaluation, fmt
        self.vu = pl.col("target").replace_strict(value_units, default=None,
                                                  return_dtype=pl.String).alias("_vu")
        keyed = shown.select("target", self.vu, *(_key(c).alias(c) for c in
                                                  ("actual", "expected", "needed")))
        self.values = {}
        for source in ("actual", "expected"):
            distinct = keyed.select("_vu", source).unique()
            parts = [value_texts(group, source, f"c_{source}", unit, lang)
                     for (unit,), group in distinct.group_by("_vu")]
            self.values[source] = pl.concat(parts)
        self.needed = needed_texts(keyed.select("needed").unique(), "needed", "c_needed", lang)
        keys = ["target", "op", "threshold", "threshold_high"]
        milestones = shown.select(keys).unique()
        self.milestones = milestones.with_columns(pl.Series("c_threshold", [
            escape_controls(threshold_text(op, number(low), number(high), value_units[tid],
                                           fmt))
            for tid, op, low, high in milestones.iter_rows()], dtype=pl.String))
        self.keys = keys
        titles = {tg.id: tg.title for tg in evaluation.ruleset.model.targets}
        period = _escaped(shown, "period")
        if shown["covers"].null_count() < shown.height:   # v3 §6: part of the period
            vi_en = t["part_of_period"].split("{covers}")
            period = pl.when(pl.col("covers").is_null()).then(period).otherwise(
                pl.concat_str([pl.lit(vi_en[0].split("{period}")[0]), period,
                               pl.lit(vi_en[0].split("{period}")[1]),
                               _escaped(shown, "covers"), pl.lit(vi_en[1])]))
        self.labels = [period.alias("c_period"),
                       _escaped(shown, "target").alias("c_target"),
                       pl.col("status").replace_strict(
                           {s: t[f"status.{s}"] for s in STATUSES},
                           return_dtype=pl.String).alias("c_status"),
                       pl.col("target").replace_strict(
                           {k: escape_controls(v) for k, v in titles.items()},
                           return_dtype=pl.String).alias("c_title")]

    def add(self, rows: pl.DataFrame) -> pl.DataFrame:
        rows = rows.with_columns(self.vu, *(_key(c).alias(f"_k{c}") for c in
                                            ("actual", "expected", "needed")))
        for source in ("actual", "expected"):
            rows = rows.join(self.values[source], left_on=["_vu", f"_k{source}"],
                             right_on=["_vu", source], how="left", nulls_equal=True,
                             maintain_order="left")
        rows = rows.join(self.needed, left_on="_kneeded", right_on="needed", how="left",
                         nulls_equal=True, maintain_order="left")
        rows = rows.join(self.milestones, on=self.keys, how="left", nulls_equal=True,
                         maintain_order="left")
        return self.margins(rows.with_columns(self.labels))

    def margins(self, rows: pl.DataFrame) -> pl.DataFrame:
        """'± margin' beside the actual value of a survey figure (spec §7 v3)."""
        rows = with_margins(self.evaluation, rows)
        if "margin" not in rows.columns:
            return rows
        from .scores import two_decimals
        texts = {m: f" ± {two_decimals(self.fmt, m)}" for m in rows["margin"].drop_nulls().unique()}
        suffix = pl.col("margin").replace_strict(texts, default="", return_dtype=pl.String)
        return rows.with_columns(pl.concat_str([pl.col("c_actual"), suffix]).alias("c_actual"))


def _escaped(frame: pl.DataFrame, name: str) -> pl.Expr:
    values = frame[name].drop_nulls().unique().to_list()
    mapping = {v: escape_controls(v) for v in values}
    if all(k == v for k, v in mapping.items()):
        return pl.col(name)
    return pl.col(name).replace_strict(mapping, default=None, return_dtype=pl.String)


def _lines(cells: pl.DataFrame, heading: list[str], color: bool) -> pl.DataFrame:
    """Per row its line, each cell padded to its column's widest in the unit (the heading's
    words count too), the status coloured when `color`; the unit's heading line (`head`) on
    its first row. Rows of a unit are together, in their order."""
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
                                       pl.lit(heading[-1]), False).alias("head"))
    return cells.join(widths.join(heads, on="unit"), on="unit", maintain_order="left").select(
        "unit", line([pl.col(c) for c in CELLS], pl.col("c_title"), color).alias("line"),
        "head")


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


def _failed_checks(evaluation: Evaluation, wanted: set[str]) -> list[dict[str, Any]]:
    """`evaluation.check_records()` of the checks whose status is in `wanted`: a national
    run has 80 k checks, few of them failed."""
    frame = evaluation.checks
    frame = frame.filter(pl.col("status").cast(pl.String).is_in(list(wanted)))
    columns = {name: numbers(frame[name]) if frame[name].dtype == pl.Float64
               else frame[name].to_list() for name in frame.columns}
    return [dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)]


def _unit_texts(evaluation: Evaluation, units: list[str], quiet: dict[str, list[str]],
                checks_by_unit: dict[str, list[dict[str, Any]]], t: dict[str, str],
                fmt: Formatter, color: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Per unit, its title line and the lines after its rows (quiet rows, checks and the
    blank line that ends it), each with its newline."""
    known = evaluation.figures.units
    failed = [c for cs in checks_by_unit.values() for c in cs]
    texts = dict(zip(map(id, failed), check_texts(evaluation, failed, fmt.number), strict=True))
    titles, tails = {}, {}
    for unit_id in units:
        unit = known.get(unit_id)
        level = f" · {_level_title(evaluation, unit.level)}" if unit and unit.level else ""
        title = f"{unit.name} ({unit_id}{level})" if unit and unit.name != unit_id \
            else f"{unit_id}{level}"
        title = escape_controls(title)
        titles[unit_id] = (click.style(title, bold=True) if color else title) + "\n"
        after = list(quiet.get(unit_id, []))
        for c in checks_by_unit.get(unit_id, []):
            after.append(f"  {t['check']} {c['check']} {c['period']}: "
                         f"{t['check.' + c['status']]}: {texts[id(c)]}")
        tails[unit_id] = "".join(f"{line}\n" for line in after) + "\n"
    return titles, tails


def _level_title(evaluation: Evaluation, level: str) -> str:
    """A level as the units file titles it (`levels:`), else its id."""
    titles = getattr(evaluation.figures, "level_titles", None) or {}
    return titles.get(level, level)


def _footer(evaluation: Evaluation, t: dict[str, str], lang: str) -> list[str]:
    """Rankings and appraisal (a scored ruleset), then the summary lines."""
    out: list[str] = []
    if evaluation.ruleset.model.scoring is not None:
        from .scores import appraisal_text, ranking_text
        names = {uid: u.name for uid, u in evaluation.figures.units.items()}
        out += [*ranking_text(evaluation.scores().rankings, names, lang,
                              evaluation.figures.level_titles), ""]
        hidden = evaluation.hidden
        if hidden is not None and hidden.unscored and evaluation.scores().rankings.height:
            out[-1:] = ["  " + t["unscored"].format(n=hidden.unscored), ""]
        titles = {i.id: i.title for i in evaluation.ruleset.model.scoring.indicators}
        appraisal = appraisal_text(evaluation.scores(), names, titles, lang)
        out += [*appraisal, ""] if appraisal else []
    out += _not_reported(evaluation, t)
    if evaluation.versions:   # plans in force by date: which version judged which periods
        from ..evaluation.versions import version_lines
        out += [*version_lines(evaluation, t), ""]
    counts = evaluation.summary()
    summary = [f"{t[f'status.{s}']} {counts[s]}" for s in STATUSES if counts[s]]
    checks = evaluation.check_summary()
    hidden = evaluation.hidden
    if hidden is not None and hidden.not_applicable:
        summary.append(t["hidden_na_switch"].format(n=hidden.not_applicable))
    out.append(f"{t['summary']}: " + (" · ".join(summary) or empty_reason(evaluation)))
    if hidden is not None and hidden.internal_periods:
        out.append(t["hidden_internal"].format(periods=", ".join(hidden.internal_periods)))
    if any(checks.values()):
        out.append(f"{t['check']}: " + " · ".join(f"{t['check.' + k]} {v}"
                                                  for k, v in checks.items() if v))
    running = evaluation.in_progress
    if running:   # counted from records before they ended: pending, never judged yet
        out.append(t["in_progress_periods"].format(periods=", ".join(running)))
    return out


def _not_reported(evaluation: Evaluation, t: dict[str, str]) -> list[str]:
    """Per period and level, the units that sent nothing (view.not_reported), a few named."""
    missing = not_reported(evaluation)
    if not missing.height:
        return []
    out = [t["not_reported"]]
    for (period, level), part in missing.group_by("period", "level", maintain_order=True):
        ids = part["unit"].to_list()
        listed = ", ".join(escape_controls(u) for u in ids[:NOT_REPORTED_LISTED])
        more = ", …" if len(ids) > NOT_REPORTED_LISTED else ""
        level_text = t.get(f"level.{level}", level)
        out.append(f"  {escape_controls(period)} · {escape_controls(level_text)} "
                   f"({len(ids)}): {listed}{more}")
    return [*out, ""]


def write(evaluation: Evaluation, out: BinaryIO, *, lang: str = "vi", color: bool = False,
          fail_on: Iterable[str] = DEFAULT_FAIL_ON, show_not_applicable: bool = False,
          **_options: Any) -> None:
    """The table, UTF-8, to a binary stream: per unit (sorted) its title, its rows under a
    heading, its quiet rows and failed checks, a blank line; then the rankings, the units
    that sent nothing and the summary. Not applicable results and internal periods are left
    out unless asked (evaluation/view.py); the summary says how many."""
    if evaluation.hidden is None:
        evaluation = for_readers(evaluation, show_not_applicable=show_not_applicable)
    t, fmt = words(lang), Formatter(lang)
    results = by_unit(evaluation.results, _LABELS, _USED)
    shown = results.filter(~pl.col("status").is_in(list(QUIET)))
    quiet = _quiet(results, t)
    wanted = set(fail_on)
    checks_by_unit: dict[str, list[dict[str, Any]]] = {}
    for c in _failed_checks(evaluation, wanted):
        checks_by_unit.setdefault(c["unit"], []).append(c)
    units = sorted(set(results["unit"].unique().to_list()) | checks_by_unit.keys())
    titles, tails = _unit_texts(evaluation, units, quiet, checks_by_unit, t, fmt, color)
    cells = _Cells(evaluation, shown, lang, t, fmt) if shown.height else None
    heading = [escape_controls(t[c]) for c in COLUMNS] + [""]

    def lines(rows: pl.DataFrame) -> pl.DataFrame:
        assert cells is not None   # write_units asks for lines of shown rows only
        return _lines(cells.add(rows), heading, color).select("unit", pl.when(
            pl.col("unit").is_first_distinct()).then(
            pl.concat_str(["head", pl.lit("\n"), "line"])).otherwise(pl.col("line")).alias("line"))

    write_units(out, shown, units, titles, tails, lines)
    out.write(("\n".join(_footer(evaluation, t, lang)) + "\n").encode("utf-8"))


def render(evaluation: Evaluation, **options: Any) -> str:
    buffer = io.BytesIO()
    write(evaluation, buffer, **options)
    return buffer.getvalue().decode("utf-8")
